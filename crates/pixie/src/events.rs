//! Things that happen to the session, for the app to act on (clear caches, …).

/// What just happened; see [`crate::Auth::on_event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthEvent {
    /// Someone signed in: a login, a resume, or a session restored from this tab's storage.
    SignedIn,
    /// New tokens, from a refresh here or in another tab of the session.
    TokensRefreshed,
    /// Signed out: by Log out here, or in another tab.
    SignedOut,
    /// The provider ended the session (it refused the refresh token), here or in another tab.
    SessionEnded,
}

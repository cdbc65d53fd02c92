//! What the app can read about the login, through [`crate::Auth`].

use std::sync::Arc;

use pixie_core::json::Object;
use pixie_core::session::Session;
use pixie_core::AuthError;

/// Where the login is. `Redirecting` and `Exchanging` are the in-between
/// states that keep a Log in button from flashing while a flow is under way.
#[derive(Debug, Clone)]
pub enum AuthState {
    /// Nobody is signed in (or the provider is still loading: see [`crate::Auth::is_ready`]).
    SignedOut,
    /// The browser is on its way to the provider.
    Redirecting,
    /// Back from the provider: the code is being exchanged and the ID token checked.
    Exchanging,
    /// Signed in, with this session.
    SignedIn(Arc<Session>),
    /// The login failed, or the configuration or provider is unusable.
    Error(AuthError),
}

impl AuthState {
    /// A stable name: `signed-out`, `redirecting`, `exchanging`, `signed-in` or `error`
    /// (the demo's `#status[data-state]`).
    pub fn status(&self) -> &'static str {
        match self {
            Self::SignedOut => "signed-out",
            Self::Redirecting => "redirecting",
            Self::Exchanging => "exchanging",
            Self::SignedIn(_) => "signed-in",
            Self::Error(_) => "error",
        }
    }
}

/// The userinfo response (OIDC Core §5.3), loaded once signed in.
#[derive(Debug, Clone)]
pub enum UserinfoState {
    /// The provider has no userinfo endpoint, or nobody is signed in.
    NotAvailable,
    /// Requested.
    Loading,
    /// The claims, whose `sub` matched the ID token's.
    Loaded(Arc<Object>),
    /// Refused or failed.
    Failed(AuthError),
}

/// A one-line message about something that just happened to the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// The provider refused the refresh token: log in again.
    SessionEnded,
    /// Another tab logged out.
    SignedOutElsewhere,
    /// The provider confirmed the logout.
    SignedOutAtProvider,
    /// Logged out here only: the provider has no end-session endpoint.
    SignedOutLocally,
    /// A `prompt=none` resume found no session at the provider.
    ResumeFailed,
    /// The provider's logout answer did not carry our state.
    LogoutStateMismatch,
    /// A protected page's login came back without signing in (back button, a closed provider page).
    LoginNotCompleted,
    /// A resume after a reload found someone else signed in at the provider.
    SomeoneElseAtProvider,
    /// This tab's copy of the session is out of date, and no live tab has the newest.
    SessionMovedOn,
    /// The provider's limit on a session's life was reached (Entra ID: 24 hours for a single-page app).
    SessionLifetimeOver,
}

impl Notice {
    /// A stable name (the demo's `#notice[data-kind]`).
    pub fn kind(self) -> &'static str {
        match self {
            Self::SessionEnded => "session-ended",
            Self::SignedOutElsewhere => "signed-out-elsewhere",
            Self::SignedOutAtProvider => "signed-out-at-provider",
            Self::SignedOutLocally => "signed-out-locally",
            Self::ResumeFailed => "resume-failed",
            Self::LogoutStateMismatch => "logout-state-mismatch",
            Self::LoginNotCompleted => "login-not-completed",
            Self::SomeoneElseAtProvider => "someone-else-at-provider",
            Self::SessionMovedOn => "session-moved-on",
            Self::SessionLifetimeOver => "session-lifetime-over",
        }
    }

    /// The message, for people.
    pub fn text(self) -> &'static str {
        match self {
            Self::SessionEnded => "Your session ended: the provider no longer accepts its refresh token. Log in again.",
            Self::SignedOutElsewhere => "You were signed out in another tab.",
            Self::SignedOutAtProvider => "You are signed out, here and at the provider.",
            Self::SignedOutLocally => {
                "You are signed out of this app. The provider has no end-session endpoint, so your session there may continue."
            }
            Self::ResumeFailed => "There was no session at the provider to resume after the reload. Log in again.",
            Self::LogoutStateMismatch => {
                "You are signed out here, but the provider's logout answer did not carry our state, so it was not confirmed."
            }
            Self::LoginNotCompleted => "The sign-in was not completed. Log in to continue.",
            Self::SomeoneElseAtProvider => {
                "Someone else is signed in at the provider now, so this tab did not switch to them after the reload. Log in to continue."
            }
            Self::SessionMovedOn => {
                "This tab's copy of the session is out of date: it went on in another tab, which is closed now. Log in again."
            }
            Self::SessionLifetimeOver => {
                "Your session reached the longest the provider allows a browser app without a new sign-in (24 hours at Microsoft Entra ID). Log in again."
            }
        }
    }
}

/// What the refresher is doing.
#[derive(Debug, Clone)]
pub enum RefreshStatus {
    /// Nothing under way.
    Idle,
    /// A refresh is under way (in this tab, or waiting for another tab's).
    Refreshing,
    /// A network failure; the next try is scheduled with back-off.
    Retrying {
        /// Which retry is next.
        attempt: u32,
        /// What failed.
        error: AuthError,
    },
    /// Refused for a reason a retry will not fix; the session stays until it expires.
    Failed(AuthError),
}

impl RefreshStatus {
    /// A stable name: `idle`, `refreshing`, `retrying` or `failed` (the demo's `#refresh-status[data-state]`).
    pub fn state(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Refreshing => "refreshing",
            Self::Retrying { .. } => "retrying",
            Self::Failed(_) => "failed",
        }
    }
}

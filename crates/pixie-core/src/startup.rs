//! What a page load is for: the provider's answer to a login (the callback),
//! or a page of the app, where a stored session may be restored, a logout
//! return confirmed, or a session resumed with `prompt=none`.

use crate::callback::looks_like_callback;
use crate::config::TokenStorage;
use crate::logout::{LogoutReturn, LOGOUT_STATE_NAME};
use crate::session::{RESUME_HINT_NAME, SESSION_NAME};

/// The sessionStorage names (after the prefix) whose presence can change how a
/// page starts. With none of them kept, [`page_start`] is
/// [`PageStart::SignedOut`] whatever the query, the storage mode or
/// `resume_on_reload`: the page is signed out before the provider has loaded.
pub const START_STATE_NAMES: [&str; 3] = [SESSION_NAME, RESUME_HINT_NAME, LOGOUT_STATE_NAME];

/// What the address bar says this page load is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The provider's answer to a login, at the callback path.
    Callback,
    /// The callback path with nothing in it (e.g. reloaded after sign-in):
    /// leave it for the start page, `/`.
    BareCallback,
    /// Any page of the app.
    Page,
    /// It carries what a callback would, but the callback path is not known
    /// yet (the configuration has not loaded): wait for it before deciding.
    Undecided,
}

/// Classify a page load from its path and query. `callback_path` is `None`
/// while the configuration is not known.
pub fn entry(path: &str, query: &str, callback_path: Option<&str>) -> Entry {
    match callback_path {
        Some(callback) if path == callback && looks_like_callback(query) => Entry::Callback,
        Some(callback) if path == callback => Entry::BareCallback,
        Some(_) => Entry::Page,
        None if looks_like_callback(query) => Entry::Undecided,
        None => Entry::Page,
    }
}

/// What a page of the app does once the provider is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStart {
    /// The provider sent the browser back from its logout; confirmed or not.
    LogoutReturn {
        /// Our `state` came back.
        confirmed: bool,
    },
    /// Sign in with the session kept in this tab's storage.
    RestoreSession,
    /// This tab was signed in before the reload: resume with `prompt=none`.
    Resume,
    /// Nobody is signed in.
    SignedOut,
}

/// What this tab has kept that bears on the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptState {
    /// The page's query, compared with the logout `state` we sent.
    pub logout: LogoutReturn,
    /// A stored session record is present (and parses).
    pub stored_session: bool,
    /// The resume marker is present.
    pub resume_hint: bool,
}

/// Decide how a page of the app starts.
pub fn page_start(kept: KeptState, storage: TokenStorage, resume_on_reload: bool) -> PageStart {
    match kept.logout {
        LogoutReturn::Confirmed => return PageStart::LogoutReturn { confirmed: true },
        LogoutReturn::StateMismatch => return PageStart::LogoutReturn { confirmed: false },
        LogoutReturn::NotALogoutReturn => {}
    }
    match storage {
        TokenStorage::Session if kept.stored_session => PageStart::RestoreSession,
        TokenStorage::Memory if kept.resume_hint && resume_on_reload => PageStart::Resume,
        _ => PageStart::SignedOut,
    }
}

//! What a page load is for, and how a page starts: the decisions the provider
//! makes before anything is drawn.

use pixie_core::config::TokenStorage;
use pixie_core::logout::LogoutReturn;
use pixie_core::startup::{entry, page_start, Entry, KeptState, PageStart};

#[test]
fn a_response_at_the_callback_path_is_the_callback() {
    assert_eq!(entry("/callback", "?code=c&state=s", Some("/callback")), Entry::Callback);
    assert_eq!(entry("/callback", "?error=access_denied&state=s", Some("/callback")), Entry::Callback);
    assert_eq!(
        entry("/auth/done", "?code=c&state=s", Some("/auth/done")),
        Entry::Callback,
        "any configured path"
    );
}

#[test]
fn a_response_anywhere_else_is_a_page() {
    assert_eq!(entry("/", "?code=c&state=s", Some("/callback")), Entry::Page);
    assert_eq!(
        entry("/callback", "?code=c&state=s", Some("/auth/done")),
        Entry::Page,
        "only the configured path"
    );
    assert_eq!(entry("/notes", "", Some("/callback")), Entry::Page);
}

#[test]
fn a_bare_callback_path_is_left_for_the_start_page() {
    assert_eq!(entry("/callback", "", Some("/callback")), Entry::BareCallback);
    assert_eq!(entry("/callback", "?utm=x", Some("/callback")), Entry::BareCallback);
}

#[test]
fn without_a_configuration_a_possible_callback_waits_for_it() {
    assert_eq!(entry("/anywhere", "?code=c&state=s", None), Entry::Undecided);
    assert_eq!(entry("/", "?state=s", None), Entry::Undecided, "a logout return looks the same");
    assert_eq!(entry("/", "", None), Entry::Page, "an ordinary page does not wait");
}

fn kept(logout: LogoutReturn, stored_session: bool, resume_hint: bool) -> KeptState {
    KeptState { logout, stored_session, resume_hint }
}

#[test]
fn a_logout_return_comes_first() {
    let confirmed = kept(LogoutReturn::Confirmed, true, true);
    assert_eq!(
        page_start(confirmed, TokenStorage::Session, true),
        PageStart::LogoutReturn { confirmed: true }
    );
    let forged = kept(LogoutReturn::StateMismatch, false, true);
    assert_eq!(page_start(forged, TokenStorage::Memory, true), PageStart::LogoutReturn { confirmed: false });
}

#[test]
fn session_storage_restores_a_stored_session() {
    let stored = kept(LogoutReturn::NotALogoutReturn, true, false);
    assert_eq!(page_start(stored, TokenStorage::Session, true), PageStart::RestoreSession);
    let none = kept(LogoutReturn::NotALogoutReturn, false, true);
    assert_eq!(page_start(none, TokenStorage::Session, true), PageStart::SignedOut, "no record, no resume");
}

#[test]
fn memory_mode_resumes_only_when_this_tab_was_signed_in_and_it_is_on() {
    let was_signed_in = kept(LogoutReturn::NotALogoutReturn, false, true);
    assert_eq!(page_start(was_signed_in, TokenStorage::Memory, true), PageStart::Resume);
    assert_eq!(page_start(was_signed_in, TokenStorage::Memory, false), PageStart::SignedOut);
    let fresh = kept(LogoutReturn::NotALogoutReturn, false, false);
    assert_eq!(page_start(fresh, TokenStorage::Memory, true), PageStart::SignedOut);
    let planted = kept(LogoutReturn::NotALogoutReturn, true, false);
    assert_eq!(
        page_start(planted, TokenStorage::Memory, true),
        PageStart::SignedOut,
        "memory mode ignores a stored record"
    );
}

#[test]
fn with_none_of_the_start_state_names_kept_a_page_starts_signed_out() {
    use pixie_core::logout::{check_logout_return, LOGOUT_STATE_NAME};
    use pixie_core::session::{RESUME_HINT_NAME, SESSION_NAME};
    use pixie_core::startup::START_STATE_NAMES;
    // The browser layer skips the provider (and the signed-in part) when nothing under these names is kept.
    for name in [SESSION_NAME, RESUME_HINT_NAME, LOGOUT_STATE_NAME] {
        assert!(START_STATE_NAMES.contains(&name), "{name}");
    }
    for query in ["", "?state=abc", "?code=x&state=y"] {
        let nothing = KeptState { logout: check_logout_return(query, None), stored_session: false, resume_hint: false };
        for storage in [TokenStorage::Session, TokenStorage::Memory] {
            for resume in [true, false] {
                assert_eq!(page_start(nothing, storage, resume), PageStart::SignedOut, "{query} {storage:?} {resume}");
            }
        }
    }
}

use leptos::prelude::*;
use pixie::{use_auth, TokenStorage};

/// Whether a reload keeps you signed in, and how.
#[component]
pub fn ResumeStatus() -> impl IntoView {
    let auth = use_auth();
    let config = move || auth.config().map(|c| (c.token_storage, c.resume_on_reload));
    let state = move || match (auth.is_resuming(), config()) {
        (true, _) => "resuming",
        (false, Some((_, true))) => "on",
        _ => "off",
    };
    let text = move || match (auth.is_resuming(), config()) {
        (true, _) => "resuming your session at the provider (prompt=none)…",
        (false, Some((TokenStorage::Session, _))) => "tokens kept in this tab's sessionStorage",
        (false, Some((TokenStorage::Memory, true))) => {
            "on: tokens in memory; a reload asks the provider again (prompt=none)"
        }
        (false, Some((TokenStorage::Memory, false))) => "off: tokens in memory; a reload signs you out",
        (false, None) => "…",
    };
    view! { <span id="resume-status" data-state=state>{text}</span> }
}

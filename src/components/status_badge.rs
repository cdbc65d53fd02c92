use leptos::prelude::*;
use pixie::use_auth;

/// `#status` with `data-state`: the contract tests and tools wait on.
#[component]
pub fn StatusBadge() -> impl IntoView {
    let auth = use_auth();
    let state = move || auth.state().status();
    let label = move || match auth.state().status() {
        "signed-out" => "Signed out",
        "redirecting" => "Redirecting to the provider…",
        "exchanging" => "Exchanging the code for tokens…",
        "signed-in" => "Signed in",
        _ => "Error",
    };
    view! {
        <p id="status" class="status" data-state=state role="status" aria-live="polite">
            <span class="status__dot" aria-hidden="true"></span>
            {label}
        </p>
    }
}

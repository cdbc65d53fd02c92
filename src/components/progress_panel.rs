use leptos::prelude::*;
use pixie::{use_auth, AuthState};

/// The in-between states, so nothing flashes while the flow runs.
#[component]
pub fn ProgressPanel() -> impl IntoView {
    let auth = use_auth();
    let text = move || match auth.state() {
        AuthState::Redirecting if auth.is_resuming() => "Resuming your session at the provider…",
        AuthState::Redirecting => "Sending you to the provider…",
        _ => "Checking the provider's answer and exchanging the code for tokens…",
    };
    view! {
        <section class="panel progress" aria-busy="true">
            <div class="progress__spinner" aria-hidden="true"></div>
            <p>{text}</p>
        </section>
    }
}

use leptos::prelude::*;

use pixie::{use_auth, AuthState};

use crate::components::{ErrorPanel, LoginPanel, ProgressPanel, SessionPanel};

/// `/` and `/callback`: the panel for the current auth state.
#[component]
pub fn Home() -> impl IntoView {
    let auth = use_auth();
    move || match auth.state() {
        AuthState::SignedOut => view! { <LoginPanel/> }.into_any(),
        AuthState::Redirecting | AuthState::Exchanging => view! { <ProgressPanel/> }.into_any(),
        AuthState::SignedIn(session) => view! { <SessionPanel session=session/> }.into_any(),
        AuthState::Error(error) => view! { <ErrorPanel error=error/> }.into_any(),
    }
}

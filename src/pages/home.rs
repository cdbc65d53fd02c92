use leptos::prelude::*;

use pixie::{use_auth, AuthState};

use crate::components::{LoginPanel, ProgressPanel};
use crate::parts;

/// `/` and `/callback`: the panel for the current auth state.
#[component]
pub fn Home() -> impl IntoView {
    let auth = use_auth();
    move || match auth.state() {
        AuthState::SignedOut => view! { <LoginPanel/> }.into_any(),
        AuthState::Redirecting | AuthState::Exchanging => view! { <ProgressPanel/> }.into_any(),
        // Parts of their own with `split`: a first visit needs neither.
        AuthState::SignedIn(session) => parts::from_part(parts::session_panel(session)),
        AuthState::Error(error) => parts::from_part(parts::error_panel(error)),
    }
}

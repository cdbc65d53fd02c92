use leptos::prelude::*;
use pixie::{use_auth, UserinfoState};

/// The userinfo response as JSON: `#userinfo[data-state=loaded]` once it arrives.
#[component]
pub fn UserinfoPanel() -> impl IntoView {
    let auth = use_auth();
    let data_state = move || match auth.userinfo() {
        UserinfoState::NotAvailable => "not-available",
        UserinfoState::Loading => "loading",
        UserinfoState::Loaded(_) => "loaded",
        UserinfoState::Failed(_) => "error",
    };
    let text = move || match auth.userinfo() {
        UserinfoState::NotAvailable => "The provider has no userinfo endpoint.".to_owned(),
        UserinfoState::Loading => "Loading…".to_owned(),
        UserinfoState::Loaded(claims) => claims.to_pretty(),
        UserinfoState::Failed(error) => format!("{}: {}", error.code(), error.message()),
    };
    view! {
        <pre id="userinfo" class="code-block" data-state=data_state tabindex="0">{text}</pre>
    }
}

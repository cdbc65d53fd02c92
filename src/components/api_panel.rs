use leptos::prelude::*;

use crate::auth::session::call_api_clicked;
use crate::auth::{use_auth, ApiState};

/// "Call API": a request to the configured protected resource with the access token.
#[component]
pub fn ApiPanel() -> impl IntoView {
    let auth = use_auth();
    let api_url = move || auth.provider.get().and_then(|p| p.config.api_url.clone());
    let data_state = move || match auth.api.get() {
        ApiState::Idle => "idle",
        ApiState::Loading => "loading",
        ApiState::Loaded { .. } => "loaded",
        ApiState::Failed(_) => "error",
    };
    let status = move || match auth.api.get() {
        ApiState::Loaded { status, .. } => Some(status.to_string()),
        _ => None,
    };
    let text = move || match auth.api.get() {
        ApiState::Idle => "Not called yet.".to_owned(),
        ApiState::Loading => "Calling…".to_owned(),
        ApiState::Loaded { body, .. } => body,
        ApiState::Failed(error) => format!("{}: {}", error.code(), error.message()),
    };
    move || {
        api_url().map(|url| {
            view! {
                <section class="panel">
                    <h2 class="panel__title">"Protected API"</h2>
                    <p class="panel__lead">
                        "GET " <code>{url}</code> " with the access token as a Bearer header. A 401 triggers one refresh and one retry."
                    </p>
                    <button class="button" on:click=move |_| call_api_clicked(auth)>"Call API"</button>
                    <p class="api__status">{move || status().map(|s| format!("HTTP {s}"))}</p>
                    <pre id="api-response" class="code-block api__response" data-state=data_state data-status=status tabindex="0">
                        {text}
                    </pre>
                </section>
            }
        })
    }
}

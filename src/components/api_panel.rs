use leptos::prelude::*;
use leptos::task::spawn_local;
use pixie::{use_auth, AuthError, AuthEvent, HttpRequest, Json};

/// What the "Call API" panel shows. It outlives the panel, which is drawn
/// again for every new session (a refresh included).
#[derive(Debug, Clone)]
pub enum ApiState {
    Idle,
    Loading,
    /// Any HTTP answer, with its status and body.
    Loaded {
        status: u16,
        body: String,
    },
    Failed(AuthError),
}

#[derive(Clone, Copy)]
struct ApiResult(RwSignal<ApiState>);

/// Keep the panel's last answer for the page's life, and forget it when the session ends.
pub fn provide_api_state() {
    let api = RwSignal::new(ApiState::Idle);
    provide_context(ApiResult(api));
    use_auth().on_event(move |event| {
        if matches!(event, AuthEvent::SignedOut | AuthEvent::SessionEnded) {
            api.set(ApiState::Idle);
        }
    });
}

/// "Call API": a request to the configured protected resource with the access token.
#[component]
pub fn ApiPanel() -> impl IntoView {
    let auth = use_auth();
    let api =
        use_context::<ApiResult>().map(|ApiResult(api)| api).unwrap_or_else(|| RwSignal::new(ApiState::Idle));
    let api_url = move || auth.provider().and_then(|p| p.config.api_url.clone());
    let call = move |_| {
        let Some(url) = api_url() else { return };
        api.set(ApiState::Loading);
        spawn_local(async move {
            let result = auth.fetch(HttpRequest::new("GET", url)).await;
            api.set(match result {
                Ok(response) => {
                    ApiState::Loaded { status: response.status, body: pretty_json(&response.body) }
                }
                Err(error) => ApiState::Failed(error),
            });
        });
    };
    let data_state = move || match api.get() {
        ApiState::Idle => "idle",
        ApiState::Loading => "loading",
        ApiState::Loaded { .. } => "loaded",
        ApiState::Failed(_) => "error",
    };
    let status = move || match api.get() {
        ApiState::Loaded { status, .. } => Some(status.to_string()),
        _ => None,
    };
    let text = move || match api.get() {
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
                    <button class="button" on:click=call>"Call API"</button>
                    <p class="api__status">{move || status().map(|s| format!("HTTP {s}"))}</p>
                    <pre id="api-response" class="code-block api__response" data-state=data_state data-status=status tabindex="0">
                        {text}
                    </pre>
                </section>
            }
        })
    }
}

fn pretty_json(body: &str) -> String {
    Json::parse(body).map(|value| value.to_pretty()).unwrap_or_else(|_| body.to_owned())
}

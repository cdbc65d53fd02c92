use leptos::prelude::*;
use pixie::{use_auth, RefreshStatus};

/// How many refreshes this tab has seen, and what the refresher is doing.
#[component]
pub fn RefreshStatusLine() -> impl IntoView {
    let auth = use_auth();
    let state = move || auth.refresh_status().state();
    let detail = move || match auth.refresh_status() {
        RefreshStatus::Idle => String::new(),
        RefreshStatus::Refreshing => " · refreshing…".to_owned(),
        RefreshStatus::Retrying { attempt, error } => {
            format!(" · {} — retrying (attempt {attempt})", error.code())
        }
        RefreshStatus::Failed(error) => format!(" · failed: {} — {}", error.code(), error.message()),
    };
    view! {
        <span id="refresh-status" data-state=state>
            <span id="refresh-count">{move || auth.refresh_count()}</span>
            {detail}
        </span>
    }
}

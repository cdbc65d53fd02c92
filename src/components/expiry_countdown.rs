use std::time::Duration;

use leptos::prelude::*;

use crate::dom;
use crate::format::remaining;

/// Live countdown to a local deadline (ms since epoch, from `expires_in`).
#[component]
pub fn ExpiryCountdown(expires_at_ms: f64) -> impl IntoView {
    let now_ms = RwSignal::new(dom::now_ms());
    if let Ok(handle) = set_interval_with_handle(move || now_ms.set(dom::now_ms()), Duration::from_secs(1)) {
        on_cleanup(move || handle.clear());
    }
    let seconds_left = move || ((expires_at_ms - now_ms.get()) / 1000.0).ceil() as i64;
    view! {
        <span id="access-token-expiry" data-seconds=seconds_left>
            {move || remaining(seconds_left())}
        </span>
    }
}

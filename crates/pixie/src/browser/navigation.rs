//! The address bar, history and performance marks.

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

pub(crate) fn origin() -> String {
    location().and_then(|l| l.origin().ok()).unwrap_or_default()
}

pub(crate) fn pathname() -> String {
    location().and_then(|l| l.pathname().ok()).unwrap_or_else(|| "/".to_owned())
}

pub(crate) fn search() -> String {
    location().and_then(|l| l.search().ok()).unwrap_or_default()
}

pub(crate) fn hash() -> String {
    location().and_then(|l| l.hash().ok()).unwrap_or_default()
}

/// Path, query and fragment: where to come back to after login.
pub(crate) fn current_path() -> String {
    format!("{}{}{}", pathname(), search(), hash())
}

/// Leave the page for `url` (the provider's authorization or end-session endpoint).
pub(crate) fn assign(url: &str) -> Result<(), String> {
    location()
        .ok_or_else(|| "no window".to_owned())?
        .assign(url)
        .map_err(|_| "the browser refused to navigate".to_owned())
}

/// Replace the current history entry, so codes and state leave the address bar
/// and the back button cannot bring them back.
pub(crate) fn replace_url(path: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
}

/// `performance.mark(name)`: the timing hooks benchmarks and tests read.
pub(crate) fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// `mark(name)` once the view updates already queued have run, so the mark
/// says when the page shows the change, not when it was decided.
pub(crate) fn mark_after_render(name: &'static str) {
    // The same FIFO task queue as the Leptos effects that draw the change.
    wasm_bindgen_futures::spawn_local(async move { mark(name) });
}

/// Resolves once the view updates already queued (and marks placed with
/// `mark_after_render`) have run: a promise's continuation is a microtask of
/// its own, queued behind the task queue being drained.
pub(crate) async fn after_render() {
    let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&wasm_bindgen::JsValue::UNDEFINED))
        .await;
}

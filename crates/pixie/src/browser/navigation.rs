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

/// Leave the page with a form POST to `action` (the end-session endpoint): the
/// fields travel in the body, not the URL, so no history or access log keeps them.
pub(crate) fn post_form(action: &str, fields: &[(&'static str, String)]) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let refused = |_| "the browser refused to build the form".to_owned();
    let document = web_sys::window().and_then(|w| w.document()).ok_or_else(|| "no document".to_owned())?;
    let form: web_sys::HtmlFormElement = document.create_element("form").map_err(refused)?.unchecked_into();
    form.set_method("post");
    form.set_action(action);
    form.set_hidden(true);
    for (name, value) in fields {
        let input: web_sys::HtmlInputElement =
            document.create_element("input").map_err(refused)?.unchecked_into();
        input.set_type("hidden");
        input.set_name(name);
        input.set_value(value);
        form.append_child(&input).map_err(refused)?;
    }
    document.body().ok_or_else(|| "no body".to_owned())?.append_child(&form).map_err(refused)?;
    form.submit().map_err(|_| "the browser refused to submit the form".to_owned())
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
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

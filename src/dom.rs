//! The demo's own page needs, beside the login (which is all `pixie`'s):
//! the clipboard, keyboard focus, the clock, and a note in sessionStorage.

use wasm_bindgen::JsCast;

/// `location.pathname`.
pub fn pathname() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "/".to_owned())
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Copy text to the clipboard (`navigator.clipboard.writeText`).
pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// Move keyboard focus to the first element matching `selector` (HTML or SVG).
pub fn focus(selector: &str) {
    let element =
        web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector(selector).ok().flatten());
    if let Some(element) = element {
        let focus = js_sys::Reflect::get(&element, &"focus".into()).ok();
        if let Some(focus) = focus.and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
            let _ = focus.call0(&element);
        }
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Keep a note for the next page load of this tab.
pub fn keep_note(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(key, value);
    }
}

/// Read a note once.
pub fn take_note(key: &str) -> Option<String> {
    let storage = session_storage()?;
    let value = storage.get_item(key).ok().flatten();
    let _ = storage.remove_item(key);
    value
}

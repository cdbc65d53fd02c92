//! Copy text to the clipboard (`navigator.clipboard.writeText`).

pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

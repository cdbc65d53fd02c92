//! Wall-clock time. `SystemTime::now()` panics on wasm32-unknown-unknown.

pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub(crate) fn now_secs() -> i64 {
    (now_ms() / 1000.0).floor() as i64
}

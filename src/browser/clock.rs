//! Wall-clock time. `SystemTime::now()` panics on wasm32-unknown-unknown.

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn now_secs() -> i64 {
    (now_ms() / 1000.0).floor() as i64
}

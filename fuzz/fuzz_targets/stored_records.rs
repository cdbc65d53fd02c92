//! Everything read back from web storage, where any script on the origin can write.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::authorize::PendingLogin;
use pixie_core::provider::ProviderCache;
use pixie_core::session::{ResumeHint, Session, SessionMarker};
use pixie_core::trace::{trace_from_json, trace_to_json};

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else { return };
    if let Some(pending) = PendingLogin::from_storage_json(text) {
        let _ = pending.is_expired(0.0);
        assert!(PendingLogin::from_storage_json(&pending.to_storage_json()).is_some(), "a record reads back");
    }
    if let Some(session) = Session::from_json(text) {
        assert!(Session::from_json(&session.to_json()).is_some(), "a session reads back");
    }
    if let Some(cache) = ProviderCache::from_json(text) {
        let _ = cache.provider(common::ORIGIN);
    }
    let _ = SessionMarker::from_json(text);
    let _ = ResumeHint::from_json(text);
    let trace = trace_from_json(text);
    assert_eq!(trace_from_json(&trace_to_json(&trace)).len(), trace.len(), "a trace reads back");
});

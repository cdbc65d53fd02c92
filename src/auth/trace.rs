//! Recording the flow trace into the context (for the walkthrough) and into
//! sessionStorage (so it survives the redirect). Entries hold masked values only.

use leptos::prelude::*;

use super::context::AuthCtx;
use crate::browser::storage;
use crate::oauth::trace::{trace_from_json, trace_to_json, TraceEntry, TRACE_KEY};

pub fn record(ctx: AuthCtx, entry: TraceEntry) {
    ctx.trace.update(|entries| entries.push(entry));
    ctx.trace.with_untracked(|entries| {
        let _ = storage::set(TRACE_KEY, &trace_to_json(entries));
    });
}

/// A new login starts a new trace.
pub fn restart(ctx: AuthCtx) {
    ctx.trace.set(Vec::new());
    storage::remove(TRACE_KEY);
}

pub fn load(ctx: AuthCtx) {
    if let Some(json) = storage::get(TRACE_KEY) {
        ctx.trace.set(trace_from_json(&json));
    }
}

/// On logout: the page keeps showing it, but nothing stays in storage.
pub fn forget_persisted() {
    storage::remove(TRACE_KEY);
}

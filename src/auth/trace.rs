//! Recording the flow trace into the context (for the walkthrough) and into
//! sessionStorage (so it survives the redirect). Entries hold masked values only.
//! Built without the walkthrough, nothing reads the trace back, so it stays in
//! memory and is never serialised.

use leptos::prelude::*;

use super::context::AuthCtx;
use crate::browser::storage;
use crate::oauth::trace::{Step, TraceCheck, TraceEntry, TRACE_KEY};

pub fn record(ctx: AuthCtx, entry: TraceEntry) {
    record_quietly(ctx, entry);
    publish(ctx);
}

/// Adds a step without re-rendering the walkthrough or writing storage. The
/// callback records several steps on its critical path and publishes them once,
/// after sign-in: rendering each one would delay the token exchange's reply.
pub fn record_quietly(ctx: AuthCtx, entry: TraceEntry) {
    ctx.trace.update_untracked(|entries| entries.push(entry));
}

/// After a callback: draws the walkthrough with every step recorded so far.
pub fn show_walkthrough(ctx: AuthCtx) {
    if ctx.walkthrough_shown.get_untracked() {
        return;
    }
    publish(ctx);
    ctx.walkthrough_shown.set(true);
}

/// Shows the steps recorded so far and keeps them across the next redirect.
pub fn publish(ctx: AuthCtx) {
    ctx.trace.notify();
    persist(ctx);
}

fn persist(ctx: AuthCtx) {
    #[cfg(feature = "walkthrough")]
    ctx.trace.with_untracked(|entries| {
        let _ = storage::set(TRACE_KEY, &crate::oauth::trace::trace_to_json(entries));
    });
    #[cfg(not(feature = "walkthrough"))]
    let _ = ctx;
}

/// A new login starts a new trace.
pub fn restart(ctx: AuthCtx) {
    ctx.trace.set(Vec::new());
    storage::remove(TRACE_KEY);
}

pub fn load(ctx: AuthCtx) {
    #[cfg(feature = "walkthrough")]
    if let Some(json) = storage::get(TRACE_KEY) {
        ctx.trace.set(crate::oauth::trace::trace_from_json(&json));
    }
    #[cfg(not(feature = "walkthrough"))]
    let _ = ctx;
}

/// On logout: the page keeps showing it, but nothing stays in storage.
pub fn forget_persisted() {
    storage::remove(TRACE_KEY);
}

/// Mark where the flow stopped: on the entry of that step if it was just
/// recorded (e.g. the token response that carried the error), else a new one.
pub fn record_failure(ctx: AuthCtx, step: Step, code: String, message: String, at_ms: f64) {
    let label = format!("refused: {code}");
    let amended = ctx.trace.try_update(|entries| match entries.last_mut() {
        Some(last) if last.step == step && last.error.is_none() => {
            last.error = Some(code.clone());
            last.checks.push(TraceCheck { label: label.clone(), passed: false, detail: message.clone() });
            true
        }
        _ => false,
    });
    if amended == Some(true) {
        persist(ctx);
    } else {
        record(ctx, TraceEntry::new(step, at_ms).check(&label, false, message).failed(code));
    }
}

//! The flow's trace (feature `trace`): what each step sent and received, with
//! secrets masked, for a walkthrough. Kept in memory, and in sessionStorage
//! across the redirect to the provider. Without the feature none of this is
//! compiled, and the flow records nothing.

use leptos::prelude::*;
use pixie_core::trace::{
    push_bounded, trace_from_json, trace_to_json, Step, TraceCheck, TraceEntry, TRACE_NAME,
};

use crate::browser::storage;
use crate::Auth;

#[derive(Clone, Copy)]
pub(crate) struct TraceState {
    entries: RwSignal<Vec<TraceEntry>>,
    /// False while a callback is handled: the trace is published once the
    /// signed-in view (and userinfo) are drawn, so the exchange never waits for it.
    published: RwSignal<bool>,
    /// The query of the callback this page handled, for the attack lab. Memory only.
    pub(crate) last_callback_query: RwSignal<Option<String>>,
}

impl TraceState {
    pub(crate) fn new() -> Self {
        Self {
            entries: RwSignal::new(Vec::new()),
            published: RwSignal::new(true),
            last_callback_query: RwSignal::new(None),
        }
    }
}

fn key(auth: Auth) -> Option<String> {
    let prefix = auth.provider.with_untracked(|p| p.as_ref().map(|p| p.config.storage_key_prefix.clone()))?;
    Some(format!("{prefix}{TRACE_NAME}"))
}

/// Record a step and show it.
pub(crate) fn record(auth: Auth, entry: TraceEntry) {
    record_quietly(auth, entry);
    publish(auth);
}

/// Add a step without redrawing or storing: the callback records several on
/// its critical path and publishes them once, after sign-in.
pub(crate) fn record_quietly(auth: Auth, entry: TraceEntry) {
    auth.trace.entries.update_untracked(|entries| push_bounded(entries, entry));
}

/// Show the steps recorded so far and keep them across the next redirect.
pub(crate) fn publish(auth: Auth) {
    auth.trace.entries.notify();
    persist(auth);
}

/// While a callback is handled, the walkthrough waits.
pub(crate) fn hold(auth: Auth) {
    auth.trace.published.set(false);
}

/// After a callback: publish every step recorded so far, once.
pub(crate) fn release(auth: Auth) {
    if auth.trace.published.get_untracked() {
        return;
    }
    publish(auth);
    auth.trace.published.set(true);
}

fn persist(auth: Auth) {
    let Some(key) = key(auth) else { return };
    auth.trace.entries.with_untracked(|entries| {
        let _ = storage::set(&key, &trace_to_json(entries));
    });
}

/// A new login starts a new trace.
pub(crate) fn restart(auth: Auth) {
    auth.trace.entries.set(Vec::new());
    if let Some(key) = key(auth) {
        storage::remove(&key);
    }
}

/// The trace kept across the redirect, once the prefix is known.
pub(crate) fn load(auth: Auth, prefix: &str) {
    if let Some(json) = storage::get(&format!("{prefix}{TRACE_NAME}")) {
        let mut entries = auth.trace.entries.get_untracked();
        // Entries recorded before the provider loaded (this page's callback) come after the stored ones.
        let mut stored = trace_from_json(&json);
        stored.append(&mut entries);
        let mut bounded = Vec::new();
        for entry in stored {
            push_bounded(&mut bounded, entry);
        }
        auth.trace.entries.set(bounded);
    }
}

/// On logout: the page keeps showing it, but nothing stays in storage.
pub(crate) fn forget_persisted(auth: Auth) {
    if let Some(key) = key(auth) {
        storage::remove(&key);
    }
}

/// Mark where the flow stopped: on the entry of that step if it was just
/// recorded (e.g. the token response that carried the error), else a new one.
pub(crate) fn record_failure(auth: Auth, step: Step, code: String, message: String, at_ms: f64) {
    let label = format!("refused: {code}");
    let amended = auth.trace.entries.try_update(|entries| match entries.last_mut() {
        Some(last) if last.step == step && last.error.is_none() => {
            last.error = Some(code.clone());
            last.checks.push(TraceCheck { label: label.clone(), passed: false, detail: message.clone() });
            true
        }
        _ => false,
    });
    if amended == Some(true) {
        persist(auth);
    } else {
        record(auth, TraceEntry::new(step, at_ms).check(&label, false, message).failed(code));
    }
}

impl Auth {
    /// The flow's trace, step by step, as it ran in this tab (feature `trace`).
    /// Values are masked; the spent verifier is shown in full.
    pub fn trace(&self) -> ReadSignal<Vec<TraceEntry>> {
        self.trace.entries.read_only()
    }

    /// False while this page is handling a callback: its steps appear at once when it is done.
    pub fn trace_published(&self) -> bool {
        self.trace.published.get()
    }

    /// The query of the callback this page handled, while signed in from it
    /// (memory only; feature `trace`, for an attack lab).
    pub fn last_callback_query(&self) -> Option<String> {
        self.trace.last_callback_query.get()
    }

    /// For an attack lab (feature `trace`): open the callback path with a
    /// forged query. `forge` gets the real callback's query, the issuer, a
    /// state with a real pending login behind it (when `needs_pending_login`,
    /// as if Log in had been pressed without leaving) and a state with none,
    /// and returns the query to open; the flow then meets it as any callback.
    pub fn forge_callback(
        &self,
        needs_pending_login: bool,
        forge: impl FnOnce(ForgeInputs<'_>) -> Option<String>,
    ) {
        crate::flow::forge_callback(*self, needs_pending_login, forge);
    }
}

/// What [`Auth::forge_callback`] hands to the forger.
pub struct ForgeInputs<'a> {
    /// The query of the callback this page handled (`?code=…&state=…&iss=…`).
    pub original_query: &'a str,
    /// The configured issuer.
    pub issuer: &'a str,
    /// A state with a real pending login behind it.
    pub pending_state: &'a pixie_core::secret::State,
    /// A state no login was started with.
    pub unknown_state: &'a pixie_core::secret::State,
}

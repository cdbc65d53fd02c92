use std::sync::Arc;

use leptos::prelude::*;

use crate::oauth::trace::TraceEntry;

use super::state::{ApiState, AuthState, Notice, Provider, RefreshStatus, UserinfoState};

/// Everything the components read about the login, provided once by `App`.
#[derive(Clone, Copy)]
pub struct AuthCtx {
    pub state: RwSignal<AuthState>,
    /// `None` until config.json and discovery have loaded.
    pub provider: RwSignal<Option<Arc<Provider>>>,
    pub userinfo: RwSignal<UserinfoState>,
    pub notice: RwSignal<Option<Notice>>,
    pub refresh: RwSignal<RefreshStatus>,
    /// Refreshes this tab performed or adopted from another tab.
    pub refresh_count: RwSignal<u32>,
    pub api: RwSignal<ApiState>,
    /// A `prompt=none` resume is under way.
    pub resuming: RwSignal<bool>,
    /// What the flow did, step by step, for the walkthrough.
    pub trace: RwSignal<Vec<TraceEntry>>,
    /// The query of the callback this page handled, for the attack lab. Memory only.
    pub last_callback_query: RwSignal<Option<String>>,
    /// False while a callback is being handled: the walkthrough is drawn once the
    /// result has, so the token exchange and the signed-in view never wait for it.
    pub walkthrough_shown: RwSignal<bool>,
}

pub fn provide_auth(initial: AuthState) -> AuthCtx {
    let walkthrough_shown = !matches!(initial, AuthState::Exchanging);
    let ctx = AuthCtx {
        state: RwSignal::new(initial),
        provider: RwSignal::new(None),
        userinfo: RwSignal::new(UserinfoState::NotAvailable),
        notice: RwSignal::new(None),
        refresh: RwSignal::new(RefreshStatus::Idle),
        refresh_count: RwSignal::new(0),
        api: RwSignal::new(ApiState::Idle),
        resuming: RwSignal::new(false),
        trace: RwSignal::new(Vec::new()),
        last_callback_query: RwSignal::new(None),
        walkthrough_shown: RwSignal::new(walkthrough_shown),
    };
    provide_context(ctx);
    ctx
}

pub fn try_use_auth() -> Option<AuthCtx> {
    use_context::<AuthCtx>()
}

pub fn use_auth() -> AuthCtx {
    try_use_auth().expect("use_auth() called outside <App/>, which provides AuthCtx")
}

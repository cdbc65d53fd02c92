//! The life of a session after login: keeping it (memory or sessionStorage),
//! resuming it after a reload, refreshing it (timer, button, other tabs),
//! calling APIs with it, and ending it.

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::context::AuthCtx;
use super::flow::{begin_silent_resume, verify_id_token_signature};
use super::state::{ApiState, AuthState, Notice, Provider, RefreshStatus, Session, UserinfoState};
use super::trace;
use crate::browser::broadcast::Channel;
use crate::browser::{clock, fetch, locks, navigation, random, storage};
use crate::oauth::api::{bearer_request, token_rejected};
use crate::oauth::config::TokenStorage;
use crate::oauth::error::FlowError;
use crate::oauth::http::{HttpRequest, HttpResponse};
use crate::oauth::id_token::{
    restore_validated_id_token, validate_refreshed_id_token, DEFAULT_CLOCK_SKEW_SECS,
};
use crate::oauth::json::{Json, Object};
use crate::oauth::logout::{
    check_logout_return, end_session_url, revocation_request, LogoutReturn, LOGOUT_STATE_KEY,
};
use crate::oauth::pkce::state_from_random;
use crate::oauth::refresh::{refresh_delay_ms, refresh_request, retry_delay_ms};
use crate::oauth::secret::AccessToken;
use crate::oauth::session_record::{SessionRecord, RESUME_HINT_KEY, SESSION_KEY};
use crate::oauth::token::{parse_token_response, OAuthErrorCode, TokenError};
use crate::oauth::trace::{Step, TraceEntry};

/// Origin-wide Web Lock around every refresh: with rotation, two tabs sending
/// the same refresh token would make the provider revoke the whole grant.
const REFRESH_LOCK: &str = "pixie-refresh";

thread_local! {
    static REFRESH_TIMER: RefCell<Option<TimeoutHandle>> = const { RefCell::new(None) };
    static RETRY_ATTEMPT: Cell<u32> = const { Cell::new(0) };
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

/// What tabs tell each other over the BroadcastChannel, as
/// `{"type": "tokens" | "logout" | "session_ended", …}`.
enum TabMessage {
    /// New tokens for `session_id` (the record's JSON).
    Tokens { record: String },
    /// Log out pressed: every tab follows.
    Logout,
    /// The provider refused this session's refresh token: its tabs are signed out.
    SessionEnded { session_id: String },
}

impl TabMessage {
    fn to_json(&self) -> String {
        let message = match self {
            Self::Tokens { record } => Object::new().with("type", "tokens").with("record", record.as_str()),
            Self::Logout => Object::new().with("type", "logout"),
            Self::SessionEnded { session_id } => {
                Object::new().with("type", "session_ended").with("session_id", session_id.as_str())
            }
        };
        message.to_json_string()
    }

    /// `None` for anything else: other tabs, or other code, may post anything.
    fn from_json(text: &str) -> Option<Self> {
        let message = Json::parse_object(text).ok()?;
        let field = |name| message.str(name).ok().map(str::to_owned);
        match message.str("type").ok()? {
            "tokens" => Some(Self::Tokens { record: field("record")? }),
            "logout" => Some(Self::Logout),
            "session_ended" => Some(Self::SessionEnded { session_id: field("session_id")? }),
            _ => None,
        }
    }
}

fn broadcast(message: &TabMessage) {
    let text = message.to_json();
    CHANNEL.with(|channel| channel.borrow().as_ref().map(|c| c.post(&text)));
}

pub fn listen_to_other_tabs(ctx: AuthCtx) {
    let channel = Channel::open(move |text| match TabMessage::from_json(&text) {
        Some(TabMessage::Tokens { record }) => adopt_from_other_tab(ctx, &record),
        Some(TabMessage::Logout) if current_session(ctx).is_some() => {
            forget_locally(ctx);
            ctx.state.set(AuthState::SignedOut);
            ctx.notice.set(Some(Notice::SignedOutElsewhere));
        }
        // Tabs with their own grant (memory mode) keep their session.
        Some(TabMessage::SessionEnded { session_id })
            if current_session(ctx).is_some_and(|session| session.id == session_id) =>
        {
            forget_locally(ctx);
            ctx.state.set(AuthState::SignedOut);
            ctx.notice.set(Some(Notice::SessionEnded));
        }
        _ => {}
    });
    CHANNEL.with(|slot| *slot.borrow_mut() = channel);
}

fn current_session(ctx: AuthCtx) -> Option<Arc<Session>> {
    match ctx.state.get_untracked() {
        AuthState::SignedIn(session) => Some(session),
        _ => None,
    }
}

fn to_record(session: &Session) -> SessionRecord {
    SessionRecord {
        session_id: session.id.clone(),
        generation: session.generation,
        access_token: session.access_token.clone(),
        refresh_token: session.refresh_token.clone(),
        id_token: session.id_token.clone(),
        signature: session.id_token_claims.signature.clone(),
        received_at_ms: session.received_at_ms,
        expires_at_ms: session.access_token_expires_at_ms,
        scope: session.scope.clone(),
    }
}

fn from_record(record: SessionRecord) -> Option<Session> {
    let claims = restore_validated_id_token(&record.id_token, record.signature).ok()?;
    Some(Session {
        id: record.session_id,
        generation: record.generation,
        received_at_ms: record.received_at_ms,
        access_token: record.access_token,
        refresh_token: record.refresh_token,
        id_token: record.id_token,
        id_token_claims: claims,
        access_token_expires_at_ms: record.expires_at_ms,
        scope: record.scope,
    })
}

/// Sign in with `session`: publish it, keep it as configured, and plan its refresh.
pub fn establish(ctx: AuthCtx, session: Session, provider: &Provider) {
    match provider.config.token_storage {
        TokenStorage::Session => {
            let _ = storage::set(SESSION_KEY, &to_record(&session).to_json());
        }
        TokenStorage::Memory => {
            let _ = storage::set(RESUME_HINT_KEY, "1");
        }
    }
    ctx.state.set(AuthState::SignedIn(Arc::new(session)));
    schedule_refresh(ctx, provider);
}

/// At start on `/`: a logout return, stored tokens, or a resume. True when
/// signed in from storage (the caller then loads userinfo).
pub fn restore_at_start(ctx: AuthCtx, provider: &Provider, query: &str) -> bool {
    let expected_state = storage::get(LOGOUT_STATE_KEY);
    match check_logout_return(query, expected_state.as_deref()) {
        LogoutReturn::NotALogoutReturn => {}
        outcome => {
            storage::remove(LOGOUT_STATE_KEY);
            navigation::replace_url("/");
            ctx.notice.set(Some(if outcome == LogoutReturn::Confirmed {
                Notice::SignedOutAtProvider
            } else {
                Notice::LogoutStateMismatch
            }));
            return false;
        }
    }
    match provider.config.token_storage {
        TokenStorage::Session => {
            let Some(session) = storage::get(SESSION_KEY)
                .and_then(|json| SessionRecord::from_json(&json))
                .and_then(from_record)
            else {
                storage::remove(SESSION_KEY);
                return false;
            };
            establish(ctx, session, provider);
            navigation::mark_after_render("app:signed-in");
            true
        }
        TokenStorage::Memory => {
            // The hint is taken, so a failed resume cannot loop.
            if storage::get(RESUME_HINT_KEY).is_some() {
                storage::remove(RESUME_HINT_KEY);
                if provider.config.resume_on_reload {
                    begin_silent_resume(ctx);
                }
            }
            false
        }
    }
}

fn cancel_refresh_timer() {
    REFRESH_TIMER.with(|timer| {
        if let Some(handle) = timer.borrow_mut().take() {
            handle.clear();
        }
    });
}

fn schedule_in(ctx: AuthCtx, delay_ms: f64) {
    cancel_refresh_timer();
    let delay = Duration::from_millis(delay_ms.max(0.0) as u64);
    if let Ok(handle) = set_timeout_with_handle(move || spawn_local(refresh_quietly(ctx)), delay) {
        REFRESH_TIMER.with(|timer| *timer.borrow_mut() = Some(handle));
    }
}

fn schedule_refresh(ctx: AuthCtx, provider: &Provider) {
    let Some(session) = current_session(ctx) else { return };
    let (Some(expires_at), Some(_)) = (session.access_token_expires_at_ms, &session.refresh_token) else {
        return cancel_refresh_timer();
    };
    let margin = provider.config.refresh_margin_secs;
    schedule_in(ctx, refresh_delay_ms(session.received_at_ms, expires_at, margin, clock::now_ms()));
}

async fn refresh_quietly(ctx: AuthCtx) {
    let _ = refresh(ctx).await;
}

/// Refresh now (timer, button, or a 401). Serialised across tabs; a tab that
/// finds the session already refreshed by another tab adopts those tokens.
pub async fn refresh(ctx: AuthCtx) -> Result<(), FlowError> {
    let (Some(provider), Some(session)) = (ctx.provider.get_untracked(), current_session(ctx)) else {
        return Ok(());
    };
    ctx.refresh.set(RefreshStatus::Refreshing);
    let generation = session.generation;
    let locked_provider = provider.clone();
    let result =
        locks::with_lock(REFRESH_LOCK, move || refresh_holding_lock(ctx, locked_provider, generation)).await;
    match &result {
        Ok(()) => {
            RETRY_ATTEMPT.set(0);
            ctx.refresh.set(RefreshStatus::Idle);
        }
        Err(FlowError::Token(TokenError::OAuth { code: OAuthErrorCode::InvalidGrant, .. })) => {
            broadcast(&TabMessage::SessionEnded { session_id: session.id.clone() });
            forget_locally(ctx);
            ctx.state.set(AuthState::SignedOut);
            ctx.notice.set(Some(Notice::SessionEnded));
        }
        Err(error @ FlowError::Network { .. }) => {
            let attempt = RETRY_ATTEMPT.get();
            RETRY_ATTEMPT.set(attempt + 1);
            ctx.refresh.set(RefreshStatus::Retrying { attempt: attempt + 1, error: error.clone() });
            schedule_in(ctx, retry_delay_ms(attempt));
        }
        Err(error) => ctx.refresh.set(RefreshStatus::Failed(error.clone())),
    }
    result
}

async fn refresh_holding_lock(
    ctx: AuthCtx,
    provider: Arc<Provider>,
    generation: u32,
) -> Result<(), FlowError> {
    let Some(current) = current_session(ctx) else { return Ok(()) };
    if current.generation != generation {
        return Ok(()); // Another tab refreshed while we waited, and we adopted its tokens.
    }
    let Some(refresh_token) = current.refresh_token.clone() else {
        return Err(FlowError::NoRefreshToken);
    };
    let (config, metadata) = (&provider.config, &provider.metadata);
    let request = refresh_request(&refresh_token, &config.client_id, &metadata.token_endpoint);
    let received_at_ms = clock::now_ms();
    let entry = TraceEntry::new(Step::Refresh, received_at_ms).request(&request);
    let response = match fetch::send(&request).await {
        Ok(response) => response,
        Err(e) => {
            let error = FlowError::Network { during: "the token refresh", detail: e.0 };
            trace::record(ctx, entry.failed(error.code()));
            return Err(error);
        }
    };
    trace::record(ctx, entry.response(&response, clock::now_ms()));
    let tokens = parse_token_response(&response)?;

    // OIDC Core §12.2: a new ID token must describe the same login.
    let (id_token, id_token_claims) = match tokens.id_token {
        Some(new_token) => {
            let signature =
                verify_id_token_signature(metadata, &new_token, super::flow::fetch_jwks(metadata).await)
                    .await?;
            let claims = validate_refreshed_id_token(
                &new_token,
                signature,
                &current.id_token_claims,
                &config.client_id,
                clock::now_secs(),
                DEFAULT_CLOCK_SKEW_SECS,
            )?;
            (new_token, claims)
        }
        None => (current.id_token.clone(), current.id_token_claims.clone()),
    };
    let session = Session {
        id: current.id.clone(),
        generation: current.generation + 1,
        received_at_ms,
        access_token: tokens.access_token,
        // Rotation: the new refresh token replaces the old one, which is never sent again.
        refresh_token: tokens.refresh_token.or(current.refresh_token.clone()),
        id_token,
        id_token_claims,
        access_token_expires_at_ms: tokens.expires_in.map(|secs| received_at_ms + secs as f64 * 1000.0),
        scope: tokens.scope.or(current.scope.clone()),
    };
    // Tell the other tabs before the lock is released, so the next holder sees it.
    broadcast(&TabMessage::Tokens { record: to_record(&session).to_json() });
    establish(ctx, session, &provider);
    ctx.refresh_count.update(|n| *n += 1);
    navigation::mark("app:refreshed");
    Ok(())
}

fn adopt_from_other_tab(ctx: AuthCtx, record_json: &str) {
    let (Some(provider), Some(current)) = (ctx.provider.get_untracked(), current_session(ctx)) else {
        return;
    };
    let Some(record) = SessionRecord::from_json(record_json) else { return };
    if record.session_id != current.id || record.generation <= current.generation {
        return;
    }
    if let Some(session) = from_record(record) {
        establish(ctx, session, &provider);
        ctx.refresh_count.update(|n| *n += 1);
        ctx.refresh.set(RefreshStatus::Idle);
        navigation::mark("app:refreshed");
    }
}

/// Send a request with the access token; on a 401, refresh once and retry once.
pub async fn authorized_fetch(
    ctx: AuthCtx,
    step: Step,
    during: &'static str,
    build: impl Fn(&AccessToken) -> HttpRequest,
) -> Result<HttpResponse, FlowError> {
    let send = |session: Arc<Session>| {
        let request = build(&session.access_token);
        async move {
            let started_at = clock::now_ms();
            let result = fetch::send(&request).await.map_err(|e| FlowError::Network { during, detail: e.0 });
            let entry = TraceEntry::new(step, started_at).request(&request);
            trace::record(
                ctx,
                match &result {
                    Ok(response) => entry.response(response, clock::now_ms()),
                    Err(error) => entry.failed(error.code()),
                },
            );
            result
        }
    };
    let session = current_session(ctx).ok_or(FlowError::NotSignedIn)?;
    let response = send(session).await?;
    if !token_rejected(&response) {
        return Ok(response);
    }
    refresh(ctx).await?;
    send(current_session(ctx).ok_or(FlowError::NotSignedIn)?).await
}

/// The "Call API" button.
pub async fn call_api(ctx: AuthCtx) {
    let Some(url) = ctx.provider.get_untracked().and_then(|p| p.config.api_url.clone()) else { return };
    ctx.api.set(ApiState::Loading);
    let result =
        authorized_fetch(ctx, Step::ApiCall, "the API call", move |token| bearer_request("GET", &url, token))
            .await;
    ctx.api.set(match result {
        Ok(response) => ApiState::Loaded { status: response.status, body: pretty_json(&response.body) },
        Err(error) => ApiState::Failed(error),
    });
}

fn pretty_json(body: &str) -> String {
    Json::parse(body).map(|value| value.to_pretty()).unwrap_or_else(|_| body.to_owned())
}

/// Forget every token in this tab (memory, storage, timers, views).
fn forget_locally(ctx: AuthCtx) {
    cancel_refresh_timer();
    RETRY_ATTEMPT.set(0);
    storage::remove(SESSION_KEY);
    storage::remove(RESUME_HINT_KEY);
    ctx.userinfo.set(UserinfoState::NotAvailable);
    ctx.api.set(ApiState::Idle);
    ctx.refresh.set(RefreshStatus::Idle);
}

fn end_everywhere(ctx: AuthCtx) {
    broadcast(&TabMessage::Logout);
    forget_locally(ctx);
    ctx.state.set(AuthState::SignedOut);
}

/// Log out: revoke the refresh token (RFC 7009), sign out every tab, then end
/// the provider's session (RP-Initiated Logout) or say that it could not be.
pub async fn logout(ctx: AuthCtx) {
    ctx.notice.set(None);
    let (Some(provider), Some(session)) = (ctx.provider.get_untracked(), current_session(ctx)) else {
        return end_everywhere(ctx);
    };
    let (config, metadata) = (&provider.config, &provider.metadata);
    if let (Some(endpoint), Some(refresh_token)) = (&metadata.revocation_endpoint, &session.refresh_token) {
        let request = revocation_request(endpoint, refresh_token, &config.client_id);
        let entry = TraceEntry::new(Step::Logout, clock::now_ms()).request(&request);
        // Best effort: the local logout goes ahead even if the provider is unreachable.
        trace::record(
            ctx,
            match fetch::send(&request).await {
                Ok(response) => entry.response(&response, clock::now_ms()),
                Err(e) => entry.failed(FlowError::Network { during: "revocation", detail: e.0 }.code()),
            },
        );
    }
    // The page still shows the trace; storage keeps nothing of it.
    trace::forget_persisted();
    end_everywhere(ctx);

    let Some(endpoint) = &metadata.end_session_endpoint else {
        ctx.notice.set(Some(Notice::SignedOutLocally));
        return;
    };
    let Ok(randomness) = random::login_randomness() else {
        ctx.notice.set(Some(Notice::SignedOutLocally));
        return;
    };
    let state = state_from_random(randomness.state);
    if storage::set(LOGOUT_STATE_KEY, state.secret()).is_err() {
        ctx.notice.set(Some(Notice::SignedOutLocally));
        return;
    }
    let url = end_session_url(
        endpoint,
        &session.id_token,
        &config.client_id,
        &config.post_logout_redirect_uri,
        &state,
    );
    ctx.state.set(AuthState::Redirecting);
    if navigation::assign(&url).is_err() {
        ctx.state.set(AuthState::SignedOut);
        ctx.notice.set(Some(Notice::SignedOutLocally));
    }
}

pub fn logout_clicked(ctx: AuthCtx) {
    spawn_local(logout(ctx));
}

pub fn refresh_clicked(ctx: AuthCtx) {
    spawn_local(refresh_quietly(ctx));
}

pub fn call_api_clicked(ctx: AuthCtx) {
    spawn_local(call_api(ctx));
}

/// "Start over": forget this tab's tokens, trace and notices, back to a clean start.
pub fn start_over(ctx: AuthCtx) {
    forget_locally(ctx);
    trace::restart(ctx);
    ctx.notice.set(None);
    ctx.last_callback_query.set(None);
    navigation::replace_url("/");
    ctx.state.set(AuthState::SignedOut);
}

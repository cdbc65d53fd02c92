//! The life of a session after login: keeping it (memory or sessionStorage),
//! resuming it after a reload, refreshing it (timer, button, other tabs),
//! calling APIs with it, and ending it. The decisions are `pixie_core::session`'s.
//!
//! Every tab of the origin can read two non-secret markers in localStorage: a
//! session's newest generation (with whether it ended), and when Log out was
//! last pressed. A stale copy of a tab (reopened with Ctrl+Shift+T, reloaded
//! after a discard, back from the back-forward cache) checks them, under the
//! refresh lock, before it restores or refreshes, and asks the live tabs for
//! the newest record instead of replaying a rotated refresh token.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pixie_core::api::{token_rejected, with_bearer};
use pixie_core::config::{ClientConfig, TokenStorage};
use pixie_core::dpop::{token_binding, TokenBinding};
use pixie_core::http::{HttpRequest, HttpResponse};
use pixie_core::id_token::{validate_refreshed_id_token, DEFAULT_CLOCK_SKEW_SECS};
use pixie_core::logout::{check_logout_return, logout_redirect, revocation_request, LOGOUT_STATE_NAME};
use pixie_core::pkce::state_from_random;
use pixie_core::presets::is_session_lifetime_over;
use pixie_core::provider::Provider;
use pixie_core::refresh::{refresh_delay_ms, refresh_request, throttled_delay_ms, timer_step, TimerStep};
use pixie_core::secret::RefreshToken;
use pixie_core::session::{
    freshness, on_tab_message, refresh_failure, should_adopt, Freshness, Receiver, RefreshFailure,
    ResumeHint, Session, SessionMarker, TabAction, TabMessage, LOGGED_OUT_AT_NAME, MARKER_NAME_PREFIX,
    RESUME_HINT_NAME, SESSION_NAME,
};
use pixie_core::startup::{page_start, KeptState, PageStart};
use pixie_core::token::parse_token_response;
use pixie_core::userinfo::{parse_userinfo_response, userinfo_request};
use pixie_core::AuthError;

use crate::browser::broadcast::Channel;
use crate::browser::storage::shared;
use crate::browser::{clock, fetch, locks, navigation, random, storage};
use crate::events::AuthEvent;
use crate::keys::{fetch_jwks, verify_id_token_signature};
use crate::state::{AuthState, Notice, RefreshStatus, UserinfoState};
use crate::Auth;

/// How long a stale tab waits for a live one to send the newest record.
const CATCH_UP_WAIT_MS: u32 = 1_000;

/// What an authorized request is for: the trace names its step after it.
#[derive(Clone, Copy)]
pub(crate) enum FetchPurpose {
    Userinfo,
    Api,
}

/// The origin-wide Web Lock around every refresh: with rotation, two tabs
/// sending the same refresh token would make the provider revoke the grant.
fn lock_name(config: &ClientConfig) -> String {
    format!("{}-refresh", config.channel_name())
}

fn broadcast(auth: Auth, message: &TabMessage) {
    let text = message.to_json();
    auth.rt(|rt| rt.channel.borrow().as_ref().map(|channel| channel.post(&text)));
}

// ----- the markers every tab can read ---------------------------------------

fn marker_key(config: &ClientConfig, session_id: &str) -> String {
    config.storage_key(&format!("{MARKER_NAME_PREFIX}{session_id}"))
}

fn read_marker(config: &ClientConfig, session_id: &str) -> Option<SessionMarker> {
    SessionMarker::from_json(&shared::get(&marker_key(config, session_id))?)
}

/// Record `session` as the newest of its session (sessionStorage mode, where
/// tabs share a session); never lowers a generation another tab reached.
fn mark_generation(config: &ClientConfig, session: &Session) {
    if config.token_storage != TokenStorage::Session {
        return;
    }
    let newest =
        read_marker(config, &session.id).map_or(0, |marker| marker.generation).max(session.generation);
    let marker = SessionMarker { generation: newest, ended: false, at_ms: clock::now_ms() };
    shared::set(&marker_key(config, &session.id), &marker.to_json());
}

fn mark_ended(config: &ClientConfig, session: &Session) {
    if config.token_storage != TokenStorage::Session {
        return;
    }
    let marker = SessionMarker { generation: session.generation, ended: true, at_ms: clock::now_ms() };
    shared::set(&marker_key(config, &session.id), &marker.to_json());
}

fn logged_out_at(config: &ClientConfig) -> Option<f64> {
    shared::get(&config.storage_key(LOGGED_OUT_AT_NAME))?.parse::<u64>().ok().map(|ms| ms as f64)
}

/// Markers of sessions nobody touched for a month go.
fn prune_markers(config: &ClientConfig) {
    let now = clock::now_ms();
    for key in shared::keys_with(&config.storage_key(MARKER_NAME_PREFIX)) {
        let stale = shared::get(&key)
            .and_then(|json| SessionMarker::from_json(&json))
            .is_none_or(|marker| now - marker.at_ms > SessionMarker::KEPT_FOR_MS);
        if stale {
            shared::remove(&key);
        }
    }
}

fn freshness_of(config: &ClientConfig, session: &Session) -> Freshness {
    freshness(session, read_marker(config, &session.id).as_ref(), logged_out_at(config))
}

// ----- the tab channel ------------------------------------------------------

/// Opens the tab channel. The messages are handled in the signed-in part
/// ([`handle_tab_message`], through `crate::parts`), in the order they came.
pub(crate) fn listen_to_other_tabs(auth: Auth, config: &ClientConfig) {
    let channel = Channel::open(config.channel_name(), move |text| {
        spawn_local(crate::parts::on_tab_message(auth, text));
    });
    auth.rt(|rt| *rt.channel.borrow_mut() = channel);
}

/// Other sessions' old markers go (see [`prune_markers`]).
pub(crate) fn housekeeping(auth: Auth) {
    if let Some(provider) = auth.provider.get_untracked() {
        prune_markers(&provider.config);
    }
}

/// What another tab said.
pub(crate) fn handle_tab_message(auth: Auth, text: &str) {
    let Some(provider) = auth.provider.get_untracked() else { return };
    let config = &provider.config;
    let Some(message) = TabMessage::from_json(text) else { return };
    let client_id = &config.client_id;
    // A stale copy catching up takes the newest record as a signed-in tab would.
    let wanted = auth.rt(|rt| rt.catching_up.borrow().clone()).flatten();
    if let (Some(wanted), TabMessage::Refreshed { record }) = (&wanted, &message) {
        if let Some(incoming) = Session::from_json(record).filter(|s| should_adopt(wanted, s, client_id)) {
            auth.rt(|rt| *rt.caught_up.borrow_mut() = Some(incoming));
        }
        return;
    }
    let current = auth.session_untracked();
    let shares_tokens = config.token_storage == TokenStorage::Session;
    let receiver = Receiver { current: current.as_deref(), shares_tokens, client_id };
    match on_tab_message(message, receiver) {
        TabAction::Ignore => {}
        TabAction::Adopt(session) => adopt(auth, *session),
        TabAction::SendLatest => {
            if let Some(session) = &current {
                broadcast(auth, &TabMessage::Refreshed { record: session.to_json() });
            }
        }
        TabAction::SignOutElsewhere => sign_out_here(auth, Notice::SignedOutElsewhere, AuthEvent::SignedOut),
        TabAction::SessionEnded => sign_out_here(auth, Notice::SessionEnded, AuthEvent::SessionEnded),
    }
}

/// Signed out in this tab only, with `notice`.
pub(crate) fn sign_out_here(auth: Auth, notice: Notice, event: AuthEvent) {
    forget_locally(auth);
    auth.state.set(AuthState::SignedOut);
    auth.notice.set(Some(notice));
    auth.emit(event);
}

/// A stale copy of `session` asks the live tabs for the newest record and
/// waits a moment for it. `None`: no live tab has it.
async fn catch_up(auth: Auth, session: &Session) -> Option<Session> {
    auth.rt(|rt| {
        *rt.catching_up.borrow_mut() = Some(session.clone());
        *rt.caught_up.borrow_mut() = None;
    });
    broadcast(
        auth,
        &TabMessage::LatestWanted { session_id: session.id.clone(), generation: session.generation },
    );
    let mut waited = 0;
    let newest = loop {
        if let Some(newest) = auth.rt(|rt| rt.caught_up.borrow_mut().take()).flatten() {
            break Some(newest);
        }
        if waited >= CATCH_UP_WAIT_MS {
            break None;
        }
        navigation::sleep_ms(50).await;
        waited += 50;
    };
    auth.rt(|rt| *rt.catching_up.borrow_mut() = None);
    newest
}

// ----- signing in -------------------------------------------------------------

/// Sign in with `session`: publish it, keep it as configured, and plan its refresh.
pub(crate) fn establish(auth: Auth, session: Session, provider: &Provider) {
    let config = &provider.config;
    match config.token_storage {
        TokenStorage::Session => {
            let _ = storage::set(&config.storage_key(SESSION_NAME), &session.to_json());
            mark_generation(config, &session);
        }
        TokenStorage::Memory => {
            let hint = ResumeHint { sub: session.sub().to_owned(), signed_in_at_ms: session.signed_in_at_ms };
            let _ = storage::set(&config.storage_key(RESUME_HINT_NAME), &hint.to_json());
        }
    }
    let first = !matches!(auth.state.get_untracked(), AuthState::SignedIn(_));
    auth.last_error.set(None);
    auth.state.set(AuthState::SignedIn(Arc::new(session)));
    schedule_refresh(auth, provider);
    if first {
        auth.emit(AuthEvent::SignedIn);
    }
}

/// What a page's start found.
#[derive(Clone, PartialEq)]
pub(crate) enum Restored {
    /// Signed in from this tab's storage: the caller loads userinfo.
    SignedIn,
    /// This tab was signed in before the reload: the caller resumes with `prompt=none`, for this user.
    Resume(ResumeHint),
    /// Signed out (after a logout return, perhaps).
    Nothing,
}

/// At start on a page: a logout return, stored tokens (checked against the
/// markers, under the lock), or a resume (unless a Log out came since).
pub(crate) async fn restore_at_start(auth: Auth, provider: &Provider, query: &str) -> Restored {
    let config = &provider.config;
    let logout_key = config.storage_key(LOGOUT_STATE_NAME);
    let session_key = config.storage_key(SESSION_NAME);
    let resume_key = config.storage_key(RESUME_HINT_NAME);
    let stored = storage::get(&session_key)
        .and_then(|json| Session::from_json(&json))
        .filter(|session| session.is_for(&provider.metadata.issuer, &config.client_id));
    let hint = storage::get(&resume_key).and_then(|json| ResumeHint::from_json(&json));
    let kept = KeptState {
        logout: check_logout_return(query, storage::get(&logout_key).as_deref()),
        stored_session: stored.is_some(),
        resume_hint: hint.is_some(),
    };
    match page_start(kept, config.token_storage, config.resume_on_reload) {
        PageStart::LogoutReturn { confirmed } => {
            storage::remove(&logout_key);
            navigation::replace_url("/");
            auth.notice.set(Some(if confirmed {
                Notice::SignedOutAtProvider
            } else {
                Notice::LogoutStateMismatch
            }));
            Restored::Nothing
        }
        PageStart::RestoreSession => {
            let Some(stored) = stored else { return Restored::Nothing };
            let checked_config = config.clone();
            let checked = stored.clone();
            let verdict = locks::with_lock(&lock_name(config), move || async move {
                freshness_of(&checked_config, &checked)
            })
            .await;
            let session = match verdict {
                Freshness::Current => Some(stored),
                Freshness::Stale { .. } => catch_up(auth, &stored).await,
                Freshness::Ended => {
                    storage::remove(&session_key);
                    auth.notice.set(Some(Notice::SignedOutElsewhere));
                    return Restored::Nothing;
                }
            };
            match session {
                Some(session) => {
                    establish(auth, session, provider);
                    navigation::mark_after_render("app:signed-in");
                    Restored::SignedIn
                }
                None => {
                    storage::remove(&session_key);
                    auth.notice.set(Some(Notice::SessionMovedOn));
                    Restored::Nothing
                }
            }
        }
        PageStart::Resume => {
            // The hint is taken, so a failed resume cannot loop.
            storage::remove(&resume_key);
            match hint {
                Some(hint) if hint.may_resume(logged_out_at(config)) => Restored::Resume(hint),
                _ => {
                    auth.notice.set(Some(Notice::SignedOutElsewhere));
                    Restored::Nothing
                }
            }
        }
        PageStart::SignedOut => {
            if !kept.stored_session {
                storage::remove(&session_key);
            }
            storage::remove(&resume_key);
            Restored::Nothing
        }
    }
}

/// Back from the back-forward cache: the page's memory is as it was, but the
/// world may have moved on (a logout, a refresh in another tab).
/// (The back button from the provider is `flow`'s: it needs nothing of this part.)
pub(crate) fn on_page_restored(auth: Auth) {
    let (Some(provider), Some(session)) = (auth.provider.get_untracked(), auth.session_untracked()) else {
        return;
    };
    match freshness_of(&provider.config, &session) {
        Freshness::Current => {}
        Freshness::Ended => sign_out_here(auth, Notice::SignedOutElsewhere, AuthEvent::SignedOut),
        Freshness::Stale { .. } => spawn_local(async move {
            let _ = refresh(auth).await;
        }),
    }
}

// ----- refreshing -------------------------------------------------------------

fn cancel_refresh_timer(auth: Auth) {
    auth.rt(|rt| {
        if let Some(handle) = rt.refresh_timer.borrow_mut().take() {
            handle.clear();
        }
    });
}

/// Refresh in `delay_ms`, in timer-sized steps (a long-lived token's delay
/// overflows `setTimeout`).
fn schedule_in(auth: Auth, delay_ms: f64) {
    cancel_refresh_timer(auth);
    let (delay, refresh_when_fired) = match timer_step(delay_ms) {
        TimerStep::RefreshIn(ms) => (ms, true),
        TimerStep::CheckAgainIn(ms) => (ms, false),
    };
    let remaining = delay_ms - delay;
    let fire = move || {
        if refresh_when_fired {
            auth.rt(|rt| {
                let mut recent = rt.recent_refreshes.borrow_mut();
                recent.push(clock::now_ms());
                let excess = recent.len().saturating_sub(8);
                recent.drain(..excess);
            });
            spawn_local(refresh_quietly(auth));
        } else {
            schedule_in(auth, remaining);
        }
    };
    if let Ok(handle) = set_timeout_with_handle(fire, Duration::from_millis(delay as u64)) {
        auth.rt(|rt| *rt.refresh_timer.borrow_mut() = Some(handle));
    }
}

fn schedule_refresh(auth: Auth, provider: &Provider) {
    let Some(session) = auth.session_untracked() else { return };
    let (Some(expires_at), Some(_)) = (session.access_token_expires_at_ms, &session.refresh_token) else {
        return cancel_refresh_timer(auth);
    };
    let now = clock::now_ms();
    let delay =
        refresh_delay_ms(session.received_at_ms, expires_at, provider.config.refresh_margin_secs, now);
    let recent = auth.rt(|rt| rt.recent_refreshes.borrow().clone()).unwrap_or_default();
    schedule_in(auth, throttled_delay_ms(delay, &recent, now));
}

async fn refresh_quietly(auth: Auth) {
    let _ = refresh(auth).await;
}

/// Refresh now (timer, button, or a 401). Serialised across tabs; a tab that
/// finds the session already refreshed by another tab adopts those tokens.
pub(crate) async fn refresh(auth: Auth) -> Result<(), AuthError> {
    let (Some(provider), Some(session)) = (auth.provider.get_untracked(), auth.session_untracked()) else {
        return Ok(());
    };
    auth.refresh.set(RefreshStatus::Refreshing);
    let generation = session.generation;
    let epoch = auth.epoch();
    let locked_provider = provider.clone();
    let result = locks::with_lock(&lock_name(&provider.config), move || {
        refresh_holding_lock(auth, locked_provider, generation, epoch)
    })
    .await;
    if auth.epoch() != epoch {
        return Ok(()); // Signed out meanwhile: nothing to report.
    }
    match &result {
        Ok(()) => {
            auth.rt(|rt| rt.refresh_failures.set(0));
            auth.refresh.set(RefreshStatus::Idle);
        }
        Err(error) => {
            let failures = auth.rt(|rt| rt.refresh_failures.get()).unwrap_or(0);
            match refresh_failure(error, failures) {
                RefreshFailure::EndSession => {
                    mark_ended(&provider.config, &session);
                    let config = provider.config.clone();
                    spawn_local(async move { crate::dpop::forget(auth, &config).await });
                    broadcast(auth, &TabMessage::SessionEnded { session_id: session.id.clone() });
                    let notice = if is_session_lifetime_over(error) {
                        Notice::SessionLifetimeOver
                    } else {
                        Notice::SessionEnded
                    };
                    sign_out_here(auth, notice, AuthEvent::SessionEnded);
                }
                RefreshFailure::RetryAfter { attempt, delay_ms } => {
                    auth.rt(|rt| rt.refresh_failures.set(attempt));
                    auth.last_error.set(Some(error.clone()));
                    auth.refresh.set(RefreshStatus::Retrying { attempt, error: error.clone() });
                    schedule_in(auth, delay_ms);
                }
                RefreshFailure::GiveUp => {
                    auth.last_error.set(Some(error.clone()));
                    auth.refresh.set(RefreshStatus::Failed(error.clone()));
                }
            }
        }
    }
    result
}

async fn refresh_holding_lock(
    auth: Auth,
    provider: Arc<Provider>,
    generation: u32,
    epoch: u32,
) -> Result<(), AuthError> {
    let Some(current) = auth.session_untracked() else { return Ok(()) };
    if current.generation != generation || auth.epoch() != epoch {
        return Ok(()); // Another tab refreshed while we waited (and we adopted its tokens), or we signed out.
    }
    let (config, metadata) = (&provider.config, &provider.metadata);
    // A stale copy never refreshes with its refresh token: another tab rotated it away.
    match freshness_of(config, &current) {
        Freshness::Current => {}
        Freshness::Ended => {
            sign_out_here(auth, Notice::SignedOutElsewhere, AuthEvent::SignedOut);
            return Ok(());
        }
        Freshness::Stale { .. } => {
            match catch_up(auth, &current).await {
                Some(newest) => adopt(auth, newest),
                None => sign_out_here(auth, Notice::SessionMovedOn, AuthEvent::SessionEnded),
            }
            return Ok(());
        }
    }
    let Some(refresh_token) = current.refresh_token.clone() else {
        return Err(AuthError::NoRefreshToken);
    };
    let request = refresh_request(&refresh_token, &config.client_id, &metadata.token_endpoint);
    let received_at_ms = clock::now_ms();
    // A DPoP-bound refresh token works only with a proof from its key.
    let sent = match &current.dpop_jkt {
        Some(jkt) => {
            let key = crate::dpop::key_for(auth, config, jkt).await?;
            crate::dpop::send(auth, &key, &request, None, config.request_timeout_secs).await
        }
        None => fetch::send(&request, config.request_timeout_secs)
            .await
            .map(|response| (response, request.clone())),
    };
    #[cfg(feature = "trace")]
    {
        let entry = pixie_core::trace::TraceEntry::new(pixie_core::trace::Step::Refresh, received_at_ms);
        crate::trace::record(
            auth,
            match &sent {
                Ok((response, sent)) => {
                    entry.request(sent).dpop_proof(sent).response(response, clock::now_ms())
                }
                Err(_) => entry.request(&request).failed("network_error".to_owned()),
            },
        );
    }
    let (response, _) = sent.map_err(|e| AuthError::Network { during: "the token refresh", detail: e.0 })?;
    let tokens = parse_token_response(&response)?;
    let dpop_jkt = match current.dpop_jkt.as_deref() {
        Some(jkt) => match token_binding(&tokens.token_type, true, config.dpop)? {
            TokenBinding::Dpop => Some(jkt.to_owned()),
            TokenBinding::Bearer => None,
        },
        None => None,
    };
    if auth.epoch() != epoch {
        // Logged out while the refresh was in flight: the new tokens must not
        // bring the session back, and the new refresh token is revoked.
        if let Some(token) = &tokens.refresh_token {
            let (provider, token, jkt) = (provider.clone(), token.clone(), current.dpop_jkt.clone());
            spawn_local(async move {
                let _ = revoke(auth, provider, token, jkt).await;
            });
        }
        return Ok(());
    }

    // OIDC Core §12.2: a new ID token must describe the same login.
    let (id_token, id_token_claims) = match tokens.id_token {
        Some(new_token) => {
            let signature =
                verify_id_token_signature(&provider, &new_token, fetch_jwks(&provider).await).await?;
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
    if auth.epoch() != epoch {
        return Ok(()); // Logged out while the new ID token was checked.
    }
    let session = Session {
        id: current.id.clone(),
        generation: current.generation.saturating_add(1),
        issuer: current.issuer.clone(),
        client_id: current.client_id.clone(),
        signed_in_at_ms: current.signed_in_at_ms,
        received_at_ms,
        access_token: tokens.access_token,
        // Rotation: the new refresh token replaces the old one, which is never sent again.
        refresh_token: tokens.refresh_token.or(current.refresh_token.clone()),
        id_token,
        id_token_claims,
        access_token_expires_at_ms: tokens.expires_in.map(|secs| received_at_ms + secs as f64 * 1000.0),
        scope: tokens.scope.or(current.scope.clone()),
        dpop_jkt,
    };
    // Only tabs that share a session (sessionStorage mode) get the tokens;
    // memory-mode tabs have their own grants, and nothing secret goes on the channel.
    if config.token_storage == TokenStorage::Session {
        // Before the lock is released, so the next holder sees it.
        broadcast(auth, &TabMessage::Refreshed { record: session.to_json() });
    }
    establish(auth, session, &provider);
    auth.refresh_count.update(|n| *n += 1);
    navigation::mark("app:refreshed");
    auth.emit(AuthEvent::TokensRefreshed);
    Ok(())
}

fn adopt(auth: Auth, session: Session) {
    let Some(provider) = auth.provider.get_untracked() else { return };
    establish(auth, session, &provider);
    auth.refresh_count.update(|n| *n += 1);
    auth.refresh.set(RefreshStatus::Idle);
    navigation::mark("app:refreshed");
    auth.emit(AuthEvent::TokensRefreshed);
}

// ----- using the tokens -------------------------------------------------------

/// Send a request with the access token; on a 401, refresh once and retry once.
pub(crate) async fn authorized_fetch(
    auth: Auth,
    request: HttpRequest,
    purpose: FetchPurpose,
) -> Result<HttpResponse, AuthError> {
    let during = match purpose {
        FetchPurpose::Userinfo => "userinfo",
        FetchPurpose::Api => "the API call",
    };
    let timeout_secs = auth.provider.with_untracked(|p| p.as_ref().map(|p| p.config.request_timeout_secs));
    let timeout_secs = timeout_secs.unwrap_or(pixie_core::config::DEFAULT_REQUEST_TIMEOUT_SECS);
    let send = |session: Arc<Session>| {
        let request = request.clone();
        async move {
            #[cfg(feature = "trace")]
            let started_at = clock::now_ms();
            // A DPoP-bound token goes as `Authorization: DPoP`, with a proof that names it (`ath`).
            let result = match &session.dpop_jkt {
                Some(jkt) => {
                    let config = auth.provider.get_untracked().ok_or(AuthError::NotSignedIn)?;
                    let key = crate::dpop::key_for(auth, &config.config, jkt).await?;
                    crate::dpop::send(auth, &key, &request, Some(&session.access_token), timeout_secs).await
                }
                None => {
                    let request = with_bearer(request.clone(), &session.access_token);
                    fetch::send(&request, timeout_secs).await.map(|response| (response, request))
                }
            };
            let result = result.map_err(|e| AuthError::Network { during, detail: e.0 });
            #[cfg(feature = "trace")]
            {
                use pixie_core::trace::{Step, TraceEntry};
                let step = match purpose {
                    FetchPurpose::Userinfo => Step::Userinfo,
                    FetchPurpose::Api => Step::ApiCall,
                };
                let entry = TraceEntry::new(step, started_at);
                let entry = match &result {
                    Ok((response, sent)) => {
                        entry.request(sent).dpop_proof(sent).response(response, clock::now_ms())
                    }
                    Err(error) => entry.request(&request).failed(error.code()),
                };
                // Userinfo right after a callback waits for the walkthrough's single redraw.
                match purpose {
                    FetchPurpose::Userinfo => crate::trace::record_quietly(auth, entry),
                    FetchPurpose::Api => crate::trace::record(auth, entry),
                }
            }
            result.map(|(response, _)| response)
        }
    };
    let session = auth.session_untracked().ok_or(AuthError::NotSignedIn)?;
    let response = send(session).await?;
    if !token_rejected(&response) {
        return Ok(response);
    }
    refresh(auth).await?;
    send(auth.session_untracked().ok_or(AuthError::NotSignedIn)?).await
}

/// Runs after the signed-in render, so it never delays it.
pub(crate) async fn load_userinfo(auth: Auth) {
    let (Some(provider), Some(session)) = (auth.provider.get_untracked(), auth.session_untracked()) else {
        return;
    };
    let Some(endpoint) = provider.metadata.userinfo_endpoint.as_deref() else {
        auth.userinfo.set(UserinfoState::NotAvailable);
        return;
    };
    auth.userinfo.set(UserinfoState::Loading);
    let epoch = auth.epoch();
    let result = authorized_fetch(auth, userinfo_request(endpoint), FetchPurpose::Userinfo)
        .await
        .and_then(|response| parse_userinfo_response(&response, session.sub()).map_err(AuthError::from));
    #[cfg(feature = "trace")]
    crate::trace::publish(auth);
    // The user may have logged out while the request was in flight.
    if auth.epoch() != epoch || auth.session_untracked().is_none() {
        return;
    }
    match result {
        Ok(claims) => {
            auth.userinfo.set(UserinfoState::Loaded(Arc::new(claims)));
            navigation::mark_after_render("app:userinfo");
        }
        Err(error) => {
            auth.last_error.set(Some(error.clone()));
            auth.userinfo.set(UserinfoState::Failed(error));
        }
    }
}

// ----- ending -----------------------------------------------------------------

/// Forget every token in this tab (memory, storage, timers, views).
pub(crate) fn forget_locally(auth: Auth) {
    cancel_refresh_timer(auth);
    auth.rt(|rt| {
        *rt.dpop_key.borrow_mut() = None;
        rt.refresh_failures.set(0);
        rt.epoch.set(rt.epoch.get().wrapping_add(1));
    });
    if let Some(provider) = auth.provider.get_untracked() {
        storage::remove(&provider.config.storage_key(SESSION_NAME));
        storage::remove(&provider.config.storage_key(RESUME_HINT_NAME));
    }
    auth.userinfo.set(UserinfoState::NotAvailable);
    auth.refresh.set(RefreshStatus::Idle);
}

/// Log out is for every tab, the open ones (the channel) and the closed ones
/// that may come back (the tombstone).
fn end_everywhere(auth: Auth) {
    if let Some(provider) = auth.provider.get_untracked() {
        let config = &provider.config;
        shared::set(&config.storage_key(LOGGED_OUT_AT_NAME), &(clock::now_ms() as u64).to_string());
        if let Some(session) = auth.session_untracked() {
            mark_ended(config, &session);
        }
    }
    broadcast(auth, &TabMessage::Logout);
    forget_locally(auth);
    auth.state.set(AuthState::SignedOut);
    auth.emit(AuthEvent::SignedOut);
}

/// RFC 7009, best effort: the local logout goes ahead even if the provider is
/// unreachable. A DPoP-bound refresh token goes with a proof from its key, while
/// this tab still has it.
async fn revoke(
    auth: Auth,
    provider: Arc<Provider>,
    refresh_token: RefreshToken,
    dpop_jkt: Option<String>,
) -> Result<(HttpResponse, HttpRequest), AuthError> {
    let Some(endpoint) = &provider.metadata.revocation_endpoint else {
        return Err(AuthError::NotSignedIn);
    };
    let config = &provider.config;
    let request = revocation_request(endpoint, &refresh_token, &config.client_id);
    let key = match dpop_jkt {
        Some(jkt) => crate::dpop::key_for(auth, config, &jkt).await.ok(),
        None => None,
    };
    let sent = match key {
        Some(key) => crate::dpop::send(auth, &key, &request, None, config.request_timeout_secs).await,
        None => fetch::send(&request, config.request_timeout_secs).await.map(|response| (response, request)),
    };
    sent.map_err(|e| AuthError::Network { during: "revocation", detail: e.0 })
}

/// Log out: revoke the refresh token (RFC 7009), sign out every tab, then end
/// the provider's session (RP-Initiated Logout) or say that it could not be.
pub(crate) async fn logout(auth: Auth) {
    auth.notice.set(None);
    // First, so no refresh starts (or lands) while the logout runs.
    cancel_refresh_timer(auth);
    let (Some(provider), Some(session)) = (auth.provider.get_untracked(), auth.session_untracked()) else {
        return end_everywhere(auth);
    };
    // Results of anything in flight now belong to the old session.
    auth.rt(|rt| rt.epoch.set(rt.epoch.get().wrapping_add(1)));
    let (config, metadata) = (&provider.config, &provider.metadata);
    if let (Some(endpoint), Some(refresh_token)) = (&metadata.revocation_endpoint, &session.refresh_token) {
        #[cfg(feature = "trace")]
        let started_at = clock::now_ms();
        let result = revoke(auth, provider.clone(), refresh_token.clone(), session.dpop_jkt.clone()).await;
        #[cfg(feature = "trace")]
        {
            let entry = pixie_core::trace::TraceEntry::new(pixie_core::trace::Step::Logout, started_at);
            crate::trace::record(
                auth,
                match &result {
                    Ok((response, sent)) => {
                        entry.request(sent).dpop_proof(sent).response(response, clock::now_ms())
                    }
                    Err(error) => entry
                        .request(&revocation_request(endpoint, refresh_token, &config.client_id))
                        .failed(error.code()),
                },
            );
        }
        #[cfg(not(feature = "trace"))]
        let _ = (endpoint, result);
    }
    // The page still shows the trace; storage keeps nothing of it.
    #[cfg(feature = "trace")]
    crate::trace::forget_persisted(auth);
    end_everywhere(auth);
    // The DPoP key goes before the page can leave for the provider.
    crate::dpop::forget(auth, config).await;

    let Ok(bytes) = random::state_bytes() else {
        auth.notice.set(Some(Notice::SignedOutLocally));
        return;
    };
    let state = state_from_random(bytes);
    let Some(end) = logout_redirect(&provider, &session.id_token, &state) else {
        auth.notice.set(Some(Notice::SignedOutLocally));
        return;
    };
    if storage::set(&config.storage_key(LOGOUT_STATE_NAME), state.secret()).is_err() {
        auth.notice.set(Some(Notice::SignedOutLocally));
        return;
    }
    auth.state.set(AuthState::Redirecting);
    let left = if end.form.is_empty() {
        navigation::assign(&end.url)
    } else {
        navigation::post_form(&end.url, &end.form)
    };
    if left.is_err() {
        auth.state.set(AuthState::SignedOut);
        auth.notice.set(Some(Notice::SignedOutLocally));
    }
}

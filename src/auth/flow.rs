//! The login flow, step by step. Protocol decisions are made by `crate::oauth`;
//! this module only sequences them, does the IO through `crate::browser`, and
//! publishes the result into `AuthCtx`.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::context::AuthCtx;
use super::session;
use super::state::{AuthState, Notice, Provider, Session, UserinfoState};
use super::trace;

use crate::browser::{clock, crypto, fetch, navigation, random, storage};
use crate::oauth::authorize::{authorization_request, silent_authorization_request, AuthorizationRequest};
use crate::oauth::callback::{
    looks_like_callback, parse_callback, validate_callback, CallbackError, CallbackResponse,
};
use crate::oauth::config::ClientConfig;
use crate::oauth::discovery::{
    discovery_url, parse_discovery_response, parse_provider_cache_record, provider_cache_record,
    ProviderMetadata, PROVIDER_CACHE_KEY,
};
use crate::oauth::error::FlowError;
use crate::oauth::http::{HttpRequest, HttpResponse};
use crate::oauth::id_token::{
    signing_algorithm, validate_id_token, IdTokenError, IdTokenExpectations, VerifiedSignature,
    DEFAULT_CLOCK_SKEW_SECS,
};
use crate::oauth::jwks::{parse_jwks_response, select_key, JwkSet, JwksError, KeySelectionError};
use crate::oauth::jwt::decode_jws;
use crate::oauth::secret::IdToken;
use crate::oauth::token::{parse_token_response, token_request, TokenError};
use crate::oauth::trace::{callback_checks, id_token_checks, step_for_error, Step, TraceEntry};
use crate::oauth::userinfo::{parse_userinfo_response, userinfo_request};

pub const CALLBACK_PATH: &str = "/callback";
const WALKTHROUGH_WAITS_AT_MOST: Duration = Duration::from_millis(300);

thread_local! {
    // A callback is handled at most once per page load, whatever re-runs.
    static CALLBACK_HANDLED: Cell<bool> = const { Cell::new(false) };
}

/// What the page was opened for.
pub enum Entry {
    /// The provider sent the browser back with a response in the URL.
    Callback { query: String, fragment: String },
    /// The start page; its query may be the provider's answer to a logout.
    Home { query: String },
}

/// Decide from the address bar; strips a callback's parameters from it at once,
/// so the code never lingers in the address bar or history.
pub fn entry_from_location() -> Entry {
    let path = navigation::pathname();
    let query = navigation::search();
    if path == CALLBACK_PATH {
        if looks_like_callback(&query) {
            let fragment = navigation::hash();
            navigation::replace_url(CALLBACK_PATH);
            return Entry::Callback { query, fragment };
        }
        // A bare /callback (e.g. reloaded after sign-in) is just the home page.
        navigation::replace_url("/");
        return Entry::Home { query: String::new() };
    }
    Entry::Home { query }
}

pub fn initial_state(entry: &Entry) -> AuthState {
    match entry {
        Entry::Callback { .. } => AuthState::Exchanging,
        Entry::Home { .. } => AuthState::SignedOut,
    }
}

pub fn start(ctx: AuthCtx, entry: Entry) {
    storage::purge_stale_pending(clock::now_ms());
    match provider_from_cache() {
        Some(provider) => ctx.provider.set(Some(Arc::new(provider))),
        None => storage::remove(PROVIDER_CACHE_KEY),
    }
    session::listen_to_other_tabs(ctx);
    trace::load(ctx);
    match entry {
        Entry::Callback { query, fragment } => {
            if CALLBACK_HANDLED.replace(true) {
                return;
            }
            ctx.last_callback_query.set(Some(query.clone()));
            spawn_local(async move {
                let outcome = complete_login(ctx, &query, &fragment).await;
                // The walkthrough is drawn last, so neither the signed-in view
                // nor userinfo waits for it; a slow userinfo holds it back no longer than this.
                set_timeout(move || trace::show_walkthrough(ctx), WALKTHROUGH_WAITS_AT_MOST);
                match outcome {
                    // Userinfo follows the signed-in view, never delays it.
                    Ok(()) => {
                        navigation::after_render().await;
                        load_userinfo(ctx).await;
                    }
                    Err(FlowError::Callback(CallbackError::SilentLoginRefused(_))) => {
                        ctx.state.set(AuthState::SignedOut);
                        ctx.notice.set(Some(Notice::ResumeFailed));
                    }
                    Err(error) => {
                        let step = step_for_error(&error);
                        trace::record_failure(ctx, step, error.code(), error.message(), clock::now_ms());
                        ctx.state.set(AuthState::Error(error));
                    }
                }
                ctx.resuming.set(false);
                trace::show_walkthrough(ctx);
            });
        }
        Entry::Home { query } => spawn_local(async move {
            match ensure_provider(ctx).await {
                Ok(provider) => {
                    let restored = session::restore_at_start(ctx, &provider, &query);
                    // The page for its state is drawn and usable (Log in enabled).
                    navigation::mark_after_render("app:ready");
                    if restored {
                        navigation::after_render().await;
                        load_userinfo(ctx).await;
                    }
                }
                Err(error) => ctx.state.set(AuthState::Error(error)),
            }
        }),
    }
}

/// config.json, then discovery. Cached in the context for the page's life.
async fn ensure_provider(ctx: AuthCtx) -> Result<Arc<Provider>, FlowError> {
    if let Some(provider) = ctx.provider.get_untracked() {
        return Ok(provider);
    }
    let origin = navigation::origin();
    let response = fetch::get(&format!("{origin}/config.json"))
        .await
        .map_err(|_| FlowError::ConfigUnavailable { status: None })?;
    if response.status != 200 {
        return Err(FlowError::ConfigUnavailable { status: Some(response.status) });
    }
    let config_json = response.body;
    let config = ClientConfig::parse(&config_json, &origin)?;

    let response = fetch::get(&discovery_url(&config.issuer))
        .await
        .map_err(|e| FlowError::Network { during: "discovery", detail: e.0 })?;
    let metadata = parse_discovery_response(&response, &config.issuer)?;

    // Cache the two documents as received: they are re-checked when read back.
    let _ = storage::set(PROVIDER_CACHE_KEY, &provider_cache_record(&config_json, &response.body));
    let provider = Arc::new(Provider { config, metadata });
    ctx.provider.set(Some(provider.clone()));
    Ok(provider)
}

/// The provider from this tab's cache, checked exactly as if fetched, so the
/// page is ready without a round trip and the callback needs only the token
/// request (and the JWKS beside it).
fn provider_from_cache() -> Option<Provider> {
    let (config_json, discovery_json) = parse_provider_cache_record(&storage::get(PROVIDER_CACHE_KEY)?)?;
    let config = ClientConfig::parse(&config_json, &navigation::origin()).ok()?;
    let response =
        HttpResponse { status: 200, content_type: Some("application/json".to_owned()), body: discovery_json };
    let metadata = parse_discovery_response(&response, &config.issuer).ok()?;
    Some(Provider { config, metadata })
}

/// Synchronous from the click to `location.assign`, so the pending record is
/// in sessionStorage before the page can unload.
pub fn begin_login(ctx: AuthCtx) {
    ctx.notice.set(None);
    if let Err(error) = redirect_to_provider(ctx, false) {
        ctx.state.set(AuthState::Error(error));
    }
}

/// After a reload in memory mode: a top-level `prompt=none` redirect, no iframe.
pub fn begin_silent_resume(ctx: AuthCtx) {
    ctx.resuming.set(true);
    if let Err(error) = redirect_to_provider(ctx, true) {
        ctx.resuming.set(false);
        ctx.state.set(AuthState::Error(error));
    }
}

fn redirect_to_provider(ctx: AuthCtx, silent: bool) -> Result<(), FlowError> {
    let Some(provider) = ctx.provider.get_untracked() else {
        return Ok(()); // The button is disabled until the provider has loaded.
    };
    let randomness = random::login_randomness().map_err(|e| FlowError::Storage(e.to_string()))?;
    let now_ms = clock::now_ms();
    storage::purge_stale_pending(now_ms);
    let build = if silent { silent_authorization_request } else { authorization_request };
    let request =
        build(&provider.config, &provider.metadata, randomness, &navigation::current_path(), now_ms);
    record_redirect(ctx, &request, now_ms);
    trace::publish(ctx);
    storage::save_pending(&request.state, &request.pending).map_err(FlowError::Storage)?;
    ctx.state.set(AuthState::Redirecting);
    navigation::assign(&request.url).map_err(|detail| FlowError::Network { during: "the redirect", detail })
}

async fn complete_login(ctx: AuthCtx, query: &str, fragment: &str) -> Result<(), FlowError> {
    let response: CallbackResponse = parse_callback(query, fragment)?;
    // Take the record before anything is awaited: from here on, a replay of
    // this URL (reload, back button, second tab) finds nothing.
    let pending = storage::take_pending(response.state()?);

    let arrived_at_ms = clock::now_ms();
    record_arrival(ctx, &response, arrived_at_ms);

    let provider = ensure_provider(ctx).await?;
    let (config, metadata) = (&provider.config, &provider.metadata);
    let iss = response.iss().map(str::to_owned);
    let callback = validate_callback(response, pending, metadata, clock::now_ms())?;
    let checked = TraceEntry::new(Step::CallbackValidated, arrived_at_ms);
    trace::record_quietly(ctx, callback_checks(checked, iss.as_deref(), &metadata.issuer));

    // The JWKS is fetched alongside the token request, so verification adds no round trip.
    let request = token_request(&callback, &config.client_id, &metadata.token_endpoint);
    let received_at_ms = clock::now_ms();
    trace::record_quietly(
        ctx,
        TraceEntry::new(Step::TokenRequest, received_at_ms)
            .request(&request)
            .value("client secret sent", "none: a public client has no secret")
            .spent_value("code_verifier (spent)", callback.verifier().secret()),
    );
    let (token_response, jwks) = join(fetch::send(&request), fetch_jwks(metadata)).await;
    let response =
        token_response.map_err(|e| FlowError::Network { during: "the token request", detail: e.0 })?;
    let answered = TraceEntry::new(Step::TokenResponse, received_at_ms).request(&request);
    trace::record_quietly(ctx, answered.response(&response, clock::now_ms()));
    let tokens = parse_token_response(&response)?;
    let id_token = tokens.id_token.ok_or(TokenError::MissingIdToken)?;

    let signature = verify_id_token_signature(metadata, &id_token, jwks).await?;

    let claims = validate_id_token(
        &id_token,
        signature,
        &IdTokenExpectations {
            issuer: &metadata.issuer,
            client_id: &config.client_id,
            nonce: callback.nonce(),
            now_secs: clock::now_secs(),
            skew_secs: DEFAULT_CLOCK_SKEW_SECS,
        },
    )?;

    let checks = TraceEntry::new(Step::IdTokenValidated, clock::now_ms());
    trace::record_quietly(ctx, id_token_checks(checks, &claims, &config.client_id, clock::now_secs()));

    let session = Session {
        id: random::session_id().map_err(|e| FlowError::Storage(e.to_string()))?,
        generation: 0,
        received_at_ms,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token,
        id_token_claims: claims,
        access_token_expires_at_ms: tokens.expires_in.map(|secs| received_at_ms + secs as f64 * 1000.0),
        scope: tokens.scope,
    };
    navigation::replace_url(callback.return_to());
    session::establish(ctx, session, &provider);
    navigation::mark_after_render("app:signed-in");
    Ok(())
}

/// Steps 1–3 of the trace, written before the page unloads.
fn record_redirect(ctx: AuthCtx, request: &AuthorizationRequest, now_ms: f64) {
    trace::restart(ctx);
    trace::record_quietly(
        ctx,
        TraceEntry::new(Step::VerifierMade, now_ms)
            .value("code_verifier", request.pending.verifier.secret())
            .value("made from", "32 bytes of crypto.getRandomValues, base64url: 43 characters"),
    );
    trace::record_quietly(
        ctx,
        TraceEntry::new(Step::ChallengeDerived, now_ms)
            .value("code_challenge", &request.code_challenge)
            .value("code_challenge_method", "S256")
            .value("formula", "BASE64URL(SHA256(ASCII(code_verifier)))"),
    );
    let redirect = HttpRequest { method: "GET", url: request.url.clone(), headers: Vec::new(), body: None };
    trace::record_quietly(ctx, TraceEntry::new(Step::AuthorizationRequest, now_ms).request(&redirect));
}

/// Steps 4 and 5 of the trace: the time at the provider, and what came back.
fn record_arrival(ctx: AuthCtx, response: &CallbackResponse, arrived_at_ms: f64) {
    let redirected_at = ctx.trace.with_untracked(|entries| {
        entries.iter().rev().find(|e| e.step == Step::AuthorizationRequest).map(|e| e.at_ms)
    });
    if let Some(at_ms) = redirected_at {
        let mut at_provider = TraceEntry::new(Step::UserAtProvider, at_ms);
        at_provider.duration_ms = Some(arrived_at_ms - at_ms);
        trace::record_quietly(ctx, at_provider);
    }
    let mut entry = TraceEntry::new(Step::Callback, arrived_at_ms);
    for (name, value) in response.parameters() {
        entry = entry.value(name, value);
    }
    trace::record_quietly(ctx, entry);
}

/// OIDC Core §3.1.3.7 steps 6–8: the `alg` must be allowed, the key must be in
/// the provider's JWKS (one refetch for rotation), and WebCrypto must verify.
pub(super) async fn verify_id_token_signature(
    metadata: &ProviderMetadata,
    id_token: &IdToken,
    prefetched_jwks: Result<JwkSet, FlowError>,
) -> Result<VerifiedSignature, FlowError> {
    let jws = decode_jws(id_token.secret()).map_err(IdTokenError::Malformed)?;
    let algorithm = signing_algorithm(&jws.header)?;
    let key = match select_key(&prefetched_jwks?, &jws.header, algorithm) {
        Ok(key) => key.clone(),
        // An unknown kid may mean the provider rotated its keys: refetch once, then give up.
        Err(KeySelectionError::NoMatchingKey) => {
            select_key(&fetch_jwks(metadata).await?, &jws.header, algorithm)
                .map_err(|_| IdTokenError::UnknownKey)?
                .clone()
        }
        Err(KeySelectionError::Ambiguous) => return Err(IdTokenError::AmbiguousKey.into()),
    };
    Ok(crypto::verify_signature(&jws, &key, algorithm).await?)
}

pub(super) async fn fetch_jwks(metadata: &ProviderMetadata) -> Result<JwkSet, FlowError> {
    let Some(jwks_uri) = metadata.jwks_uri.as_deref() else {
        return Err(JwksError::Invalid("the provider publishes no jwks_uri".to_owned()).into());
    };
    let response =
        fetch::get(jwks_uri).await.map_err(|e| FlowError::Network { during: "the JWKS", detail: e.0 })?;
    Ok(parse_jwks_response(&response)?)
}

/// Runs after the signed-in render, so it never delays it.
pub(super) async fn load_userinfo(ctx: AuthCtx) {
    let (Some(provider), AuthState::SignedIn(session)) =
        (ctx.provider.get_untracked(), ctx.state.get_untracked())
    else {
        return;
    };
    let Some(endpoint) = provider.metadata.userinfo_endpoint.as_deref() else {
        ctx.userinfo.set(UserinfoState::NotAvailable);
        return;
    };
    ctx.userinfo.set(UserinfoState::Loading);
    let endpoint = endpoint.to_owned();
    let result = session::authorized_fetch(ctx, Step::Userinfo, "userinfo", move |token| {
        userinfo_request(&endpoint, token)
    })
    .await
    .and_then(|response| {
        parse_userinfo_response(&response, &session.id_token_claims.sub).map_err(FlowError::from)
    });
    // The user may have logged out while the request was in flight.
    if !matches!(ctx.state.get_untracked(), AuthState::SignedIn(_)) {
        return;
    }
    match result {
        Ok(claims) => {
            ctx.userinfo.set(UserinfoState::Loaded(Arc::new(claims)));
            navigation::mark_after_render("app:userinfo");
        }
        Err(error) => ctx.userinfo.set(UserinfoState::Failed(error)),
    }
}

/// From the error screen back to a clean signed-out page; reloads the provider
/// if that was what failed.
pub fn start_over(ctx: AuthCtx) {
    navigation::replace_url("/");
    ctx.notice.set(None);
    ctx.userinfo.set(UserinfoState::NotAvailable);
    ctx.state.set(AuthState::SignedOut);
    spawn_local(async move {
        if let Err(error) = ensure_provider(ctx).await {
            ctx.state.set(AuthState::Error(error));
        }
    });
}

//! The login, step by step. Protocol decisions are made by `pixie_core`; this
//! module only sequences them, does the IO through `crate::browser`, and
//! publishes the result into the provider's state.

use std::sync::Arc;
#[cfg(feature = "trace")]
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pixie_core::authorize::{login_request, AuthorizationRequest, LoginOptions, PendingLogin, PreviousUser};
use pixie_core::callback::{
    confirm_provider, parse_callback, validate_callback, CallbackError, CallbackResponse, ValidatedCallback,
};
use pixie_core::config::{parse_config_response, ClientConfig, DEFAULT_REQUEST_TIMEOUT_SECS};
use pixie_core::discovery::{discovery_request, parse_discovery_response_for};
use pixie_core::dpop::{key_persists, token_binding, use_dpop, TokenBinding};
use pixie_core::http::HttpRequest;
use pixie_core::id_token::{validate_id_token, IdTokenError, IdTokenExpectations, DEFAULT_CLOCK_SKEW_SECS};
use pixie_core::jwks::{jwks_request, parse_jwks_response};
use pixie_core::par::{par_redirect_url, par_request, parse_par_response, use_par, ParError};
use pixie_core::presets::{diagnose_login_error, LoginContext};
use pixie_core::provider::{Provider, ProviderCache, PROVIDER_CACHE_NAME};
use pixie_core::session::Session;
use pixie_core::startup::{entry, Entry, START_STATE_NAMES};
use pixie_core::token::{parse_token_response, token_request, TokenError};
use pixie_core::AuthError;

use crate::browser::join::join;
use crate::browser::{clock, fetch, navigation, random, storage};
use crate::config::ConfigSource;
use crate::keys::{fetch_jwks_at, verify_id_token_signature};
use crate::session::{self, Restored};
use crate::state::{AuthState, Notice, UserinfoState};
use crate::Auth;

/// Name (after the prefix) of the note a protected page leaves when it starts a login.
const GUARD_NAME: &str = "guard";

/// Everything that happens when the provider starts, up to the moment its
/// children may mount. Returns whether they may mount now; when the address
/// bar may hold a callback but the callback path is not known yet (first load
/// of the tab, configuration from a URL), they wait for the configuration.
pub(crate) fn start(auth: Auth) -> RwSignal<bool> {
    let ready = RwSignal::new(true);
    // Back from the back-forward cache, the page must catch up with what happened meanwhile.
    let restored = window_event_listener(leptos::ev::pageshow, move |event| {
        if !event.persisted() {
            return;
        }
        if matches!(auth.state.get_untracked(), AuthState::Redirecting) {
            // Came back from the provider with the back button.
            auth.resuming.set(false);
            auth.state.set(AuthState::SignedOut);
        } else if auth.session_untracked().is_some() {
            spawn_local(crate::parts::on_page_restored(auth));
        }
    });
    on_cleanup(move || restored.remove());
    // Every page load reads the configuration: send for it now, while the page is built.
    auth.rt(|rt| {
        if let ConfigSource::Url(_) = rt.source {
            let request = pixie_core::config::config_request(&rt.source.name(&rt.origin));
            *rt.config_fetch.borrow_mut() =
                Some(fetch::begin_own_file(&request, DEFAULT_REQUEST_TIMEOUT_SECS));
        }
    });
    let known = known_config_now(auth);
    if let Some(config) = &known {
        prepare_storage(auth, config);
    }
    let (path, query) = (navigation::pathname(), navigation::search());
    match entry(&path, &query, known.as_ref().map(|c| c.callback_path.as_str())) {
        Entry::Callback => {
            if let Some(config) = known {
                begin_callback(auth, &config, &query);
            }
        }
        Entry::BareCallback => {
            // A bare callback (e.g. reloaded after sign-in) is just the start page.
            navigation::replace_url("/");
            spawn_local(start_page(auth, String::new()));
        }
        Entry::Page => spawn_local(start_page(auth, query)),
        Entry::Undecided => {
            ready.set(false);
            spawn_local(async move {
                match ensure_provider(auth).await {
                    Ok(provider) => {
                        let config = &provider.config;
                        prepare_storage(auth, config);
                        match entry(&path, &query, Some(&config.callback_path)) {
                            Entry::Callback => begin_callback(auth, config, &query),
                            _ => {
                                ready.set(true);
                                start_page(auth, query).await;
                                return;
                            }
                        }
                    }
                    Err(error) => fail(auth, error),
                }
                ready.set(true);
            });
        }
    }
    ready
}

/// The configuration as far as it is known without a request: built in code,
/// or this tab's cache of the one at the URL (still to be confirmed by reading it).
fn known_config_now(auth: Auth) -> Option<ClientConfig> {
    let (source, origin) = auth.rt(|rt| (rt.source.clone(), rt.origin.clone()))?;
    match source {
        ConfigSource::Inline(builder) => builder.build(&origin).ok(),
        ConfigSource::Url(_) => {
            let (_, cache) = storage::find_provider_cache(&source.name(&origin))?;
            ClientConfig::parse(&cache.config_json, &origin).ok()
        }
    }
}

fn prepare_storage(auth: Auth, config: &ClientConfig) {
    storage::purge_stale_pending(&config.storage_key_prefix, clock::now_ms());
    #[cfg(feature = "trace")]
    crate::trace::load(auth, &config.storage_key_prefix);
    #[cfg(not(feature = "trace"))]
    let _ = auth;
}

fn fail(auth: Auth, error: AuthError) {
    auth.last_error.set(Some(error.clone()));
    auth.state.set(AuthState::Error(error));
}

/// A page of the app: the configuration; then, when this tab keeps nothing
/// (a first visit never does), the page is signed out and usable at once
/// while discovery loads; else the provider, then a logout return, a stored
/// session, or a resume.
async fn start_page(auth: Auth, query: String) {
    // (An undecided start has loaded the provider already: `discover` then returns it.)
    let loaded = match auth.provider.get_untracked() {
        Some(provider) => Ok((provider.config.clone(), String::new())),
        None => load_config(auth).await,
    };
    let loaded = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return fail(auth, error),
    };
    let config = &loaded.0;
    let blocked = storage::take(&config.storage_key(GUARD_NAME)).is_some();
    auth.rt(|rt| rt.guard_blocked.set(blocked));
    let kept = START_STATE_NAMES.iter().any(|name| storage::get(&config.storage_key(name)).is_some());
    if !kept {
        // Signed out for sure: Log in works now (a click waits for discovery).
        auth.ready.set(true);
        navigation::mark_after_render("app:ready");
    }
    let provider = match discover(auth, loaded).await {
        Ok(provider) => provider,
        Err(error) => return fail(auth, error),
    };
    if kept {
        let restored = match crate::parts::restore_at_start(auth, provider, query).await {
            Ok(restored) => restored,
            Err(error) => return fail(auth, error),
        };
        if let Restored::Resume(hint) = &restored {
            begin_silent_resume(auth, &hint.sub);
        }
        // The page for its state is drawn and usable.
        auth.ready.set(true);
        navigation::mark_after_render("app:ready");
        if restored == Restored::SignedIn {
            navigation::after_render().await;
            crate::parts::load_userinfo(auth).await;
        }
    }
    // The rest of the login is fetched now, to be in the cache when the provider sends the user back.
    navigation::after_render().await;
    crate::parts::prefetch(auth).await;
}

/// The configuration, then discovery, unless this tab's cache holds the
/// discovery document for exactly this configuration text. The configuration
/// itself is read at every page load, so the deployed one always wins.
pub(crate) async fn ensure_provider(auth: Auth) -> Result<Arc<Provider>, AuthError> {
    if let Some(provider) = auth.provider.get_untracked() {
        return Ok(provider);
    }
    let loaded = load_config(auth).await?;
    discover(auth, loaded).await
}

/// The configuration and its text, read (published as [`Auth::config`]).
async fn load_config(auth: Auth) -> Result<(ClientConfig, String), AuthError> {
    let (source, origin) =
        auth.rt(|rt| (rt.source.clone(), rt.origin.clone())).ok_or(AuthError::NotSignedIn)?;
    let name = source.name(&origin);
    let (config, config_json) = match &source {
        ConfigSource::Url(_) => {
            let in_flight = auth.rt(|rt| rt.config_fetch.borrow_mut().take()).flatten();
            let in_flight = in_flight.unwrap_or_else(|| {
                fetch::begin_own_file(
                    &pixie_core::config::config_request(&name),
                    DEFAULT_REQUEST_TIMEOUT_SECS,
                )
            });
            let response =
                in_flight.finish().await.map_err(|_| AuthError::ConfigUnavailable { status: None })?;
            (parse_config_response(&response, &origin)?, response.body)
        }
        ConfigSource::Inline(builder) => (builder.clone().build(&origin)?, builder.to_json()),
    };
    auth.config.set(Some(Arc::new(config.clone())));
    Ok((config, config_json))
}

/// The provider's metadata for `config`: from this tab's cache, or discovery.
async fn discover(auth: Auth, (config, config_json): (ClientConfig, String)) -> Result<Arc<Provider>, AuthError> {
    if let Some(provider) = auth.provider.get_untracked() {
        return Ok(provider);
    }
    let name = auth.rt(|rt| rt.source.name(&rt.origin)).ok_or(AuthError::NotSignedIn)?;
    let cache_key = config.storage_key(PROVIDER_CACHE_NAME);
    let cached = storage::find_provider_cache(&name)
        .filter(|(_, cache)| cache.is_for(&name, &config_json))
        .and_then(|(key, cache)| Some((key, cache.metadata_for(&config).ok()?, cache)));
    let provider = match cached {
        Some((key, metadata, cache)) => {
            if key != cache_key {
                storage::remove(&key);
                let _ = storage::set(&cache_key, &cache.to_json());
            }
            Provider { config, metadata }
        }
        None => {
            if let Some((key, _)) = storage::find_provider_cache(&name) {
                storage::remove(&key);
            }
            let response = fetch::send(&discovery_request(&config.issuer), config.request_timeout_secs)
                .await
                .map_err(|e| AuthError::Network { during: "discovery", detail: e.0 })?;
            let metadata = parse_discovery_response_for(&response, &config)?;
            let cache = ProviderCache { source: name, config_json, discovery_json: response.body };
            let _ = storage::set(&cache_key, &cache.to_json());
            Provider { config, metadata }
        }
    };
    let provider = Arc::new(provider);
    auth.provider.set(Some(provider.clone()));
    session::listen_to_other_tabs(auth, &provider.config);
    // Logins asked for while discovery loaded go now.
    let waiting = auth.rt(|rt| rt.after_discovery.take()).unwrap_or_default();
    for login in waiting {
        login();
    }
    Ok(provider)
}

/// Run `login` now if the provider has loaded; else show `Redirecting` and
/// run it once discovery is done (a start page is usable before that).
fn when_discovered(auth: Auth, login: impl FnOnce() + 'static) {
    if auth.provider.get_untracked().is_some() {
        return login();
    }
    if !auth.ready.get_untracked() || matches!(auth.state.get_untracked(), AuthState::Redirecting) {
        return; // Nothing decided yet (Log in should be disabled), or a login is already waiting.
    }
    auth.state.set(AuthState::Redirecting);
    auth.rt(|rt| rt.after_discovery.borrow_mut().push(Box::new(login)));
}

/// Synchronous from the click (or from discovery's arrival) to
/// `location.assign`, so the pending record is in sessionStorage before the
/// page can unload.
pub(crate) fn begin_login(auth: Auth, return_to: Option<&str>) {
    auth.notice.set(None);
    if let Some(config) = auth.config.get_untracked() {
        // An explicit login: a protected page may start its own again later.
        storage::remove(&config.storage_key(GUARD_NAME));
    }
    let return_to = return_to.map(str::to_owned).unwrap_or_else(navigation::current_path);
    when_discovered(auth, move || {
        if let Err(error) = redirect_to_provider(auth, None, &return_to) {
            fail(auth, error);
        }
    });
}

/// A protected page found nobody signed in: log in once, and note it, so
/// that coming back without a sign-in (back button) does not start another.
pub(crate) fn begin_guarded_login(auth: Auth) {
    let Some(config) = auth.config.get_untracked() else { return };
    if !matches!(auth.state.get_untracked(), AuthState::SignedOut) {
        return;
    }
    let return_to = navigation::current_path();
    let _ = storage::set(&config.storage_key(GUARD_NAME), &return_to);
    when_discovered(auth, move || {
        if let Err(error) = redirect_to_provider(auth, None, &return_to) {
            fail(auth, error);
        }
    });
}

/// After a reload in memory mode: a top-level `prompt=none` redirect, no
/// iframe, for the user signed in before (`previous_sub`) and nobody else.
pub(crate) fn begin_silent_resume(auth: Auth, previous_sub: &str) {
    auth.resuming.set(true);
    if let Err(error) = redirect_to_provider(auth, Some(previous_sub), &navigation::current_path()) {
        auth.resuming.set(false);
        fail(auth, error);
    }
}

/// `resume_for`: `None` for a login, `Some(sub)` for a `prompt=none` resume.
/// Without DPoP and PAR it is synchronous from the click to `location.assign`;
/// with them, the key and the pushed request come first.
fn redirect_to_provider(auth: Auth, resume_for: Option<&str>, return_to: &str) -> Result<(), AuthError> {
    let Some(provider) = auth.provider.get_untracked() else {
        return Ok(()); // Not ready: a Log in button should be disabled until `is_ready`.
    };
    let dpop = use_dpop(&provider.config, &provider.metadata)?;
    let par = use_par(&provider.config, &provider.metadata)?;
    // In memory mode the DPoP key is made at the callback: nothing to wait for here.
    let key_first = dpop && key_persists(&provider.config);
    if !key_first && !par {
        let now_ms = clock::now_ms();
        let request = login(&provider, resume_for, return_to, (dpop, None), now_ms)?;
        #[cfg(feature = "trace")]
        record_login_start(auth, &request, None, now_ms);
        return leave_for_provider(auth, &provider.config, &request, &request.url, now_ms);
    }
    auth.state.set(AuthState::Redirecting);
    let (resume_for, return_to) = (resume_for.map(str::to_owned), return_to.to_owned());
    spawn_local(async move {
        let redirect = crate::parts::redirect_after_preflight(auth, provider, (dpop, par), resume_for, return_to);
        if let Err(error) = redirect.await {
            auth.resuming.set(false);
            fail(auth, error);
        }
    });
    Ok(())
}

/// The authorization request, and its pending record's randomness.
fn login(
    provider: &Provider,
    resume_for: Option<&str>,
    return_to: &str,
    (dpop, dpop_jkt): (bool, Option<&str>),
    now_ms: f64,
) -> Result<AuthorizationRequest, AuthError> {
    let config = &provider.config;
    let randomness = random::login_randomness().map_err(|e| AuthError::Storage(e.to_string()))?;
    storage::purge_stale_pending(&config.storage_key_prefix, now_ms);
    let options = LoginOptions {
        resume_for: resume_for.map(|sub| PreviousUser { sub }),
        silent: resume_for.is_some(),
        dpop,
        dpop_jkt,
    };
    Ok(login_request(config, &provider.metadata, randomness, return_to, now_ms, &options))
}

/// Keep the pending record, then go: it is in sessionStorage before the page can unload.
fn leave_for_provider(
    auth: Auth,
    config: &ClientConfig,
    request: &AuthorizationRequest,
    url: &str,
    now_ms: f64,
) -> Result<(), AuthError> {
    #[cfg(feature = "trace")]
    record_redirect(auth, url, now_ms);
    #[cfg(not(feature = "trace"))]
    let _ = now_ms;
    let key = config.storage_key(&PendingLogin::storage_name(&request.state));
    storage::set(&key, &request.pending.to_storage_json()).map_err(AuthError::Storage)?;
    auth.state.set(AuthState::Redirecting);
    navigation::assign(url).map_err(|detail| AuthError::Network { during: "the redirect", detail })
}

/// DPoP in sessionStorage mode: the key, whose thumbprint binds the code
/// (`dpop_jkt`). PAR: the parameters go in a POST (with a proof from that
/// key), and the browser carries only `request_uri`.
pub(crate) async fn redirect_after_preflight(
    auth: Auth,
    provider: &Provider,
    dpop: bool,
    par: bool,
    resume_for: Option<&str>,
    return_to: &str,
) -> Result<(), AuthError> {
    let config = &provider.config;
    let key = match dpop && key_persists(config) {
        true => Some(crate::dpop::persistent_key(auth, config).await?),
        false => None,
    };
    let jkt = key.as_ref().map(|key| key.public.thumbprint());
    let now_ms = clock::now_ms();
    let request = login(provider, resume_for, return_to, (dpop, jkt.as_deref()), now_ms)?;
    #[cfg(feature = "trace")]
    record_login_start(auth, &request, key.as_deref(), now_ms);
    if !par {
        return leave_for_provider(auth, config, &request, &request.url, now_ms);
    }
    let endpoint =
        provider.metadata.pushed_authorization_request_endpoint.as_deref().ok_or(ParError::NoEndpoint)?;
    let push = par_request(endpoint, &request);
    let timeout_secs = config.request_timeout_secs;
    let sent = match &key {
        Some(key) => crate::dpop::send(auth, key, &push, None, timeout_secs).await,
        None => fetch::send(&push, timeout_secs).await.map(|response| (response, push.clone())),
    };
    let (response, sent) =
        sent.map_err(|e| AuthError::Network { during: "the pushed authorization request", detail: e.0 })?;
    #[cfg(feature = "trace")]
    crate::trace::record_quietly(
        auth,
        pixie_core::trace::TraceEntry::new(pixie_core::trace::Step::PushedRequest, now_ms)
            .request(&sent)
            .dpop_proof(&sent)
            .response(&response, clock::now_ms()),
    );
    #[cfg(not(feature = "trace"))]
    let _ = sent;
    let pushed = parse_par_response(&response)?;
    let url = par_redirect_url(&provider.metadata, &config.client_id, &pushed);
    leave_for_provider(auth, config, &request, &url, now_ms)
}

/// The callback, synchronously: take the pending record (so a replay of this
/// URL finds nothing), clear the response out of the address bar and put the
/// page where the login will land, then finish the exchange in the background.
fn begin_callback(auth: Auth, config: &ClientConfig, query: &str) {
    if auth.rt(|rt| rt.callback_handled.replace(true)).unwrap_or(true) {
        return;
    }
    let fragment = navigation::hash();
    #[cfg(feature = "trace")]
    {
        auth.trace.last_callback_query.set(Some(query.to_owned()));
        crate::trace::hold(auth);
    }
    let parsed = parse_callback(query, &fragment).map_err(AuthError::from).map(|response| {
        let pending = response
            .state()
            .ok()
            .and_then(|state| storage::take(&config.storage_key(&PendingLogin::storage_name(state))))
            .and_then(|json| PendingLogin::from_storage_json(&json));
        (response, pending)
    });
    let return_to = match &parsed {
        Ok((_, Some(pending))) => pending.return_to.clone(),
        _ => "/".to_owned(),
    };
    navigation::replace_url(&return_to);
    auth.state.set(AuthState::Exchanging);
    // The code goes to the token endpoint now, while the page is built.
    let timeout_secs = config.request_timeout_secs;
    let exchange =
        parsed.and_then(|(response, pending)| begin_exchange(auth, config, response, pending, timeout_secs));
    spawn_local(async move {
        let outcome = match exchange {
            Ok(exchange) => crate::parts::complete_login(auth, exchange).await,
            Err(error) => Err(error),
        };
        // A refused callback never needed the provider: load it now, so the
        // page can offer a new login.
        let loaded = if outcome.is_err() { ensure_provider(auth).await.map(|_| ()) } else { Ok(()) };
        let outcome = outcome.and(loaded);
        // The walkthrough is drawn last, so neither the signed-in view nor
        // userinfo waits for it; a slow userinfo holds it back no longer than this.
        #[cfg(feature = "trace")]
        set_timeout(move || crate::trace::release(auth), Duration::from_millis(300));
        match outcome {
            // Userinfo follows the signed-in view, never delays it.
            Ok(()) => {
                navigation::after_render().await;
                crate::parts::load_userinfo(auth).await;
            }
            Err(AuthError::Callback(CallbackError::SilentLoginRefused(_))) => {
                auth.state.set(AuthState::SignedOut);
                auth.notice.set(Some(Notice::ResumeFailed));
            }
            // The reload would have switched users: this tab stays signed out instead.
            Err(error @ AuthError::IdToken(IdTokenError::DifferentUser)) => {
                auth.last_error.set(Some(error));
                auth.state.set(AuthState::SignedOut);
                auth.notice.set(Some(Notice::SomeoneElseAtProvider));
            }
            Err(error) => {
                fail(auth, error.clone());
                // In the signed-in part: it spells out the error's message.
                #[cfg(feature = "trace")]
                crate::parts::record_failure(auth, error).await;
            }
        }
        auth.resuming.set(false);
        auth.ready.set(true);
        #[cfg(feature = "trace")]
        crate::trace::release(auth);
    });
}

/// A checked callback whose token request (and JWKS) are on their way.
pub(crate) struct Exchange {
    callback: ValidatedCallback,
    request: HttpRequest,
    received_at_ms: f64,
    /// `None` when the code is DPoP-bound: the request waits for the key and its proof.
    token: Option<fetch::InFlight>,
    jwks: Option<fetch::InFlight>,
    /// The configuration the callback was recognised with (it names the key's store).
    config: ClientConfig,
}

/// Check the callback against its pending record, and send the code: the
/// record holds what the login page checked, so nothing else is needed first.
fn begin_exchange(
    auth: Auth,
    config: &ClientConfig,
    response: CallbackResponse,
    pending: Option<PendingLogin>,
    timeout_secs: u32,
) -> Result<Exchange, AuthError> {
    #[cfg(feature = "trace")]
    let arrived_at_ms = clock::now_ms();
    #[cfg(feature = "trace")]
    record_arrival(auth, &response, arrived_at_ms);
    #[cfg(feature = "trace")]
    let iss = response.iss().map(str::to_owned);
    #[cfg(not(feature = "trace"))]
    let _ = auth;

    let callback = validate_callback(response, pending, clock::now_ms())?;
    #[cfg(feature = "trace")]
    crate::trace::record_quietly(
        auth,
        pixie_core::trace::callback_checks(
            pixie_core::trace::TraceEntry::new(pixie_core::trace::Step::CallbackValidated, arrived_at_ms),
            iss.as_deref(),
            callback.issuer(),
        ),
    );

    let request = token_request(&callback);
    let received_at_ms = clock::now_ms();
    let token = match callback.dpop() {
        true => None,
        false => {
            #[cfg(feature = "trace")]
            record_token_request(auth, &callback, &request, received_at_ms);
            Some(fetch::begin(&request, timeout_secs))
        }
    };
    // The JWKS is fetched alongside the token request, so verification adds no round trip.
    let jwks = callback.jwks_uri().map(|uri| fetch::begin(&jwks_request(uri), timeout_secs));
    Ok(Exchange { callback, request, received_at_ms, token, jwks, config: config.clone() })
}

#[cfg(feature = "trace")]
fn record_token_request(auth: Auth, callback: &ValidatedCallback, sent: &HttpRequest, at_ms: f64) {
    crate::trace::record_quietly(
        auth,
        pixie_core::trace::TraceEntry::new(pixie_core::trace::Step::TokenRequest, at_ms)
            .request(sent)
            .dpop_proof(sent)
            .value("client secret sent", "none: a public client has no secret")
            .spent_value("code_verifier (spent)", callback.verifier().secret()),
    );
}

/// The token request of a DPoP login: the key (from IndexedDB when the code
/// is bound to it, else a fresh one in memory), a proof, and once more with
/// the server's nonce if it asks for one. Also the key's thumbprint.
async fn send_bound_token_request(
    auth: Auth,
    exchange_config: &ClientConfig,
    callback: &ValidatedCallback,
    request: &HttpRequest,
) -> Result<(pixie_core::http::HttpResponse, HttpRequest, String), AuthError> {
    let key = match callback.dpop_jkt() {
        Some(jkt) => crate::dpop::key_for(auth, exchange_config, jkt).await?,
        None => {
            let key = crate::dpop::memory_key(auth).await?;
            #[cfg(feature = "trace")]
            crate::trace::record_quietly(
                auth,
                pixie_core::trace::dpop_key_entry(&key.public, clock::now_ms()),
            );
            key
        }
    };
    let sent = crate::dpop::send(auth, &key, request, None, exchange_config.request_timeout_secs).await;
    let (response, sent) =
        sent.map_err(|e| AuthError::Network { during: "the token request", detail: e.0 })?;
    #[cfg(feature = "trace")]
    record_token_request(auth, callback, &sent, clock::now_ms());
    #[cfg(not(feature = "trace"))]
    let _ = callback;
    Ok((response, sent, key.public.thumbprint()))
}

pub(crate) async fn complete_login(auth: Auth, exchange: Exchange) -> Result<(), AuthError> {
    let Exchange { callback, request, received_at_ms, token, jwks, config: exchange_config } = exchange;
    let token = async {
        match token {
            Some(in_flight) => in_flight
                .finish()
                .await
                .map(|response| (response, request.clone(), None))
                .map_err(|e| AuthError::Network { during: "the token request", detail: e.0 }),
            None => send_bound_token_request(auth, &exchange_config, &callback, &request)
                .await
                .map(|(response, sent, jkt)| (response, sent, Some(jkt))),
        }
    };
    let jwks = async move {
        match jwks {
            Some(in_flight) => {
                let response = in_flight
                    .finish()
                    .await
                    .map_err(|e| AuthError::Network { during: "the JWKS", detail: e.0 })?;
                Ok(parse_jwks_response(&response)?)
            }
            None => fetch_jwks_at(None, 0).await,
        }
    };
    // The deployed configuration is read beside the exchange.
    let ((token_response, jwks), provider) = join(join(token, jwks), ensure_provider(auth)).await;
    let provider = provider?;
    confirm_provider(&callback, &provider)?;
    let (config, metadata) = (&provider.config, &provider.metadata);
    // A refused or blocked exchange says what to change at the provider.
    let origin = auth.rt(|rt| rt.origin.clone()).unwrap_or_default();
    let login = LoginContext {
        preset: config.provider,
        origin: &origin,
        client_id: &exchange_config.client_id,
        redirect_uri: &exchange_config.redirect_uri,
        token_endpoint: &metadata.token_endpoint,
    };
    let diagnose = |error| diagnose_login_error(error, &login);
    let (response, sent, proof_jkt) = token_response.map_err(diagnose)?;
    #[cfg(feature = "trace")]
    crate::trace::record_quietly(
        auth,
        pixie_core::trace::TraceEntry::new(pixie_core::trace::Step::TokenResponse, received_at_ms)
            .request(&sent)
            .response(&response, clock::now_ms()),
    );
    #[cfg(not(feature = "trace"))]
    let _ = sent;
    let tokens = parse_token_response(&response).map_err(|e| diagnose(e.into()))?;
    // RFC 9449 §5: with a proof sent, the answer must say DPoP unless DPoP is optional.
    let dpop_jkt = match token_binding(&tokens.token_type, proof_jkt.is_some(), config.dpop)? {
        TokenBinding::Dpop => proof_jkt,
        TokenBinding::Bearer => {
            auth.rt(|rt| *rt.dpop_key.borrow_mut() = None);
            None
        }
    };
    let id_token = tokens.id_token.ok_or(TokenError::MissingIdToken)?;

    let signature = verify_id_token_signature(&provider, &id_token, jwks).await?;
    let claims = validate_id_token(
        &id_token,
        signature,
        &IdTokenExpectations {
            issuer: &metadata.issuer,
            issuer_rule: metadata.issuer_rule,
            client_id: &config.client_id,
            nonce: callback.nonce(),
            now_secs: clock::now_secs(),
            skew_secs: DEFAULT_CLOCK_SKEW_SECS,
            max_age: callback.max_age(),
            acr_values: callback.acr_values(),
            expected_sub: callback.expected_sub(),
        },
    )?;
    #[cfg(feature = "trace")]
    crate::trace::record_quietly(
        auth,
        pixie_core::trace::id_token_checks(
            pixie_core::trace::TraceEntry::new(pixie_core::trace::Step::IdTokenValidated, clock::now_ms()),
            &claims,
            &config.client_id,
            clock::now_secs(),
        ),
    );

    let session = Session {
        id: random::session_id().map_err(|e| AuthError::Storage(e.to_string()))?,
        generation: 0,
        issuer: metadata.issuer.clone(),
        client_id: config.client_id.clone(),
        signed_in_at_ms: received_at_ms,
        received_at_ms,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token,
        id_token_claims: claims,
        access_token_expires_at_ms: tokens.expires_in.map(|secs| received_at_ms + secs as f64 * 1000.0),
        scope: tokens.scope,
        dpop_jkt,
    };
    storage::remove(&config.storage_key(GUARD_NAME));
    session::establish(auth, session, &provider);
    navigation::mark_after_render("app:signed-in");
    Ok(())
}

/// The failed step, in the trace.
#[cfg(feature = "trace")]
pub(crate) fn record_failure(auth: Auth, error: &AuthError) {
    let step = pixie_core::trace::step_for_error(error);
    crate::trace::record_failure(auth, step, error.code(), error.message(), clock::now_ms());
}

/// Steps 1 and 2 of the trace (and the DPoP key).
#[cfg(feature = "trace")]
fn record_login_start(
    auth: Auth,
    request: &AuthorizationRequest,
    dpop_key: Option<&crate::browser::dpop_key::DpopKey>,
    now_ms: f64,
) {
    use pixie_core::trace::{Step, TraceEntry};
    crate::trace::restart(auth);
    crate::trace::record_quietly(
        auth,
        TraceEntry::new(Step::VerifierMade, now_ms)
            .value("code_verifier", request.pending.verifier.secret())
            .value("made from", "32 bytes of crypto.getRandomValues, base64url: 43 characters"),
    );
    crate::trace::record_quietly(
        auth,
        TraceEntry::new(Step::ChallengeDerived, now_ms)
            .value("code_challenge", &request.code_challenge)
            .value("code_challenge_method", "S256")
            .value("formula", "BASE64URL(SHA256(ASCII(code_verifier)))"),
    );
    if let Some(key) = dpop_key {
        crate::trace::record_quietly(auth, pixie_core::trace::dpop_key_entry(&key.public, now_ms));
    }
}

/// Step 3 of the trace, written before the page unloads.
#[cfg(feature = "trace")]
fn record_redirect(auth: Auth, url: &str, now_ms: f64) {
    use pixie_core::trace::{Step, TraceEntry};
    let redirect = HttpRequest::new("GET", url.to_owned());
    crate::trace::record_quietly(
        auth,
        TraceEntry::new(Step::AuthorizationRequest, now_ms).request(&redirect),
    );
    crate::trace::publish(auth);
}

/// Steps 4 and 5 of the trace: the time at the provider, and what came back.
#[cfg(feature = "trace")]
fn record_arrival(auth: Auth, response: &CallbackResponse, arrived_at_ms: f64) {
    use pixie_core::trace::{Step, TraceEntry};
    let redirected_at = auth.trace().with_untracked(|entries| {
        entries.iter().rev().find(|e| e.step == Step::AuthorizationRequest).map(|e| e.at_ms)
    });
    if let Some(at_ms) = redirected_at {
        let mut at_provider = TraceEntry::new(Step::UserAtProvider, at_ms);
        at_provider.duration_ms = Some(arrived_at_ms - at_ms);
        crate::trace::record_quietly(auth, at_provider);
    }
    let mut entry = TraceEntry::new(Step::Callback, arrived_at_ms);
    for (name, value) in response.parameters() {
        entry = entry.value(name, value);
    }
    crate::trace::record_quietly(auth, entry);
}

/// Back to a clean signed-out page: forget this tab's tokens (locally), the
/// error, the notice and the trace, and reload the provider if that failed.
pub(crate) fn reset(auth: Auth) {
    session::forget_locally(auth);
    #[cfg(feature = "trace")]
    {
        crate::trace::restart(auth);
        auth.trace.last_callback_query.set(None);
    }
    navigation::replace_url("/");
    auth.notice.set(None);
    auth.last_error.set(None);
    auth.userinfo.set(UserinfoState::NotAvailable);
    auth.state.set(AuthState::SignedOut);
    if auth.provider.get_untracked().is_some() {
        auth.ready.set(true);
        return;
    }
    auth.ready.set(false);
    spawn_local(async move {
        match ensure_provider(auth).await {
            Ok(_) => auth.ready.set(true),
            Err(error) => fail(auth, error),
        }
    });
}

/// The attack lab's forged callback (feature `trace`).
#[cfg(feature = "trace")]
pub(crate) fn forge_callback(
    auth: Auth,
    needs_pending_login: bool,
    forge: impl FnOnce(crate::trace::ForgeInputs<'_>) -> Option<String>,
) {
    let (Some(provider), Some(original)) =
        (auth.provider.get_untracked(), auth.trace.last_callback_query.get_untracked())
    else {
        return;
    };
    let config = &provider.config;
    let (Ok(fresh), Ok(forged)) = (random::login_randomness(), random::state_bytes()) else { return };
    let unknown_state = pixie_core::pkce::state_from_random(forged);
    // A real pending login, as if a login had started, so the attack meets the later checks.
    let login =
        pixie_core::authorize::authorization_request(config, &provider.metadata, fresh, "/", clock::now_ms());
    if needs_pending_login {
        let key = config.storage_key(&PendingLogin::storage_name(&login.state));
        if storage::set(&key, &login.pending.to_storage_json()).is_err() {
            return;
        }
    }
    let Some(query) = forge(crate::trace::ForgeInputs {
        original_query: &original,
        issuer: &provider.metadata.issuer,
        pending_state: &login.state,
        unknown_state: &unknown_state,
    }) else {
        return;
    };
    // The attack gets a trace of its own: the forged callback and the check that refuses it.
    crate::trace::restart(auth);
    let _ = navigation::assign(&format!("{}{query}", config.callback_path));
}

//! The authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3 + OIDC Core §3.1.2.1)
//! and the pending-login record that must survive the redirect.

use crate::config::ClientConfig;
use crate::discovery::ProviderMetadata;
use crate::encoding::form_encode;
use crate::json::{Json, Object};
use crate::pkce::{is_valid_verifier, nonce_from_random, state_from_random, PkcePair, RandomBytes};
use crate::secret::{CodeVerifier, Nonce, State};

/// A pending login lives at most this long: 10 minutes.
pub const PENDING_LOGIN_TTL_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Start of the storage key names of pending logins (after the app's prefix):
/// the full key is `<prefix>pending.<state>`, `pixie.pending.<state>` by default.
pub const PENDING_NAME_PREFIX: &str = "pending.";

/// Fresh randomness for one login, supplied by the caller.
pub struct LoginRandomness {
    /// For the PKCE code_verifier.
    pub verifier: RandomBytes,
    /// For `state`.
    pub state: RandomBytes,
    /// For `nonce`.
    pub nonce: RandomBytes,
}

/// What the browser needs to start a login: where to go, and what to remember.
pub struct AuthorizationRequest {
    /// The authorization endpoint with every parameter.
    pub url: String,
    /// The same parameters, in order, for a pushed authorization request (RFC 9126).
    pub params: Vec<(String, String)>,
    /// The `state` sent, which names the pending record.
    pub state: State,
    /// The S256 challenge sent in place of the verifier.
    pub code_challenge: String,
    /// What to keep until the callback.
    pub pending: PendingLogin,
}

impl core::fmt::Debug for AuthorizationRequest {
    // The URL carries state and nonce.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("url", &"[redacted]")
            .field("state", &self.state)
            .field("code_challenge", &self.code_challenge)
            .field("pending", &self.pending)
            .finish()
    }
}

/// Everything the callback needs, stored under the `state` key before the redirect.
#[derive(Debug)]
pub struct PendingLogin {
    /// The PKCE code_verifier, sent once with the code.
    pub verifier: CodeVerifier,
    /// The nonce the ID token must carry.
    pub nonce: Nonce,
    /// The issuer this login was started with (mix-up defence, RFC 9700 §4.4).
    pub issuer: String,
    /// The client the login is for.
    pub client_id: String,
    /// Where the code will be exchanged: the token endpoint of the provider
    /// this page load checked, so the callback needs no other document first.
    pub token_endpoint: String,
    /// The provider's key set, fetched beside the token request.
    pub jwks_uri: Option<String>,
    /// RFC 9207: the provider promised `iss` on every authorization response.
    pub iss_required: bool,
    /// The redirect URI sent, which the token request must repeat.
    pub redirect_uri: String,
    /// When the login started (ms since the epoch).
    pub created_at_ms: f64,
    /// Same-origin path to return to after sign-in.
    pub return_to: String,
    /// A `prompt=none` resume: `login_required` then means "signed out", not an error.
    pub silent: bool,
    /// The `max_age` sent, checked against `auth_time`.
    pub max_age: Option<u32>,
    /// The `acr_values` sent, checked against `acr`.
    pub acr_values: Option<String>,
    /// A resume must sign the same person in again: the `sub` before the reload.
    pub expected_sub: Option<String>,
    /// This login's tokens are to be DPoP-bound (RFC 9449): the code goes
    /// with a proof.
    pub dpop: bool,
    /// The DPoP key's thumbprint sent as `dpop_jkt` (RFC 9449 §10): the code
    /// can be redeemed only with a proof from that key. `None` in memory mode,
    /// whose key cannot outlive the page and is made at the callback.
    pub dpop_jkt: Option<String>,
}

/// A login: the authorization request URL (RFC 6749 §4.1.1, with PKCE S256,
/// `state` and `nonce`) and the pending record to keep until the callback.
pub fn authorization_request(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    randomness: LoginRandomness,
    return_to: &str,
    now_ms: f64,
) -> AuthorizationRequest {
    login_request(config, metadata, randomness, return_to, now_ms, &LoginOptions::default())
}

/// What else a login asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoginOptions<'a> {
    /// A `prompt=none` resume, for this previous user (`None`: an ordinary login).
    pub resume_for: Option<PreviousUser<'a>>,
    /// A resume whose previous user is not known (still `prompt=none`).
    pub silent: bool,
    /// DPoP-bound tokens: the code will be sent with a proof.
    pub dpop: bool,
    /// The DPoP key's RFC 7638 thumbprint, to bind the code to it (`dpop_jkt`; only with `dpop`).
    pub dpop_jkt: Option<&'a str>,
}

/// A login with options: a resume, a DPoP-bound code.
pub fn login_request(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    randomness: LoginRandomness,
    return_to: &str,
    now_ms: f64,
    options: &LoginOptions<'_>,
) -> AuthorizationRequest {
    let silent =
        (options.silent || options.resume_for.is_some()).then(|| options.resume_for.map(|user| user.sub));
    build(config, metadata, randomness, return_to, now_ms, silent, options)
}

/// Who a `prompt=none` resume is for: the person signed in before the reload.
#[derive(Debug, Clone, Copy)]
pub struct PreviousUser<'a> {
    /// Their `sub`: the resume is refused if the provider signs in someone else.
    pub sub: &'a str,
}

/// `prompt=none` (OIDC Core §3.1.2.1): resume a session at the provider without
/// showing any page; the provider answers `login_required` if there is none.
/// With `previous`, its `sub` goes as `login_hint` and the callback refuses
/// anyone else, so a reload cannot switch users.
pub fn silent_authorization_request(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    randomness: LoginRandomness,
    return_to: &str,
    now_ms: f64,
    previous: Option<PreviousUser<'_>>,
) -> AuthorizationRequest {
    let options = LoginOptions { resume_for: previous, silent: true, ..LoginOptions::default() };
    login_request(config, metadata, randomness, return_to, now_ms, &options)
}

/// `silent`: `None` for a login, `Some(sub)` for a `prompt=none` resume (for that user, if known).
fn build(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    randomness: LoginRandomness,
    return_to: &str,
    now_ms: f64,
    silent: Option<Option<&str>>,
    options: &LoginOptions<'_>,
) -> AuthorizationRequest {
    let dpop_jkt = options.dpop_jkt.filter(|_| options.dpop);
    let prompt = silent.map(|_| "none");
    let login_hint = silent.flatten();
    let pkce = PkcePair::from_random(randomness.verifier);
    let state = state_from_random(randomness.state);
    let nonce = nonce_from_random(randomness.nonce);

    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", &config.client_id),
        ("redirect_uri", &config.redirect_uri),
        ("scope", &config.scope),
        ("state", state.secret()),
        ("nonce", nonce.secret()),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
    ];
    let max_age = config.max_age.map(|secs| secs.to_string());
    params.extend(max_age.as_deref().map(|secs| ("max_age", secs)));
    params.extend(config.acr_values.as_deref().map(|values| ("acr_values", values)));
    let overridden =
        |name: &str| (prompt.is_some() && name == "prompt") || (login_hint.is_some() && name == "login_hint");
    let extra = config.extra_auth_params.iter().filter(|(k, _)| !overridden(k));
    params.extend(extra.map(|(k, v)| (k.as_str(), v.as_str())));
    params.extend(prompt.map(|p| ("prompt", p)));
    params.extend(login_hint.map(|sub| ("login_hint", sub)));
    params.extend(dpop_jkt.map(|jkt| ("dpop_jkt", jkt)));

    let endpoint = &metadata.authorization_endpoint;
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    let url = format!("{endpoint}{separator}{}", form_encode(params.iter().copied()));
    let params = params.into_iter().map(|(name, value)| (name.to_owned(), value.to_owned())).collect();

    let pending = PendingLogin {
        verifier: pkce.verifier,
        nonce,
        issuer: metadata.issuer.clone(),
        client_id: config.client_id.clone(),
        token_endpoint: metadata.token_endpoint.clone(),
        jwks_uri: metadata.jwks_uri.clone(),
        iss_required: metadata.authorization_response_iss_parameter_supported,
        redirect_uri: config.redirect_uri.clone(),
        created_at_ms: now_ms,
        return_to: safe_return_to(return_to).to_owned(),
        silent: prompt == Some("none"),
        max_age: config.max_age,
        acr_values: config.acr_values.clone(),
        expected_sub: login_hint.map(str::to_owned),
        dpop: options.dpop,
        dpop_jkt: dpop_jkt.map(str::to_owned),
    };
    AuthorizationRequest { url, params, state, code_challenge: pkce.challenge, pending }
}

/// Only same-origin absolute paths; anything that could leave the origin
/// (`//host`, `/\host`, `https:`, `javascript:`) becomes `/`.
pub fn safe_return_to(path: &str) -> &str {
    let is_local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control());
    if is_local {
        path
    } else {
        "/"
    }
}

/// The stored record is versioned, so a future format change is detected, not misread.
const STORED_VERSION: u8 = 2;

impl PendingLogin {
    /// The storage key name for the login with this `state` (before the app's prefix).
    pub fn storage_name(state: &State) -> String {
        format!("{PENDING_NAME_PREFIX}{}", state.secret())
    }

    /// The record as stored.
    pub fn to_storage_json(&self) -> String {
        Object::new()
            .with("v", u64::from(STORED_VERSION))
            .with("verifier", self.verifier.secret())
            .with("nonce", self.nonce.secret())
            .with("issuer", self.issuer.as_str())
            .with("client_id", self.client_id.as_str())
            .with("token_endpoint", self.token_endpoint.as_str())
            .with("jwks_uri", self.jwks_uri.as_deref())
            .with("iss_required", self.iss_required)
            .with("redirect_uri", self.redirect_uri.as_str())
            .with("created_at_ms", Json::millis(self.created_at_ms))
            .with("return_to", self.return_to.as_str())
            .with("silent", self.silent)
            .with("max_age", self.max_age.map(u64::from))
            .with("acr_values", self.acr_values.as_deref())
            .with("expected_sub", self.expected_sub.as_deref())
            .with("dpop", self.dpop)
            .with("dpop_jkt", self.dpop_jkt.as_deref())
            .to_json_string()
    }

    /// `None` for anything malformed: storage is outside our control.
    pub fn from_storage_json(json: &str) -> Option<Self> {
        let stored = Json::parse_object(json).ok()?;
        let text = |name| stored.str(name).ok().map(str::to_owned);
        let verifier = text("verifier")?;
        if stored.opt_u64("v").ok()? != Some(u64::from(STORED_VERSION)) || !is_valid_verifier(&verifier) {
            return None;
        }
        Some(Self {
            verifier: CodeVerifier::new(verifier),
            nonce: Nonce::new(text("nonce")?),
            issuer: text("issuer")?,
            client_id: text("client_id")?,
            token_endpoint: text("token_endpoint")?,
            jwks_uri: stored.opt_string("jwks_uri").ok()?,
            iss_required: stored.opt_bool("iss_required").ok()??,
            redirect_uri: text("redirect_uri")?,
            created_at_ms: stored.opt_millis("created_at_ms").ok()??,
            return_to: safe_return_to(&text("return_to")?).to_owned(),
            silent: stored.opt_bool("silent").ok()?.unwrap_or(false),
            max_age: match stored.opt_u64("max_age").ok()? {
                Some(secs) => Some(u32::try_from(secs).ok()?),
                None => None,
            },
            acr_values: stored.opt_string("acr_values").ok()?,
            expected_sub: stored.opt_string("expected_sub").ok()?,
            dpop: stored.opt_bool("dpop").ok()?.unwrap_or(false),
            dpop_jkt: stored.opt_string("dpop_jkt").ok()?,
        })
    }

    /// Expired, or created well in the future (the clock jumped back): not trusted.
    pub fn is_expired(&self, now_ms: f64) -> bool {
        const CLOCK_STEP_TOLERANCE_MS: f64 = 60_000.0;
        let age = now_ms - self.created_at_ms;
        !(-CLOCK_STEP_TOLERANCE_MS..=PENDING_LOGIN_TTL_MS).contains(&age)
    }
}

//! The authorization response on the redirect URI (RFC 6749 §4.1.2, RFC 9207).
//! Only [`validate_callback`] makes a [`ValidatedCallback`], and only a
//! `ValidatedCallback` can become a token request.

use crate::authorize::PendingLogin;
use crate::encoding::parse_query;
use crate::provider::Provider;
use crate::secret::{AuthorizationCode, CodeVerifier, Nonce, State};

/// The error a provider put on the redirect (RFC 6749 §4.1.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The `error` code, e.g. `access_denied`.
    pub error: String,
    /// `error_description`, for people.
    pub description: Option<String>,
    /// `error_uri`.
    pub uri: Option<String>,
}

/// Why an authorization response was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackError {
    /// Not a query string (bad escapes, not UTF-8).
    Malformed,
    /// RFC 6749 §3.1: parameters must not be repeated. The name is kept only
    /// when it is one of the response's own (`code`, `state`, …), so an
    /// attacker's choice of name is never echoed into the page.
    DuplicateParameter(Option<&'static str>),
    /// Tokens have no business in a code-flow redirect (RFC 9700 §2.1.2).
    TokensInUrl,
    /// No `state`, so it cannot be matched to a login.
    MissingState,
    /// No pending login for this state: replayed, expired, tampered or from another browser.
    UnknownState,
    /// The pending login was started against another issuer than the one configured now.
    IssuerChanged,
    /// RFC 9207 §2.4: the provider advertises `iss` but the response has none.
    MissingIss,
    /// RFC 9207: `iss` names another issuer than the login was started at.
    IssMismatch {
        /// The issuer the login was started at.
        expected: String,
        /// The `iss` received.
        found: String,
    },
    /// The provider answered with an error (RFC 6749 §4.1.2.1).
    Provider(ProviderError),
    /// A `prompt=none` resume found no session at the provider (`login_required` …):
    /// the person is simply signed out.
    SilentLoginRefused(ProviderError),
    /// Neither a code nor an error.
    MissingCode,
}

/// OIDC Core §3.1.2.6: the answers to `prompt=none` that mean "needs the person".
const INTERACTION_NEEDED: &[&str] =
    &["login_required", "interaction_required", "consent_required", "account_selection_required"];

/// The parsed but not yet trusted redirect.
#[derive(Debug)]
pub struct CallbackResponse {
    state: Option<State>,
    code: Option<AuthorizationCode>,
    iss: Option<String>,
    error: Option<ProviderError>,
}

/// A callback whose state, issuer and code have all been checked. It carries the
/// pending login's verifier and nonce, which were taken out of storage for it.
#[derive(Debug)]
pub struct ValidatedCallback {
    pub(crate) code: AuthorizationCode,
    pub(crate) verifier: CodeVerifier,
    pub(crate) nonce: Nonce,
    pub(crate) issuer: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) token_endpoint: String,
    pub(crate) jwks_uri: Option<String>,
    pub(crate) return_to: String,
    pub(crate) max_age: Option<u32>,
    pub(crate) acr_values: Option<String>,
    pub(crate) expected_sub: Option<String>,
    pub(crate) dpop: bool,
    pub(crate) dpop_jkt: Option<String>,
}

impl ValidatedCallback {
    /// The nonce the ID token must carry.
    pub fn nonce(&self) -> &Nonce {
        &self.nonce
    }
    /// The issuer the login was started at, and the callback came from.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// The client the login is for.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
    /// The provider's key set, to fetch beside the token request.
    pub fn jwks_uri(&self) -> Option<&str> {
        self.jwks_uri.as_deref()
    }
    /// The `max_age` sent, for the ID token's `auth_time` check.
    pub fn max_age(&self) -> Option<u32> {
        self.max_age
    }
    /// The `acr_values` sent, for the ID token's `acr` check.
    pub fn acr_values(&self) -> Option<&str> {
        self.acr_values.as_deref()
    }
    /// The tokens are to be DPoP-bound: the token request carries a proof.
    pub fn dpop(&self) -> bool {
        self.dpop
    }
    /// The DPoP key's thumbprint the code is bound to, if any: the token
    /// request must carry a proof from that key.
    pub fn dpop_jkt(&self) -> Option<&str> {
        self.dpop_jkt.as_deref()
    }
    /// A resume must sign this `sub` in, and nobody else.
    pub fn expected_sub(&self) -> Option<&str> {
        self.expected_sub.as_deref()
    }
    /// Where to go once signed in (a same-origin path).
    pub fn return_to(&self) -> &str {
        &self.return_to
    }
    /// For the walkthrough, once the token request has spent it.
    pub fn verifier(&self) -> &CodeVerifier {
        &self.verifier
    }
}

const TOKEN_PARAMS: &[&str] = &["access_token", "id_token", "refresh_token", "token_type"];

/// The parameters an authorization response may carry.
const RESPONSE_PARAMS: &[&str] =
    &["code", "state", "iss", "error", "error_description", "error_uri", "session_state"];

/// Parse the redirect's query (`?…`) and fragment (`#…`).
pub fn parse_callback(query: &str, fragment: &str) -> Result<CallbackResponse, CallbackError> {
    let params = parse_query(query).map_err(|_| CallbackError::Malformed)?;
    // A fragment that is not a query string is an in-page anchor and carries nothing.
    let fragment_params = parse_query(fragment).unwrap_or_default();
    if params.iter().chain(&fragment_params).any(|(k, _)| TOKEN_PARAMS.contains(&k.as_str())) {
        return Err(CallbackError::TokensInUrl);
    }
    for (i, (key, _)) in params.iter().enumerate() {
        if params[..i].iter().any(|(earlier, _)| earlier == key) {
            let known = RESPONSE_PARAMS.iter().find(|name| **name == key.as_str()).copied();
            return Err(CallbackError::DuplicateParameter(known));
        }
    }
    let get =
        |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    // An empty `iss=` is an issuer that is not ours, not a missing one (RFC 9207 §2.4).
    let iss = params.iter().find(|(k, _)| k == "iss").map(|(_, v)| v.clone());
    Ok(CallbackResponse {
        state: get("state").map(State::new),
        code: get("code").map(AuthorizationCode::new),
        iss,
        error: get("error").map(|error| ProviderError {
            error,
            description: get("error_description"),
            uri: get("error_uri"),
        }),
    })
}

/// True when the URL carries anything a callback would (so a bare `/callback` is not one).
pub fn looks_like_callback(query: &str) -> bool {
    parse_query(query)
        .map(|params| params.iter().any(|(k, _)| matches!(k.as_str(), "code" | "state" | "error")))
        .unwrap_or(true)
}

impl CallbackResponse {
    /// The `iss` parameter (RFC 9207), if any.
    pub fn iss(&self) -> Option<&str> {
        self.iss.as_deref()
    }

    /// Every parameter that came back, for the trace (which masks the secret ones).
    pub fn parameters(&self) -> Vec<(&'static str, &str)> {
        let mut parameters = Vec::new();
        if let Some(code) = &self.code {
            parameters.push(("code", code.secret()));
        }
        if let Some(state) = &self.state {
            parameters.push(("state", state.secret()));
        }
        if let Some(iss) = &self.iss {
            parameters.push(("iss", iss.as_str()));
        }
        if let Some(error) = &self.error {
            parameters.push(("error", error.error.as_str()));
            if let Some(description) = &error.description {
                parameters.push(("error_description", description.as_str()));
            }
        }
        parameters
    }

    /// The key to look the pending login up by.
    pub fn state(&self) -> Result<&State, CallbackError> {
        self.state.as_ref().ok_or(CallbackError::MissingState)
    }
}

/// Check the redirect against the pending login taken out of storage for its
/// state. The pending record holds what the login page checked (issuer,
/// client, token endpoint), so the code can be exchanged before anything else
/// is loaded; [`confirm_provider`] then checks that against the deployed
/// configuration. The order matters: the issuer is checked before a provider
/// error is believed, so a mix-up attacker cannot forge error screens either
/// (RFC 9207 §2.4).
pub fn validate_callback(
    response: CallbackResponse,
    pending: Option<PendingLogin>,
    now_ms: f64,
) -> Result<ValidatedCallback, CallbackError> {
    response.state()?;
    let pending = pending.filter(|p| !p.is_expired(now_ms)).ok_or(CallbackError::UnknownState)?;
    match response.iss {
        Some(iss) if iss != pending.issuer => {
            return Err(CallbackError::IssMismatch { expected: pending.issuer, found: iss });
        }
        None if pending.iss_required => {
            return Err(CallbackError::MissingIss);
        }
        _ => {}
    }
    if let Some(error) = response.error {
        if pending.silent && INTERACTION_NEEDED.contains(&error.error.as_str()) {
            return Err(CallbackError::SilentLoginRefused(error));
        }
        return Err(CallbackError::Provider(error));
    }
    let code = response.code.ok_or(CallbackError::MissingCode)?;
    Ok(ValidatedCallback {
        code,
        verifier: pending.verifier,
        nonce: pending.nonce,
        issuer: pending.issuer,
        client_id: pending.client_id,
        redirect_uri: pending.redirect_uri,
        token_endpoint: pending.token_endpoint,
        jwks_uri: pending.jwks_uri,
        return_to: pending.return_to,
        max_age: pending.max_age,
        acr_values: pending.acr_values,
        expected_sub: pending.expected_sub,
        dpop: pending.dpop,
        dpop_jkt: pending.dpop_jkt,
    })
}

/// The login must be for the provider and client configured now (read at
/// this page load): else the tokens are not used.
pub fn confirm_provider(callback: &ValidatedCallback, provider: &Provider) -> Result<(), CallbackError> {
    let same = callback.issuer == provider.metadata.issuer
        && callback.client_id == provider.config.client_id
        && callback.token_endpoint == provider.metadata.token_endpoint;
    if same {
        Ok(())
    } else {
        Err(CallbackError::IssuerChanged)
    }
}

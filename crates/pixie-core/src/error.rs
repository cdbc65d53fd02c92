//! One error type for the whole flow, [`AuthError`], with a stable machine code
//! ([`AuthError::code`], shown in the demo's `#error`) and a message that says
//! what happened and what to change. Every step's own error type converts into
//! it, and each implements `Display` and `std::error::Error`.

use core::fmt;

use crate::callback::CallbackError;
use crate::config::ConfigError;
use crate::discovery::DiscoveryError;
use crate::dpop::DpopError;
use crate::id_token::IdTokenError;
use crate::jwks::JwksError;
use crate::jwt::JwtError;
use crate::par::ParError;
use crate::presets::Diagnosed;
use crate::token::TokenError;
use crate::userinfo::UserinfoError;

/// Anything that stops a login, a refresh or an authorized request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// The configuration document could not be fetched (`status` is `None` when no response came).
    ConfigUnavailable {
        /// The HTTP status, when the server answered.
        status: Option<u16>,
    },
    /// The configuration is invalid; the error names the field.
    Config(ConfigError),
    /// The provider's discovery document is unusable.
    Discovery(DiscoveryError),
    /// The authorization response on the redirect URI was refused.
    Callback(CallbackError),
    /// The token endpoint refused, or answered something unusable.
    Token(TokenError),
    /// The ID token failed a check.
    IdToken(IdTokenError),
    /// The provider's key set is unusable.
    Jwks(JwksError),
    /// The userinfo response was refused.
    Userinfo(UserinfoError),
    /// DPoP (RFC 9449) could not be used as configured.
    Dpop(DpopError),
    /// The pushed authorization request (RFC 9126) failed.
    Par(ParError),
    /// fetch() itself failed: offline, DNS, or a CORS refusal (the browser hides which).
    Network {
        /// What the request was for, e.g. `"the token request"`.
        during: &'static str,
        /// What the browser said.
        detail: String,
    },
    /// A refresh was asked for, but the provider issued no refresh token.
    NoRefreshToken,
    /// An authorized request with nobody signed in.
    NotSignedIn,
    /// sessionStorage is unavailable (private mode, quota), so a login cannot be kept.
    Storage(String),
    /// A part of the app's own code, fetched when first needed (a build cut into
    /// parts), could not be loaded: the network failed, or the server lacks a
    /// file of this build.
    AppCodeUnavailable {
        /// What the part does, e.g. `"signed-in"`.
        part: &'static str,
        /// What the browser said.
        detail: String,
    },
    /// An error of the login with what to change at the provider
    /// ([`crate::presets::diagnose_login_error`]); its code is the error's own.
    Diagnosed(Box<Diagnosed>),
}

impl AuthError {
    /// The error itself, without the fix a diagnosis added: match on this.
    pub fn cause(&self) -> &AuthError {
        match self {
            Self::Diagnosed(diagnosed) => diagnosed.error.cause(),
            error => error,
        }
    }

    /// What to change at the provider, when Pixie could tell.
    pub fn fix(&self) -> Option<&str> {
        match self {
            Self::Diagnosed(diagnosed) => Some(&diagnosed.fix),
            _ => None,
        }
    }

    /// Stable, machine-readable code. Provider errors keep the provider's own code.
    pub fn code(&self) -> String {
        let code: &str = match self {
            Self::Diagnosed(diagnosed) => return diagnosed.error.code(),
            Self::ConfigUnavailable { .. } => "config_unavailable",
            Self::Config(_) => "config_invalid",
            Self::Discovery(e) => match e {
                DiscoveryError::Http { .. } => "discovery_http_error",
                DiscoveryError::NotJson => "discovery_not_json",
                DiscoveryError::Invalid(_) => "discovery_invalid",
                DiscoveryError::IssuerMismatch { .. } => "discovery_issuer_mismatch",
                DiscoveryError::InsecureEndpoint { .. } => "discovery_insecure_endpoint",
                DiscoveryError::S256Unsupported => "discovery_s256_unsupported",
            },
            Self::Callback(e) => match e {
                CallbackError::Malformed => "malformed_callback",
                CallbackError::DuplicateParameter(_) => "duplicate_parameter",
                CallbackError::TokensInUrl => "tokens_in_url",
                CallbackError::MissingState => "missing_state",
                CallbackError::UnknownState => "unknown_state",
                CallbackError::IssuerChanged => "issuer_changed",
                CallbackError::MissingIss => "missing_iss",
                CallbackError::IssMismatch { .. } => "iss_mismatch",
                CallbackError::Provider(p) | CallbackError::SilentLoginRefused(p) => {
                    return sanitize_code(&p.error)
                }
                CallbackError::MissingCode => "missing_code",
            },
            Self::Token(e) => match e {
                TokenError::OAuth { code, .. } => return sanitize_code(code.as_str()),
                TokenError::Http { .. } => "token_http_error",
                TokenError::NotJson { .. } => "token_response_not_json",
                TokenError::Invalid(_) => "token_response_invalid",
                TokenError::UnsupportedTokenType(_) => "unsupported_token_type",
                TokenError::MissingIdToken => "missing_id_token",
            },
            Self::IdToken(e) => match e {
                IdTokenError::Malformed(JwtError::Encrypted) => "id_token_encrypted",
                IdTokenError::Malformed(_) => "id_token_malformed",
                IdTokenError::MissingClaim(_) => "id_token_missing_claim",
                IdTokenError::InvalidClaim(_) => "id_token_invalid_claim",
                IdTokenError::IssuerMismatch { .. } => "id_token_iss_mismatch",
                IdTokenError::AudienceMismatch => "id_token_aud_mismatch",
                IdTokenError::MissingAzp => "id_token_azp_missing",
                IdTokenError::AzpMismatch => "id_token_azp_mismatch",
                IdTokenError::AlgorithmNotAllowed(_) => "id_token_alg_not_allowed",
                IdTokenError::UnknownKey => "id_token_unknown_key",
                IdTokenError::AmbiguousKey => "id_token_ambiguous_key",
                IdTokenError::BadSignature => "id_token_bad_signature",
                IdTokenError::Expired { .. } => "id_token_expired",
                IdTokenError::IssuedInFuture { .. } => "id_token_iat_in_future",
                IdTokenError::NonceMismatch => "id_token_nonce_mismatch",
                IdTokenError::RefreshChanged(_) => "id_token_refresh_mismatch",
                IdTokenError::UnsupportedCritical(_) => "id_token_crit_unsupported",
                IdTokenError::WrongType(_) => "id_token_typ_invalid",
                IdTokenError::UntrustedAudience(_) => "id_token_aud_untrusted",
                IdTokenError::NotYetValid { .. } => "id_token_nbf_in_future",
                IdTokenError::AcrNotSatisfied { .. } => "id_token_acr_not_satisfied",
                IdTokenError::AuthTooOld { .. } => "id_token_auth_time_too_old",
                IdTokenError::DifferentUser => "different_user_at_provider",
            },
            Self::Jwks(e) => match e {
                JwksError::Http { .. } => "jwks_http_error",
                JwksError::NotJson => "jwks_not_json",
                JwksError::Invalid(_) => "jwks_invalid",
            },
            Self::Userinfo(e) => match e {
                UserinfoError::Http { .. } => "userinfo_http_error",
                UserinfoError::NotJson { .. } => "userinfo_not_json",
                UserinfoError::Invalid(_) => "userinfo_invalid",
                UserinfoError::SubMismatch => "userinfo_sub_mismatch",
            },
            Self::Dpop(e) => match e {
                DpopError::Unsupported => "dpop_unsupported",
                DpopError::NotBound { .. } => "dpop_not_bound",
                DpopError::Key(_) => "dpop_key_unavailable",
            },
            Self::Par(e) => match e {
                ParError::NoEndpoint => "par_unsupported",
                ParError::OAuth { code, .. } => return sanitize_code(code),
                ParError::Invalid(_) => "par_response_invalid",
            },
            Self::Network { .. } => "network_error",
            Self::NoRefreshToken => "no_refresh_token",
            Self::NotSignedIn => "not_signed_in",
            Self::Storage(_) => "storage_unavailable",
            Self::AppCodeUnavailable { .. } => "app_code_unavailable",
        };
        code.to_owned()
    }

    /// What happened, in one or two sentences a person can act on (the same text as `Display`).
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The provider's own `error_description`, when there is one.
    pub fn provider_description(&self) -> Option<&str> {
        match self {
            Self::Diagnosed(diagnosed) => diagnosed.error.provider_description(),
            Self::Callback(CallbackError::Provider(p) | CallbackError::SilentLoginRefused(p)) => {
                p.description.as_deref()
            }
            Self::Token(TokenError::OAuth { description, .. }) => description.as_deref(),
            Self::Token(TokenError::Http { body_excerpt, .. }) => Some(body_excerpt),
            Self::Par(ParError::OAuth { description, .. }) => description.as_deref(),
            _ => None,
        }
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ConfigUnavailable { status: Some(status) } => write!(
                f,
                "The configuration (config.json) could not be loaded: HTTP {status}. Serve it next to index.html, without a login in front of it."
            ),
            Self::ConfigUnavailable { status: None } => f.write_str(
                "The configuration (config.json) could not be loaded. Serve it next to index.html, from the app's own origin.",
            ),
            Self::Diagnosed(diagnosed) => write!(f, "{} {}", diagnosed.error, diagnosed.fix),
            Self::Config(e) => e.fmt(f),
            Self::Discovery(e) => e.fmt(f),
            Self::Callback(e) => e.fmt(f),
            Self::Token(e) => e.fmt(f),
            Self::IdToken(e) => e.fmt(f),
            Self::Jwks(e) => e.fmt(f),
            Self::Userinfo(e) => e.fmt(f),
            Self::Dpop(e) => e.fmt(f),
            Self::Par(e) => e.fmt(f),
            Self::Network { during, detail } => write!(
                f,
                "The network request for {during} failed ({detail}). Check that the provider is up and allows this app's origin for CORS."
            ),
            Self::NoRefreshToken => f.write_str(
                "The provider issued no refresh token, so the session cannot be refreshed. Allow the refresh_token grant for this client (some providers also need the offline_access scope).",
            ),
            Self::NotSignedIn => f.write_str("Nobody is signed in. Log in first."),
            Self::AppCodeUnavailable { part, detail } => write!(
                f,
                "This app's {part} code could not be loaded ({detail}). Check the connection and reload the page; if it keeps failing, the server is missing files of this build: deploy every file of a build together."
            ),
            Self::Storage(why) => write!(
                f,
                "sessionStorage is not available ({why}), so a login cannot be started. Leave private browsing or allow site data for this app."
            ),
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Diagnosed(diagnosed) => Some(&diagnosed.error),
            Self::Config(e) => Some(e),
            Self::Discovery(e) => Some(e),
            Self::Callback(e) => Some(e),
            Self::Token(e) => Some(e),
            Self::IdToken(e) => Some(e),
            Self::Jwks(e) => Some(e),
            Self::Userinfo(e) => Some(e),
            Self::Dpop(e) => Some(e),
            Self::Par(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http { status } => write!(
                f,
                "The provider's discovery document answered HTTP {status}. Check `issuer` in config.json: Pixie reads <issuer>/.well-known/openid-configuration."
            ),
            Self::NotJson => f.write_str(
                "The provider's discovery document is not JSON. Check `issuer` in config.json: it must be the provider's issuer URL, not its home page.",
            ),
            Self::Invalid(why) => write!(f, "The provider's discovery document is invalid: {why}."),
            Self::IssuerMismatch { expected, found } if found.contains("{tenantid}") => write!(
                f,
                "The discovery document names issuer {found}, a template, but config.json says {expected}. This is Microsoft Entra ID's multi-tenant document: set \"provider\": \"entra\" in config.json."
            ),
            Self::IssuerMismatch { expected, found } => write!(
                f,
                "The discovery document names issuer {found}, but config.json says {expected}. Set `issuer` to exactly {found}, trailing slash included."
            ),
            Self::InsecureEndpoint { field, url } => write!(
                f,
                "The provider's {field} ({url}) is not https, so codes and tokens could travel in clear text. Fix the provider's configuration."
            ),
            Self::S256Unsupported => f.write_str(
                "The provider does not support PKCE with S256, which a public client needs. Enable S256 PKCE for this client at the provider.",
            ),
        }
    }
}

impl fmt::Display for CallbackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed => f.write_str("The login response in the address bar is malformed. Start a new login."),
            Self::DuplicateParameter(Some(name)) => {
                write!(f, "The login response repeats the `{name}` parameter, which is not allowed. Start a new login.")
            }
            Self::DuplicateParameter(None) => {
                f.write_str("The login response repeats a parameter, which is not allowed. Start a new login.")
            }
            Self::TokensInUrl => f.write_str(
                "The login response carried tokens in the URL. Pixie only accepts an authorization code: set the client's response type to `code` at the provider.",
            ),
            Self::MissingState => f.write_str(
                "The login response has no state, so it cannot be matched to a login started here. Start a new login from this app.",
            ),
            Self::UnknownState => f.write_str("This login link was already used or has expired. Start a new login."),
            Self::IssuerChanged => f.write_str(
                "The login was started against a different provider than the one configured now. Start a new login.",
            ),
            Self::MissingIss => f.write_str(
                "The login response has no `iss`, although the provider promises one (RFC 9207). It may come from another provider. Start a new login.",
            ),
            Self::IssMismatch { expected, found } => write!(
                f,
                "The login response came from issuer {found}, but the login was started at {expected} (RFC 9207 mix-up defence). Start a new login."
            ),
            Self::Provider(_) => f.write_str("The provider refused the login."),
            Self::SilentLoginRefused(_) => f.write_str("There is no session at the provider to resume. Log in again."),
            Self::MissingCode => f.write_str("The login response has no authorization code. Start a new login."),
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OAuth { status, .. } => write!(f, "The token endpoint refused the request (HTTP {status})."),
            Self::Http { status, .. } => write!(
                f,
                "The token endpoint answered HTTP {status} without an OAuth error. Check the provider's token_endpoint and any proxy in front of it."
            ),
            Self::NotJson { content_type } => write!(
                f,
                "The token endpoint answered with {} instead of JSON. Check the provider's token_endpoint.",
                content_type.as_deref().unwrap_or("no content type")
            ),
            Self::Invalid(why) => write!(f, "The token response is invalid: {why}."),
            Self::UnsupportedTokenType(kind) => {
                write!(f, "The token type `{kind}` is not supported; Pixie uses Bearer tokens. Configure the client for Bearer tokens.")
            }
            Self::MissingIdToken => f.write_str(
                "The token response has no ID token, although `openid` was requested. Enable OpenID Connect for this client at the provider.",
            ),
        }
    }
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(JwtError::Encrypted) => f.write_str(
                "The ID token is encrypted, which Pixie does not register for. Turn off ID-token encryption for this client.",
            ),
            Self::Malformed(_) => f.write_str("The ID token is not a well-formed JWS."),
            Self::MissingClaim(name) => write!(f, "The ID token has no `{name}` claim."),
            Self::InvalidClaim(name) => write!(f, "The ID token's `{name}` claim is invalid."),
            Self::IssuerMismatch { expected, found } => {
                write!(f, "The ID token was issued by {found}, not {expected}.")
            }
            Self::AudienceMismatch => f.write_str(
                "The ID token is not meant for this client (aud). Check `client_id` in config.json.",
            ),
            Self::MissingAzp => f.write_str("The ID token has several audiences but no azp."),
            Self::AzpMismatch => f.write_str("The ID token's azp is not this client. Check `client_id` in config.json."),
            Self::AlgorithmNotAllowed(alg) => write!(
                f,
                "The ID token uses the algorithm `{alg}`, which is not allowed. Sign ID tokens for this client with RS256, PS256, ES256 or EdDSA."
            ),
            Self::UnknownKey => f.write_str(
                "The ID token was signed with a key the provider does not publish (checked twice, for key rotation).",
            ),
            Self::AmbiguousKey => f.write_str(
                "The ID token names no key (kid) and the provider publishes several that could fit. The provider must send a kid.",
            ),
            Self::BadSignature => f.write_str(
                "The ID token's signature does not verify: it was altered or not issued by this provider.",
            ),
            Self::Expired { exp, now } => write!(
                f,
                "The ID token expired {}s ago. If it was just issued, check the device clock.",
                now.saturating_sub(*exp)
            ),
            Self::IssuedInFuture { iat, now } => write!(
                f,
                "The ID token claims to be issued {}s in the future. Check the device clock.",
                iat.saturating_sub(*now)
            ),
            Self::NonceMismatch => f.write_str("The ID token's nonce does not match this login (possible replay). Start a new login."),
            Self::RefreshChanged(claim) => {
                write!(f, "The refreshed ID token has a different `{claim}` than the original (OIDC Core §12.2). Log in again.")
            }
            Self::UnsupportedCritical(names) => write!(
                f,
                "The ID token's header marks extensions as critical ({}), which Pixie does not understand, so it is refused (RFC 7515 §4.1.11).",
                names.join(", ")
            ),
            Self::WrongType(typ) => write!(
                f,
                "The token offered as the ID token says it is a `{typ}`, not an ID token (RFC 8725 §3.11)."
            ),
            Self::UntrustedAudience(_) => f.write_str(
                "The ID token is also meant for another audience than this client, which Pixie does not trust (OIDC Core §3.1.3.7 step 3). Configure the provider to issue ID tokens for this client alone.",
            ),
            Self::NotYetValid { nbf, now } => write!(
                f,
                "The ID token is not valid for another {}s (nbf). Check the device clock.",
                nbf.saturating_sub(*now)
            ),
            Self::AcrNotSatisfied { requested, .. } => write!(
                f,
                "The provider did not authenticate you at the level asked for (acr_values {requested}). Log in again, or check acr_values in config.json."
            ),
            Self::DifferentUser => f.write_str(
                "Someone else is signed in at the provider than in this tab before the reload, so the tab did not switch to them. Log in to continue.",
            ),
            Self::AuthTooOld { max_age, .. } => write!(
                f,
                "The provider reused a sign-in older than max_age ({max_age} s) allows. Log in again."
            ),
        }
    }
}

impl fmt::Display for JwtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Encrypted => f.write_str("an encrypted JWT (JWE), which is not accepted"),
            Self::NotCompactJws => f.write_str("not a compact JWS (three base64url parts)"),
            Self::BadBase64 { part } => write!(f, "the {part} is not base64url"),
            Self::BadHeader(why) => write!(f, "the header is invalid: {why}"),
            Self::BadClaims(why) => write!(f, "the claims are invalid: {why}"),
        }
    }
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http { status } => write!(
                f,
                "The provider's key set (JWKS) answered HTTP {status}. Check the provider's jwks_uri."
            ),
            Self::NotJson => {
                f.write_str("The provider's key set (JWKS) is not JSON. Check the provider's jwks_uri.")
            }
            Self::Invalid(why) => write!(f, "The provider's key set (JWKS) is invalid: {why}."),
        }
    }
}

impl fmt::Display for UserinfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http { status } => write!(f, "The userinfo endpoint answered HTTP {status}."),
            Self::NotJson { .. } => f.write_str(
                "The userinfo response is not JSON. Turn off signed or encrypted userinfo for this client.",
            ),
            Self::Invalid(why) => write!(f, "The userinfo response is invalid: {why}."),
            Self::SubMismatch => f.write_str(
                "The userinfo response is about another user than the ID token, so it was discarded.",
            ),
        }
    }
}

macro_rules! std_error {
    ($($source:ty),* $(,)?) => {
        $(impl std::error::Error for $source {})*
    };
}

std_error!(
    ConfigError,
    DiscoveryError,
    CallbackError,
    TokenError,
    IdTokenError,
    JwtError,
    JwksError,
    UserinfoError,
    DpopError,
    ParError
);

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unsupported => f.write_str(
                "config.json asks for DPoP (\"dpop\": \"required\"), but the provider does not list ES256 in dpop_signing_alg_values_supported. Enable DPoP at the provider, or set \"dpop\" to \"auto\".",
            ),
            Self::NotBound { token_type } => write!(
                f,
                "config.json asks for DPoP-bound tokens (\"dpop\": \"required\"), but the provider issued a `{token_type}` token. Enable DPoP-bound tokens for this client at the provider."
            ),
            Self::Key(why) => write!(
                f,
                "The DPoP key could not be made or used ({why}). DPoP needs WebCrypto and IndexedDB; set \"dpop\" to \"off\" where they are missing."
            ),
        }
    }
}

impl fmt::Display for ParError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoEndpoint => f.write_str(
                "Pushed authorization requests are required, but the provider publishes no pushed_authorization_request_endpoint. Enable PAR at the provider, or set \"par\" to \"auto\".",
            ),
            Self::OAuth { status, .. } => write!(f, "The provider refused the pushed authorization request (HTTP {status})."),
            Self::Invalid(why) => write!(f, "The provider's answer to the pushed authorization request is invalid: {why}."),
        }
    }
}

/// A provider's error code goes into the page, so keep it to RFC 6749's charset and a sane length.
fn sanitize_code(code: &str) -> String {
    let clean: String = code
        .chars()
        .filter(|c| matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'))
        .take(64)
        .collect();
    if clean.is_empty() {
        "provider_error".to_owned()
    } else {
        clean
    }
}

macro_rules! from_error {
    ($($source:ty => $variant:ident),* $(,)?) => {
        $(impl From<$source> for AuthError {
            fn from(e: $source) -> Self {
                Self::$variant(e)
            }
        })*
    };
}

from_error!(
    ConfigError => Config,
    DiscoveryError => Discovery,
    CallbackError => Callback,
    TokenError => Token,
    IdTokenError => IdToken,
    JwksError => Jwks,
    UserinfoError => Userinfo,
    DpopError => Dpop,
    ParError => Par,
);

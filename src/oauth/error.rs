//! One error type for the whole flow, with a stable machine code (shown in `#error`)
//! and a sentence for people.

use super::callback::CallbackError;
use super::config::ConfigError;
use super::discovery::DiscoveryError;
use super::id_token::IdTokenError;
use super::jwks::JwksError;
use super::jwt::JwtError;
use super::token::TokenError;
use super::userinfo::UserinfoError;

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlowError {
    ConfigUnavailable {
        status: Option<u16>,
    },
    Config(ConfigError),
    Discovery(DiscoveryError),
    Callback(CallbackError),
    Token(TokenError),
    IdToken(IdTokenError),
    Jwks(JwksError),
    Userinfo(UserinfoError),
    /// fetch() itself failed: offline, DNS, or a CORS refusal (the browser hides which).
    Network {
        during: &'static str,
        detail: String,
    },
    /// A refresh was asked for, but the provider issued no refresh token.
    NoRefreshToken,
    /// An authorized request with nobody signed in.
    NotSignedIn,
    /// sessionStorage is unavailable (private mode, quota), so a login cannot be kept.
    Storage(String),
}

impl FlowError {
    /// Stable, machine-readable code. Provider errors keep the provider's own code.
    pub fn code(&self) -> String {
        let code: &str = match self {
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
            Self::Network { .. } => "network_error",
            Self::NoRefreshToken => "no_refresh_token",
            Self::NotSignedIn => "not_signed_in",
            Self::Storage(_) => "storage_unavailable",
        };
        code.to_owned()
    }

    /// What happened, in one or two sentences a person can act on.
    pub fn message(&self) -> String {
        match self {
            Self::ConfigUnavailable { status: Some(status) } => {
                format!("config.json could not be loaded (HTTP {status}). Serve it next to index.html.")
            }
            Self::ConfigUnavailable { status: None } => {
                "config.json could not be loaded. Serve it next to index.html.".to_owned()
            }
            Self::Config(e) => e.to_string(),
            Self::Discovery(e) => match e {
                DiscoveryError::Http { status } => format!("The provider's discovery document answered HTTP {status}."),
                DiscoveryError::NotJson => "The provider's discovery document is not JSON.".to_owned(),
                DiscoveryError::Invalid(why) => format!("The provider's discovery document is invalid: {why}."),
                DiscoveryError::IssuerMismatch { expected, found } => format!(
                    "The discovery document names issuer {found}, but config.json says {expected}. They must match exactly."
                ),
                DiscoveryError::InsecureEndpoint { field, url } => {
                    format!("The provider's {field} ({url}) is not https.")
                }
                DiscoveryError::S256Unsupported => "The provider does not support PKCE with S256.".to_owned(),
            },
            Self::Callback(e) => match e {
                CallbackError::Malformed => "The login response in the address bar is malformed.".to_owned(),
                CallbackError::DuplicateParameter(name) => {
                    format!("The login response repeats the `{name}` parameter, which is not allowed.")
                }
                CallbackError::TokensInUrl => {
                    "The login response carried tokens in the URL. Pixie only accepts an authorization code.".to_owned()
                }
                CallbackError::MissingState => "The login response has no state, so it cannot be matched to a login started here.".to_owned(),
                CallbackError::UnknownState => {
                    "This login link was already used or has expired. Start a new login.".to_owned()
                }
                CallbackError::IssuerChanged => "The login was started against a different provider than the one configured now.".to_owned(),
                CallbackError::MissingIss => {
                    "The login response has no `iss`, although the provider promises one (RFC 9207). It may come from another provider.".to_owned()
                }
                CallbackError::IssMismatch { expected, found } => format!(
                    "The login response came from issuer {found}, but the login was started at {expected} (RFC 9207 mix-up defence)."
                ),
                CallbackError::Provider(_) => "The provider refused the login.".to_owned(),
                CallbackError::SilentLoginRefused(_) => {
                    "There is no session at the provider to resume. Log in again.".to_owned()
                }
                CallbackError::MissingCode => "The login response has no authorization code.".to_owned(),
            },
            Self::Token(e) => match e {
                TokenError::OAuth { status, .. } => format!("The token endpoint refused the code (HTTP {status})."),
                TokenError::Http { status, .. } => format!("The token endpoint answered HTTP {status} without an OAuth error."),
                TokenError::NotJson { content_type } => format!(
                    "The token endpoint answered with {} instead of JSON.",
                    content_type.as_deref().unwrap_or("no content type")
                ),
                TokenError::Invalid(why) => format!("The token response is invalid: {why}."),
                TokenError::UnsupportedTokenType(kind) => format!("The token type `{kind}` is not supported; Pixie needs Bearer."),
                TokenError::MissingIdToken => "The token response has no ID token, although `openid` was requested.".to_owned(),
            },
            Self::IdToken(e) => match e {
                IdTokenError::Malformed(JwtError::Encrypted) => "The ID token is encrypted, which Pixie does not register for.".to_owned(),
                IdTokenError::Malformed(_) => "The ID token is not a well-formed JWS.".to_owned(),
                IdTokenError::MissingClaim(name) => format!("The ID token has no `{name}` claim."),
                IdTokenError::InvalidClaim(name) => format!("The ID token's `{name}` claim is invalid."),
                IdTokenError::IssuerMismatch { expected, found } => {
                    format!("The ID token was issued by {found}, not {expected}.")
                }
                IdTokenError::AudienceMismatch => "The ID token is not meant for this client (aud).".to_owned(),
                IdTokenError::MissingAzp => "The ID token has several audiences but no azp.".to_owned(),
                IdTokenError::AzpMismatch => "The ID token's azp is not this client.".to_owned(),
                IdTokenError::AlgorithmNotAllowed(alg) => format!("The ID token uses the algorithm `{alg}`, which is not allowed."),
                IdTokenError::UnknownKey => {
                    "The ID token was signed with a key the provider does not publish (checked twice, for key rotation).".to_owned()
                }
                IdTokenError::AmbiguousKey => {
                    "The ID token names no key (kid) and the provider publishes several that could fit.".to_owned()
                }
                IdTokenError::BadSignature => {
                    "The ID token's signature does not verify: it was altered or not issued by this provider.".to_owned()
                }
                IdTokenError::Expired { exp, now } => format!("The ID token expired {}s ago.", now.saturating_sub(*exp)),
                IdTokenError::IssuedInFuture { iat, now } => {
                    format!("The ID token claims to be issued {}s in the future. Check the device clock.", iat.saturating_sub(*now))
                }
                IdTokenError::NonceMismatch => "The ID token's nonce does not match this login (possible replay).".to_owned(),
                IdTokenError::RefreshChanged(claim) => {
                    format!("The refreshed ID token has a different `{claim}` than the original (OIDC Core §12.2).")
                }
            },
            Self::Jwks(e) => match e {
                JwksError::Http { status } => format!("The provider's key set (JWKS) answered HTTP {status}."),
                JwksError::NotJson => "The provider's key set (JWKS) is not JSON.".to_owned(),
                JwksError::Invalid(why) => format!("The provider's key set (JWKS) is invalid: {why}."),
            },
            Self::Userinfo(e) => match e {
                UserinfoError::Http { status } => format!("The userinfo endpoint answered HTTP {status}."),
                UserinfoError::NotJson { .. } => "The userinfo response is not JSON.".to_owned(),
                UserinfoError::Invalid(why) => format!("The userinfo response is invalid: {why}."),
                UserinfoError::SubMismatch => "The userinfo response is about another user than the ID token.".to_owned(),
            },
            Self::Network { during, detail } => {
                format!("The network request for {during} failed ({detail}). The provider may be down, or not allow this origin (CORS).")
            }
            Self::NoRefreshToken => "The provider issued no refresh token, so the session cannot be refreshed.".to_owned(),
            Self::NotSignedIn => "Nobody is signed in.".to_owned(),
            Self::Storage(why) => format!("sessionStorage is not available ({why}), so a login cannot be started."),
        }
    }

    /// The provider's own `error_description`, when there is one.
    pub fn provider_description(&self) -> Option<&str> {
        match self {
            Self::Callback(CallbackError::Provider(p) | CallbackError::SilentLoginRefused(p)) => {
                p.description.as_deref()
            }
            Self::Token(TokenError::OAuth { description, .. }) => description.as_deref(),
            Self::Token(TokenError::Http { body_excerpt, .. }) => Some(body_excerpt),
            _ => None,
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
        $(impl From<$source> for FlowError {
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
);

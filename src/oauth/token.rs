//! The token request (RFC 6749 §4.1.3 + RFC 7636 §4.5) and its response (§5.1, §5.2).

use serde::Deserialize;
use serde_json::Value;

use super::callback::ValidatedCallback;
use super::encoding::form_encode;
use super::http::{HttpRequest, HttpResponse};
use super::secret::{AccessToken, IdToken, RefreshToken};

/// The request a public client sends: five fields, no secret, no Authorization header.
pub fn token_request(callback: &ValidatedCallback, client_id: &str, token_endpoint: &str) -> HttpRequest {
    let body = form_encode([
        ("grant_type", "authorization_code"),
        ("code", callback.code.secret()),
        ("redirect_uri", callback.redirect_uri.as_str()),
        ("client_id", client_id),
        ("code_verifier", callback.verifier.secret()),
    ]);
    HttpRequest::form_post(token_endpoint, body)
}

#[derive(Debug)]
pub struct TokenResponse {
    pub access_token: AccessToken,
    pub token_type: String,
    /// Seconds from receipt; the caller turns it into a local deadline.
    pub expires_in: Option<u64>,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: Option<IdToken>,
    pub scope: Option<String>,
}

/// RFC 6749 §5.2 error codes, plus whatever else a provider sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    Extension(String),
}

impl OAuthErrorCode {
    pub fn parse(code: &str) -> Self {
        match code {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            other => Self::Extension(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::Extension(code) => code,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The provider refused, with an RFC 6749 §5.2 error body.
    OAuth {
        code: OAuthErrorCode,
        description: Option<String>,
        uri: Option<String>,
        status: u16,
    },
    /// A non-200 answer without an OAuth error body (a proxy, a crash page).
    Http {
        status: u16,
        body_excerpt: String,
    },
    /// A 200 answer that is not JSON.
    NotJson {
        content_type: Option<String>,
    },
    Invalid(String),
    /// Only Bearer tokens are supported (DPoP is not, yet).
    UnsupportedTokenType(String),
    /// `openid` was requested, so an ID token is mandatory (OIDC Core §3.1.3.3).
    MissingIdToken,
}

#[derive(Deserialize)]
struct RawSuccess {
    access_token: String,
    token_type: String,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
    #[serde(default)]
    error_uri: Option<String>,
}

pub fn parse_token_response(response: &HttpResponse) -> Result<TokenResponse, TokenError> {
    if response.status != 200 {
        return Err(match serde_json::from_str::<RawError>(&response.body) {
            Ok(raw) if response.is_json() => TokenError::OAuth {
                code: OAuthErrorCode::parse(&raw.error),
                description: raw.error_description,
                uri: raw.error_uri,
                status: response.status,
            },
            _ => TokenError::Http { status: response.status, body_excerpt: excerpt(&response.body) },
        });
    }
    if !response.is_json() {
        return Err(TokenError::NotJson { content_type: response.content_type.clone() });
    }
    let raw: RawSuccess =
        serde_json::from_str(&response.body).map_err(|e| TokenError::Invalid(e.to_string()))?;
    if raw.access_token.is_empty() {
        return Err(TokenError::Invalid("access_token is empty".to_owned()));
    }
    if !raw.token_type.eq_ignore_ascii_case("bearer") {
        return Err(TokenError::UnsupportedTokenType(raw.token_type));
    }
    let expires_in = match raw.expires_in {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .ok_or_else(|| TokenError::Invalid("expires_in must be a non-negative integer".to_owned()))?,
        ),
        // Some providers (older Azure AD) send the number as a string.
        Some(Value::String(s)) => Some(
            s.parse()
                .map_err(|_| TokenError::Invalid("expires_in must be a non-negative integer".to_owned()))?,
        ),
        Some(_) => return Err(TokenError::Invalid("expires_in must be a number".to_owned())),
    };
    Ok(TokenResponse {
        access_token: AccessToken::new(raw.access_token),
        token_type: raw.token_type,
        expires_in,
        refresh_token: raw.refresh_token.filter(|t| !t.is_empty()).map(RefreshToken::new),
        id_token: raw.id_token.filter(|t| !t.is_empty()).map(IdToken::new),
        scope: raw.scope,
    })
}

/// Enough of an unexpected body to debug it, never a whole page.
fn excerpt(body: &str) -> String {
    const MAX_CHARS: usize = 200;
    let mut text: String = body.chars().take(MAX_CHARS).collect();
    if body.chars().count() > MAX_CHARS {
        text.push('…');
    }
    text
}

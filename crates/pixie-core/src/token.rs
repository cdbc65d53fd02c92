//! The token request (RFC 6749 §4.1.3 + RFC 7636 §4.5) and its response (§5.1, §5.2).

use crate::callback::ValidatedCallback;
use crate::encoding::form_encode;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::Json;
use crate::secret::{AccessToken, IdToken, RefreshToken};

/// The request a public client sends: five fields, no secret, no Authorization
/// header, to the token endpoint the login was started with.
pub fn token_request(callback: &ValidatedCallback) -> HttpRequest {
    let body = form_encode([
        ("grant_type", "authorization_code"),
        ("code", callback.code.secret()),
        ("redirect_uri", callback.redirect_uri.as_str()),
        ("client_id", callback.client_id.as_str()),
        ("code_verifier", callback.verifier.secret()),
    ]);
    HttpRequest::form_post(&callback.token_endpoint, body)
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: AccessToken,
    /// `Bearer`, or `DPoP` for a token bound to a DPoP key (RFC 9449 §5).
    pub token_type: String,
    /// Seconds from receipt; the caller turns it into a local deadline. A
    /// stated 0 is read as not stated: no token is useful for no time, and a
    /// deadline of "now" would refresh in a loop.
    pub expires_in: Option<u64>,
    /// The refresh token, if one was issued.
    pub refresh_token: Option<RefreshToken>,
    /// The ID token (required at login, optional on refresh).
    pub id_token: Option<IdToken>,
    /// The scope granted, when it differs from the one asked for (or always, at some providers).
    pub scope: Option<String>,
}

/// RFC 6749 §5.2 error codes, plus whatever else a provider sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`
    InvalidClient,
    /// `invalid_grant`: the code or refresh token is no good (expired, used, revoked).
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// Any other code.
    Extension(String),
}

impl OAuthErrorCode {
    /// The code as the provider sent it.
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

    /// The code as text.
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

/// Why a token response was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// The provider refused, with an RFC 6749 §5.2 error body.
    OAuth {
        /// `error`
        code: OAuthErrorCode,
        /// `error_description`
        description: Option<String>,
        /// `error_uri`
        uri: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// A non-200 answer without an OAuth error body (a proxy, a crash page).
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body, for debugging.
        body_excerpt: String,
    },
    /// A 200 answer that is not JSON.
    NotJson {
        /// The content type received.
        content_type: Option<String>,
    },
    /// JSON, but not a token response.
    Invalid(String),
    /// Only Bearer and DPoP tokens are supported.
    UnsupportedTokenType(String),
    /// `openid` was requested, so an ID token is mandatory (OIDC Core §3.1.3.3).
    MissingIdToken,
}

/// The token endpoint's answer to a code exchange or a refresh.
pub fn parse_token_response(response: &HttpResponse) -> Result<TokenResponse, TokenError> {
    if response.status != 200 {
        let error = Json::parse_object(&response.body).ok().filter(|_| response.is_json());
        let oauth_error = error.as_ref().and_then(|body| {
            Some(TokenError::OAuth {
                code: OAuthErrorCode::parse(body.str("error").ok()?),
                description: body.opt_string("error_description").ok()?,
                uri: body.opt_string("error_uri").ok()?,
                status: response.status,
            })
        });
        return Err(oauth_error.unwrap_or_else(|| TokenError::Http {
            status: response.status,
            body_excerpt: excerpt(&response.body),
        }));
    }
    if !response.is_json() {
        return Err(TokenError::NotJson { content_type: response.content_type.clone() });
    }
    let invalid = |e: &dyn core::fmt::Display| TokenError::Invalid(e.to_string());
    let body = Json::parse_object(&response.body).map_err(|e| invalid(&e))?;
    let access_token = body.str("access_token").map_err(|e| invalid(&e))?;
    let token_type = body.str("token_type").map_err(|e| invalid(&e))?;
    if access_token.is_empty() {
        return Err(TokenError::Invalid("access_token is empty".to_owned()));
    }
    if !token_type.eq_ignore_ascii_case("bearer") && !token_type.eq_ignore_ascii_case("dpop") {
        return Err(TokenError::UnsupportedTokenType(token_type.to_owned()));
    }
    let not_a_count = || TokenError::Invalid("expires_in must be a non-negative integer".to_owned());
    let expires_in = match body.get("expires_in") {
        None | Some(Json::Null) => None,
        Some(Json::Number(n)) => Some(n.as_u64().ok_or_else(not_a_count)?),
        // Some providers (older Azure AD) send the number as a string.
        Some(Json::String(s)) => Some(s.parse().map_err(|_| not_a_count())?),
        Some(_) => return Err(TokenError::Invalid("expires_in must be a number".to_owned())),
    };
    let optional = |name| body.opt_string(name).map_err(|e| invalid(&e));
    Ok(TokenResponse {
        access_token: AccessToken::new(access_token.to_owned()),
        token_type: token_type.to_owned(),
        expires_in: expires_in.filter(|secs| *secs > 0),
        refresh_token: optional("refresh_token")?.filter(|t| !t.is_empty()).map(RefreshToken::new),
        id_token: optional("id_token")?.filter(|t| !t.is_empty()).map(IdToken::new),
        scope: optional("scope")?,
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

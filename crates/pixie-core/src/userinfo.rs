//! The UserInfo request and response (OIDC Core §5.3).

use crate::json::{Json, Object};

use crate::http::{HttpRequest, HttpResponse};

/// The UserInfo request; the access token is added by whoever sends it
/// ([`crate::api::with_bearer`]), which also retries after a refresh.
pub fn userinfo_request(endpoint: &str) -> HttpRequest {
    HttpRequest::get_json(endpoint)
}

/// Why a userinfo response was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserinfoError {
    /// Not a 200.
    Http {
        /// The status received.
        status: u16,
    },
    /// Signed or encrypted userinfo (`application/jwt`) is not requested, so not accepted.
    NotJson {
        /// The content type received.
        content_type: Option<String>,
    },
    /// JSON, but not an object.
    Invalid(String),
    /// OIDC Core §5.3.2: `sub` must equal the ID token's, or the response is discarded.
    SubMismatch,
}

/// The UserInfo response: a JSON object whose `sub` is the ID token's.
pub fn parse_userinfo_response(response: &HttpResponse, expected_sub: &str) -> Result<Object, UserinfoError> {
    if response.status != 200 {
        return Err(UserinfoError::Http { status: response.status });
    }
    if !response.is_json() {
        return Err(UserinfoError::NotJson { content_type: response.content_type.clone() });
    }
    let claims = match Json::parse(&response.body) {
        Ok(Json::Object(claims)) => claims,
        Ok(_) => return Err(UserinfoError::Invalid("not a JSON object".to_owned())),
        Err(e) => return Err(UserinfoError::Invalid(e.to_string())),
    };
    if claims.get("sub").and_then(Json::as_str) != Some(expected_sub) {
        return Err(UserinfoError::SubMismatch);
    }
    Ok(claims)
}

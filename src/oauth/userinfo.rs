//! The UserInfo request and response (OIDC Core §5.3).

use super::json::{Json, Object};

use super::http::{HttpRequest, HttpResponse};
use super::secret::AccessToken;

pub fn userinfo_request(endpoint: &str, access_token: &AccessToken) -> HttpRequest {
    HttpRequest {
        method: "GET",
        url: endpoint.to_owned(),
        headers: vec![
            ("Authorization", format!("Bearer {}", access_token.secret())),
            ("Accept", "application/json".to_owned()),
        ],
        body: None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserinfoError {
    Http {
        status: u16,
    },
    /// Signed or encrypted userinfo (`application/jwt`) is not requested, so not accepted.
    NotJson {
        content_type: Option<String>,
    },
    Invalid(String),
    /// OIDC Core §5.3.2: `sub` must equal the ID token's, or the response is discarded.
    SubMismatch,
}

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

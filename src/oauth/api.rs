//! Calling a protected resource with the access token (RFC 6750 §2.1).

use super::http::{HttpRequest, HttpResponse};
use super::secret::AccessToken;

pub fn bearer_request(method: &'static str, url: &str, access_token: &AccessToken) -> HttpRequest {
    HttpRequest {
        method,
        url: url.to_owned(),
        headers: vec![("Authorization", format!("Bearer {}", access_token.secret()))],
        body: None,
    }
}

/// RFC 6750 §3: a 401 means the token was not accepted (expired or revoked),
/// which one refresh may fix. Any other status is the API's answer.
pub fn token_rejected(response: &HttpResponse) -> bool {
    response.status == 401
}

//! Calling a protected resource with the access token (RFC 6750 §2.1).

use crate::http::{HttpRequest, HttpResponse};
use crate::secret::AccessToken;

/// A request to a protected resource with the access token in the `Authorization` header.
pub fn bearer_request(method: &'static str, url: &str, access_token: &AccessToken) -> HttpRequest {
    with_bearer(HttpRequest::new(method, url), access_token)
}

/// `request` with `Authorization: Bearer <token>`, replacing any `Authorization` it had.
pub fn with_bearer(mut request: HttpRequest, access_token: &AccessToken) -> HttpRequest {
    request.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("authorization"));
    request.headers.push(("Authorization", format!("Bearer {}", access_token.secret())));
    request
}

/// RFC 6750 §3: a 401 means the token was not accepted (expired or revoked),
/// which one refresh may fix. Any other status is the API's answer.
pub fn token_rejected(response: &HttpResponse) -> bool {
    response.status == 401
}

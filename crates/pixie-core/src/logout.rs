//! Ending a session: token revocation (RFC 7009) and RP-initiated logout
//! (OpenID Connect RP-Initiated Logout 1.0).

use crate::encoding::{form_encode, parse_query};
use crate::http::HttpRequest;
use crate::secret::{IdToken, RefreshToken, State};

/// Storage key name (after the app's prefix) of the `state` sent to the end-session endpoint.
pub const LOGOUT_STATE_NAME: &str = "logout-state";

/// RFC 7009: revoke the refresh token (which, at most providers, ends the grant).
pub fn revocation_request(endpoint: &str, refresh_token: &RefreshToken, client_id: &str) -> HttpRequest {
    let body = form_encode([
        ("token", refresh_token.secret()),
        ("token_type_hint", "refresh_token"),
        ("client_id", client_id),
    ]);
    HttpRequest::form_post(endpoint, body)
}

/// OIDC RP-Initiated Logout §2: where to send the browser to end the provider's session.
pub fn end_session_url(
    endpoint: &str,
    id_token: &IdToken,
    client_id: &str,
    post_logout_redirect_uri: &str,
    state: &State,
) -> String {
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    let query = form_encode([
        ("id_token_hint", id_token.secret()),
        ("client_id", client_id),
        ("post_logout_redirect_uri", post_logout_redirect_uri),
        ("state", state.secret()),
    ]);
    format!("{endpoint}{separator}{query}")
}

/// What the page's query says about a logout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutReturn {
    /// Not a return from the provider's logout.
    NotALogoutReturn,
    /// The `state` matches the one we sent.
    Confirmed,
    /// A `state` we did not send (or sent for another logout).
    StateMismatch,
}

/// On the post-logout redirect, the provider echoes `state`; compare it with ours.
pub fn check_logout_return(query: &str, expected: Option<&str>) -> LogoutReturn {
    let returned = parse_query(query)
        .ok()
        .and_then(|params| params.into_iter().find(|(k, _)| k == "state").map(|(_, v)| v));
    match (returned, expected) {
        (None, _) => LogoutReturn::NotALogoutReturn,
        (Some(returned), Some(expected)) if returned == expected => LogoutReturn::Confirmed,
        (Some(_), _) => LogoutReturn::StateMismatch,
    }
}

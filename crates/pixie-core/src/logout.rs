//! Ending a session: token revocation (RFC 7009) and RP-initiated logout
//! (OpenID Connect RP-Initiated Logout 1.0).

use crate::config::LogoutMethod;
use crate::encoding::{form_encode, parse_query};
use crate::http::HttpRequest;
use crate::presets::{fallback_logout_url, Preset};
use crate::provider::Provider;
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

/// How to send the browser to the end-session endpoint.
pub struct EndSession {
    /// `Post`: the form's action (the endpoint). `Get`: the URL to open, parameters included.
    pub url: String,
    /// `Post`: the form's fields. `Get`: none.
    pub form: Vec<(&'static str, String)>,
}

impl core::fmt::Debug for EndSession {
    // The form carries the ID token.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "EndSession({} [{} form fields redacted])", self.url, self.form.len())
    }
}

/// OIDC RP-Initiated Logout §2: end the provider's session. With
/// [`LogoutMethod::Post`] the ID token goes as `id_token_hint` in a form body,
/// never in a URL (history, access logs); with [`LogoutMethod::Get`] it is not
/// sent at all, and `client_id` names the client instead.
pub fn end_session_request(
    endpoint: &str,
    id_token: &IdToken,
    client_id: &str,
    post_logout_redirect_uri: &str,
    state: &State,
    method: LogoutMethod,
) -> EndSession {
    match method {
        LogoutMethod::Post => EndSession {
            url: endpoint.to_owned(),
            form: vec![
                ("id_token_hint", id_token.secret().to_owned()),
                ("client_id", client_id.to_owned()),
                ("post_logout_redirect_uri", post_logout_redirect_uri.to_owned()),
                ("state", state.secret().to_owned()),
            ],
        },
        LogoutMethod::Get => {
            let separator = if endpoint.contains('?') { '&' } else { '?' };
            let query = form_encode([
                ("client_id", client_id),
                ("post_logout_redirect_uri", post_logout_redirect_uri),
                ("state", state.secret()),
            ]);
            EndSession { url: format!("{endpoint}{separator}{query}"), form: Vec::new() }
        }
    }
}

/// Where logout sends the browser: the end-session endpoint from discovery,
/// or, without one, Auth0's `/v2/logout` with the `auth0` preset; always
/// Cognito's own `/logout?client_id=…&logout_uri=…` with `cognito`; or `None`
/// when the provider has no logout and only this app's session can end.
pub fn logout_redirect(provider: &Provider, id_token: &IdToken, state: &State) -> Option<EndSession> {
    let (config, metadata) = (&provider.config, &provider.metadata);
    let own_logout = || {
        fallback_logout_url(
            config.provider,
            &metadata.issuer,
            &metadata.authorization_endpoint,
            &config.client_id,
            &config.post_logout_redirect_uri,
        )
        .map(|url| EndSession { url, form: Vec::new() })
    };
    // Cognito lists its /logout as end_session_endpoint, but it takes
    // `logout_uri`, not RP-Initiated Logout's parameters.
    if config.provider == Preset::Cognito {
        return own_logout();
    }
    match &metadata.end_session_endpoint {
        Some(endpoint) => Some(end_session_request(
            endpoint,
            id_token,
            &config.client_id,
            &config.post_logout_redirect_uri,
            state,
            config.logout_method,
        )),
        None => own_logout(),
    }
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
        // No logout under way: a `state` in the query is someone else's business.
        (_, None) | (None, _) => LogoutReturn::NotALogoutReturn,
        (Some(returned), Some(expected)) if returned == expected => LogoutReturn::Confirmed,
        (Some(_), Some(_)) => LogoutReturn::StateMismatch,
    }
}

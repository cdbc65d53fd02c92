//! Pushed authorization requests (RFC 9126): the authorization parameters go
//! to the provider in a POST (with a DPoP proof when DPoP is on), and the
//! browser is sent to the authorization endpoint with only `client_id` and
//! the `request_uri` the provider returned.

use crate::authorize::AuthorizationRequest;
use crate::config::{ClientConfig, ParMode};
use crate::discovery::ProviderMetadata;
use crate::encoding::form_encode;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::Json;

/// Why a pushed authorization request could not be made or was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParError {
    /// PAR is required (by `"par": "required"`) and the provider has no endpoint for it.
    NoEndpoint,
    /// RFC 9126 §2.3: the provider refused, with an OAuth error.
    OAuth {
        /// `error`
        code: String,
        /// `error_description`
        description: Option<String>,
        /// The HTTP status.
        status: u16,
    },
    /// Not the 201 with `request_uri` and `expires_in` RFC 9126 §2.2 asks for.
    Invalid(String),
}

/// Whether this login pushes its authorization request: when the provider
/// requires it, when the configuration does, or (`auto`) when the provider offers it.
pub fn use_par(config: &ClientConfig, metadata: &ProviderMetadata) -> Result<bool, ParError> {
    let offered = metadata.pushed_authorization_request_endpoint.is_some();
    let required = metadata.require_pushed_authorization_requests || config.par == ParMode::Required;
    match (required, offered) {
        (true, false) => Err(ParError::NoEndpoint),
        (true, true) => Ok(true),
        (false, offered) => Ok(offered && config.par == ParMode::Auto),
    }
}

/// The POST of `authorization`'s parameters to the PAR endpoint (RFC 9126 §2.1).
/// A public client authenticates with nothing but its `client_id`, which is among them.
pub fn par_request(endpoint: &str, authorization: &AuthorizationRequest) -> HttpRequest {
    let body = form_encode(authorization.params.iter().map(|(name, value)| (name.as_str(), value.as_str())));
    HttpRequest::form_post(endpoint, body)
}

/// What the provider answered a pushed request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedRequest {
    /// The reference to send the browser with.
    pub request_uri: String,
    /// How long it is good for, in seconds.
    pub expires_in: u64,
}

/// RFC 9126 §2.2: a 201 (some providers say 200) with `request_uri` and `expires_in`;
/// §2.3: an error like the token endpoint's.
pub fn parse_par_response(response: &HttpResponse) -> Result<PushedRequest, ParError> {
    let body = Json::parse_object(&response.body).ok().filter(|_| response.is_json());
    if !matches!(response.status, 200 | 201) {
        let error = body.as_ref().and_then(|body| {
            Some(ParError::OAuth {
                code: body.str("error").ok()?.to_owned(),
                description: body.opt_string("error_description").ok()?,
                status: response.status,
            })
        });
        return Err(error.unwrap_or_else(|| {
            ParError::Invalid(format!("HTTP {} without an OAuth error", response.status))
        }));
    }
    let body = body.ok_or_else(|| ParError::Invalid("the answer is not JSON".to_owned()))?;
    let request_uri = body.str("request_uri").map_err(|e| ParError::Invalid(e.to_string()))?;
    let expires_in =
        body.opt_u64("expires_in").ok().flatten().filter(|secs| *secs > 0).ok_or_else(|| {
            ParError::Invalid("`expires_in` must be a positive number of seconds".to_owned())
        })?;
    if request_uri.is_empty() || request_uri.chars().any(char::is_control) {
        return Err(ParError::Invalid("`request_uri` is empty or malformed".to_owned()));
    }
    Ok(PushedRequest { request_uri: request_uri.to_owned(), expires_in })
}

/// Where the browser goes after a pushed request: the authorization endpoint
/// with `client_id` and `request_uri`, and nothing else (RFC 9126 §4).
pub fn par_redirect_url(metadata: &ProviderMetadata, client_id: &str, pushed: &PushedRequest) -> String {
    let endpoint = &metadata.authorization_endpoint;
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    let query = form_encode([("client_id", client_id), ("request_uri", pushed.request_uri.as_str())]);
    format!("{endpoint}{separator}{query}")
}

//! OpenID Provider discovery (OIDC Discovery 1.0 §4), as a pure request/response pair.

use crate::config::ClientConfig;
use crate::encoding::is_secure_url;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::{FieldError, Json, Object};
use crate::presets::{issuer_rule, IssuerRule, Preset};

/// The parts of the provider's discovery document that Pixie uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMetadata {
    /// The issuer, as the document names it: the configured one, or Entra ID's
    /// `{tenantid}` template when [`ProviderMetadata::issuer_rule`] says so.
    pub issuer: String,
    /// How ID tokens' `iss` is compared with `issuer`.
    pub issuer_rule: IssuerRule,
    /// Where the browser goes to log in.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged.
    pub token_endpoint: String,
    /// OIDC Core §5.3, if offered.
    pub userinfo_endpoint: Option<String>,
    /// The provider's public keys.
    pub jwks_uri: Option<String>,
    /// RP-Initiated Logout, if offered.
    pub end_session_endpoint: Option<String>,
    /// RFC 7009 token revocation, if offered.
    pub revocation_endpoint: Option<String>,
    /// RFC 9207: when true, every authorization response must carry `iss`.
    pub authorization_response_iss_parameter_supported: bool,
    /// The PKCE methods offered, when the provider lists them.
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// RFC 9449 §5.1: the DPoP proof algorithms the provider accepts.
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// RFC 9126 §5: where to push authorization requests.
    pub pushed_authorization_request_endpoint: Option<String>,
    /// RFC 9126 §5: the provider takes authorization requests only pushed.
    pub require_pushed_authorization_requests: bool,
}

impl ProviderMetadata {
    fn from_json(document: &Object) -> Result<Self, FieldError> {
        Ok(Self {
            issuer: document.str("issuer")?.to_owned(),
            issuer_rule: IssuerRule::Exact,
            authorization_endpoint: document.str("authorization_endpoint")?.to_owned(),
            token_endpoint: document.str("token_endpoint")?.to_owned(),
            userinfo_endpoint: document.opt_string("userinfo_endpoint")?,
            jwks_uri: document.opt_string("jwks_uri")?,
            end_session_endpoint: document.opt_string("end_session_endpoint")?,
            revocation_endpoint: document.opt_string("revocation_endpoint")?,
            authorization_response_iss_parameter_supported: document
                .opt_bool("authorization_response_iss_parameter_supported")?
                .unwrap_or(false),
            code_challenge_methods_supported: document.opt_strings("code_challenge_methods_supported")?,
            dpop_signing_alg_values_supported: document.opt_strings("dpop_signing_alg_values_supported")?,
            pushed_authorization_request_endpoint: document
                .opt_string("pushed_authorization_request_endpoint")?,
            require_pushed_authorization_requests: document
                .opt_bool("require_pushed_authorization_requests")?
                .unwrap_or(false),
        })
    }

    /// Parse and check a discovery document's text (from the network or a
    /// cache): it must name `expected_issuer` exactly, use https (or loopback
    /// http) for every endpoint, and allow PKCE S256.
    pub fn from_document(text: &str, expected_issuer: &str) -> Result<Self, DiscoveryError> {
        Self::from_document_as(text, expected_issuer, Preset::Generic)
    }

    /// [`ProviderMetadata::from_document`] for `config`'s issuer, under its
    /// preset (which may relax the issuer rule: see [`crate::presets::issuer_rule`]).
    pub fn for_config(text: &str, config: &ClientConfig) -> Result<Self, DiscoveryError> {
        Self::from_document_as(text, &config.issuer, config.provider)
    }

    fn from_document_as(text: &str, expected_issuer: &str, preset: Preset) -> Result<Self, DiscoveryError> {
        let document = Json::parse_object(text).map_err(|e| DiscoveryError::Invalid(e.to_string()))?;
        let mut metadata = Self::from_json(&document).map_err(|e| DiscoveryError::Invalid(e.to_string()))?;

        metadata.issuer_rule = issuer_rule(preset, expected_issuer, &metadata.issuer).ok_or_else(|| {
            DiscoveryError::IssuerMismatch {
                expected: expected_issuer.to_owned(),
                found: metadata.issuer.clone(),
            }
        })?;
        let endpoints = [
            ("authorization_endpoint", Some(&metadata.authorization_endpoint)),
            ("token_endpoint", Some(&metadata.token_endpoint)),
            ("userinfo_endpoint", metadata.userinfo_endpoint.as_ref()),
            ("jwks_uri", metadata.jwks_uri.as_ref()),
            ("end_session_endpoint", metadata.end_session_endpoint.as_ref()),
            ("revocation_endpoint", metadata.revocation_endpoint.as_ref()),
            (
                "pushed_authorization_request_endpoint",
                metadata.pushed_authorization_request_endpoint.as_ref(),
            ),
        ];
        for (field, url) in endpoints {
            if let Some(url) = url.filter(|url| !is_secure_url(url)) {
                return Err(DiscoveryError::InsecureEndpoint { field, url: url.clone() });
            }
        }
        if let Some(methods) = &metadata.code_challenge_methods_supported {
            if !methods.iter().any(|m| m == "S256") {
                return Err(DiscoveryError::S256Unsupported);
            }
        }
        Ok(metadata)
    }
}

/// Why a discovery document was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// Not a 200.
    Http {
        /// The status received.
        status: u16,
    },
    /// Not `application/json`.
    NotJson,
    /// JSON, but not a discovery document.
    Invalid(String),
    /// OIDC Discovery §4.3: the document must name exactly the issuer we asked about.
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The issuer the document names.
        found: String,
    },
    /// An endpoint over plain http off loopback.
    InsecureEndpoint {
        /// The metadata field, e.g. `token_endpoint`.
        field: &'static str,
        /// Its value.
        url: String,
    },
    /// The provider lists PKCE methods and S256 is not one of them.
    S256Unsupported,
}

/// `{issuer}/.well-known/openid-configuration` (OIDC Discovery §4.1).
pub fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

/// The discovery request for `issuer`.
pub fn discovery_request(issuer: &str) -> HttpRequest {
    HttpRequest::get_json(&discovery_url(issuer))
}

/// The discovery response: a 200 with a JSON document that passes
/// [`ProviderMetadata::from_document`].
pub fn parse_discovery_response(
    response: &HttpResponse,
    expected_issuer: &str,
) -> Result<ProviderMetadata, DiscoveryError> {
    check_discovery_response(response)?;
    ProviderMetadata::from_document(&response.body, expected_issuer)
}

/// The discovery response for `config`: [`parse_discovery_response`] under its preset.
pub fn parse_discovery_response_for(
    response: &HttpResponse,
    config: &ClientConfig,
) -> Result<ProviderMetadata, DiscoveryError> {
    check_discovery_response(response)?;
    ProviderMetadata::for_config(&response.body, config)
}

fn check_discovery_response(response: &HttpResponse) -> Result<(), DiscoveryError> {
    if response.status != 200 {
        return Err(DiscoveryError::Http { status: response.status });
    }
    if !response.is_json() {
        return Err(DiscoveryError::NotJson);
    }
    Ok(())
}

//! OpenID Provider discovery (OIDC Discovery 1.0 §4), as a pure request/response pair.

use super::encoding::is_secure_url;
use super::http::HttpResponse;
use super::json::{FieldError, Json, Object};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    /// RFC 9207: when true, every authorization response must carry `iss`.
    pub authorization_response_iss_parameter_supported: bool,
    pub code_challenge_methods_supported: Option<Vec<String>>,
}

impl ProviderMetadata {
    fn from_json(document: &Object) -> Result<Self, FieldError> {
        Ok(Self {
            issuer: document.str("issuer")?.to_owned(),
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
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoveryError {
    Http {
        status: u16,
    },
    NotJson,
    Invalid(String),
    /// OIDC Discovery §4.3: the document must name exactly the issuer we asked about.
    IssuerMismatch {
        expected: String,
        found: String,
    },
    InsecureEndpoint {
        field: &'static str,
        url: String,
    },
    /// The provider lists PKCE methods and S256 is not one of them.
    S256Unsupported,
}

/// sessionStorage key of this tab's copy of config.json and the discovery document.
pub const PROVIDER_CACHE_KEY: &str = "pixie.provider";

/// Both documents as text; whoever reads them back parses and checks them again.
pub fn provider_cache_record(config_json: &str, discovery_json: &str) -> String {
    Object::new().with("config", config_json).with("discovery", discovery_json).to_json_string()
}

pub fn parse_provider_cache_record(json: &str) -> Option<(String, String)> {
    let cache = Json::parse_object(json).ok()?;
    Some((cache.str("config").ok()?.to_owned(), cache.str("discovery").ok()?.to_owned()))
}

/// `{issuer}/.well-known/openid-configuration` (OIDC Discovery §4.1).
pub fn discovery_url(issuer: &str) -> String {
    format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'))
}

pub fn parse_discovery_response(
    response: &HttpResponse,
    expected_issuer: &str,
) -> Result<ProviderMetadata, DiscoveryError> {
    if response.status != 200 {
        return Err(DiscoveryError::Http { status: response.status });
    }
    if !response.is_json() {
        return Err(DiscoveryError::NotJson);
    }
    let document = Json::parse_object(&response.body).map_err(|e| DiscoveryError::Invalid(e.to_string()))?;
    let metadata =
        ProviderMetadata::from_json(&document).map_err(|e| DiscoveryError::Invalid(e.to_string()))?;

    if metadata.issuer != expected_issuer {
        return Err(DiscoveryError::IssuerMismatch {
            expected: expected_issuer.to_owned(),
            found: metadata.issuer,
        });
    }
    let endpoints = [
        ("authorization_endpoint", Some(&metadata.authorization_endpoint)),
        ("token_endpoint", Some(&metadata.token_endpoint)),
        ("userinfo_endpoint", metadata.userinfo_endpoint.as_ref()),
        ("jwks_uri", metadata.jwks_uri.as_ref()),
        ("end_session_endpoint", metadata.end_session_endpoint.as_ref()),
        ("revocation_endpoint", metadata.revocation_endpoint.as_ref()),
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

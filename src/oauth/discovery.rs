//! OpenID Provider discovery (OIDC Discovery 1.0 §4), as a pure request/response pair.

use serde::Deserialize;

use super::encoding::is_secure_url;
use super::http::HttpResponse;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
    #[serde(default)]
    pub jwks_uri: Option<String>,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// RFC 9207: when true, every authorization response must carry `iss`.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
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

#[derive(serde::Serialize, Deserialize)]
struct ProviderCache {
    config: String,
    discovery: String,
}

/// Both documents as text; whoever reads them back parses and checks them again.
pub fn provider_cache_record(config_json: &str, discovery_json: &str) -> String {
    let cache = ProviderCache { config: config_json.to_owned(), discovery: discovery_json.to_owned() };
    serde_json::to_string(&cache).unwrap_or_default()
}

pub fn parse_provider_cache_record(json: &str) -> Option<(String, String)> {
    let cache: ProviderCache = serde_json::from_str(json).ok()?;
    Some((cache.config, cache.discovery))
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
    let metadata: ProviderMetadata =
        serde_json::from_str(&response.body).map_err(|e| DiscoveryError::Invalid(e.to_string()))?;

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

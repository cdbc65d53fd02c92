//! `pixie check`: what a configuration will meet at its provider, one line per
//! check, each ✓, ✗ or ! with the fix. Sans-IO like the rest: this module
//! builds the probes and judges the answers; the command sends them.
//!
//! The probes are harmless: discovery and the JWKS are read; the token endpoint
//! gets a code that does not exist (a public client that the provider lets
//! this origin call is answered `invalid_grant`); the authorization endpoint
//! gets a login request that nobody completes (or a pushed one, when PAR is
//! used), which shows whether `client_id` and `redirect_uri` are registered.

use crate::authorize::{authorization_request, LoginRandomness};
use crate::config::{ClientConfig, DpopMode, ParMode};
use crate::discovery::{discovery_request, parse_discovery_response_for, ProviderMetadata};
use crate::dpop::use_dpop;
use crate::encoding::{form_encode, parse_query, HttpUrl};
use crate::http::{HttpRequest, HttpResponse};
use crate::jwks::{jwks_request, parse_jwks_response};
use crate::logout::logout_redirect;
use crate::par::{par_request, parse_par_response, use_par};
use crate::presets::{connect_origins, IssuerRule, Preset};
use crate::provider::Provider;
use crate::secret::{IdToken, State};
use crate::token::{OAuthErrorCode, TokenError};
use crate::AuthError;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Works.
    Pass,
    /// Will fail: the line says what to change.
    Fail,
    /// Works, with less than Pixie can do (no RFC 9207 `iss`, no revocation…).
    Warn,
}

impl Mark {
    /// `✓`, `✗` or `!`.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Pass => "✓",
            Self::Fail => "✗",
            Self::Warn => "!",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How it came out.
    pub mark: Mark,
    /// What was checked and found.
    pub what: String,
    /// What to change, for ✗ and !.
    pub fix: Option<String>,
}

impl Finding {
    fn pass(what: impl Into<String>) -> Self {
        Self { mark: Mark::Pass, what: what.into(), fix: None }
    }
    fn fail(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { mark: Mark::Fail, what: what.into(), fix: Some(fix.into()) }
    }
    fn warn(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Self { mark: Mark::Warn, what: what.into(), fix: Some(fix.into()) }
    }
}

impl core::fmt::Display for Finding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}", self.mark.symbol(), self.what)?;
        match &self.fix {
            Some(fix) => write!(f, "\n    → {fix}"),
            None => Ok(()),
        }
    }
}

/// What a probe is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// The provider's keys, read as the browser reads them.
    Jwks,
    /// A token request with a code that does not exist.
    Token,
    /// The CORS preflight of a token request with a DPoP proof.
    TokenPreflight,
    /// A login request nobody completes: is the client and its redirect URI registered?
    Authorize,
    /// The same, pushed (RFC 9126).
    PushedAuthorize,
}

/// A request the command sends, without following redirects, and its purpose.
#[derive(Debug, Clone)]
pub struct Probe {
    /// What it checks.
    pub kind: ProbeKind,
    /// What to send.
    pub request: HttpRequest,
}

/// What came back: a response, or why none did.
pub type ProbeResult = Result<HttpResponse, String>;

/// The discovery request, sent from `origin` as the browser would send it.
pub fn discovery_probe(config: &ClientConfig, origin: &str) -> HttpRequest {
    discovery_request(&config.issuer).with_header("Origin", origin)
}

/// Judge the discovery answer: the findings, and the metadata to go on with.
pub fn check_discovery(
    config: &ClientConfig,
    origin: &str,
    answer: &ProbeResult,
) -> (Vec<Finding>, Option<ProviderMetadata>) {
    let url = crate::discovery::discovery_url(&config.issuer);
    let response = match answer {
        Ok(response) => response,
        Err(why) => {
            let finding = Finding::fail(
                format!("discovery: no answer from {url} ({why})"),
                "check `issuer` in config.json, and that the provider is up and reachable from here",
            );
            return (vec![finding], None);
        }
    };
    let metadata = match parse_discovery_response_for(response, config) {
        Ok(metadata) => metadata,
        Err(error) => {
            return (vec![Finding::fail(format!("discovery: {url} is not usable"), error.to_string())], None)
        }
    };
    let mut findings = vec![Finding::pass(format!("discovery: {url}"))];
    findings.push(match metadata.issuer_rule {
        IssuerRule::Exact => Finding::pass(format!("issuer is exactly {}", metadata.issuer)),
        IssuerRule::EntraTenant => Finding::pass(format!(
            "issuer is Entra ID's template {}: each ID token's iss must name its own tid",
            metadata.issuer
        )),
    });
    findings.push(cors_finding("discovery", response, origin, config.provider.or_recognised(&config.issuer)));
    findings.push(match &metadata.code_challenge_methods_supported {
        Some(_) => Finding::pass("PKCE S256 is listed in code_challenge_methods_supported"),
        None => Finding::warn(
            "PKCE methods are not listed (code_challenge_methods_supported)",
            "Pixie sends S256 anyway, and most providers accept it; if logins fail with invalid_grant, turn PKCE S256 on for the client",
        ),
    });
    (findings, Some(metadata))
}

/// The probes to send once discovery is known. `randomness` makes the login
/// request's state, nonce and verifier, as a real login would.
pub fn probes(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    randomness: LoginRandomness,
    now_ms: f64,
) -> Vec<Probe> {
    let origin = app_origin(config);
    let mut probes = Vec::new();
    if let Some(jwks_uri) = &metadata.jwks_uri {
        probes.push(Probe {
            kind: ProbeKind::Jwks,
            request: jwks_request(jwks_uri).with_header("Origin", &origin),
        });
    }
    let body = form_encode([
        ("grant_type", "authorization_code"),
        ("code", "pixie-check-code-that-does-not-exist"),
        ("redirect_uri", &config.redirect_uri),
        ("client_id", &config.client_id),
        ("code_verifier", "pixie-check-verifier-pixie-check-verifier-pixie"),
    ]);
    probes.push(Probe {
        kind: ProbeKind::Token,
        request: HttpRequest::form_post(&metadata.token_endpoint, body).with_header("Origin", &origin),
    });
    if use_dpop(config, metadata) == Ok(true) {
        probes.push(Probe {
            kind: ProbeKind::TokenPreflight,
            request: HttpRequest::new("OPTIONS", &metadata.token_endpoint)
                .with_header("Origin", &origin)
                .with_header("Access-Control-Request-Method", "POST")
                .with_header("Access-Control-Request-Headers", "content-type,dpop"),
        });
    }
    let login = authorization_request(config, metadata, randomness, "/", now_ms);
    match (use_par(config, metadata), &metadata.pushed_authorization_request_endpoint) {
        (Ok(true), Some(endpoint)) => probes.push(Probe {
            kind: ProbeKind::PushedAuthorize,
            request: par_request(endpoint, &login).with_header("Origin", &origin),
        }),
        _ => probes.push(Probe { kind: ProbeKind::Authorize, request: HttpRequest::new("GET", login.url) }),
    }
    probes
}

/// Judge every probe's answer, and what the metadata alone says.
pub fn check_probes(
    config: &ClientConfig,
    metadata: &ProviderMetadata,
    answers: &[(ProbeKind, ProbeResult)],
) -> Vec<Finding> {
    let origin = app_origin(config);
    let preset = config.provider.or_recognised(&config.issuer);
    let mut findings = Vec::new();
    for (kind, answer) in answers {
        findings.push(match (kind, answer) {
            (kind, Err(why)) => Finding::fail(
                format!("{}: no answer ({why})", probe_name(*kind)),
                "check that the provider is up and reachable from here",
            ),
            (ProbeKind::Jwks, Ok(response)) => match parse_jwks_response(response) {
                Ok(set) if has_cors(response, &origin) => {
                    Finding::pass(format!("keys: {} published, readable from {origin}", set.keys.len()))
                }
                Ok(_) => cors_finding("keys (jwks_uri)", response, &origin, preset),
                Err(error) => Finding::fail("keys (jwks_uri) are not usable", AuthError::from(error).to_string()),
            },
            (ProbeKind::Token, Ok(response)) => token_finding(config, response, &origin, preset),
            (ProbeKind::TokenPreflight, Ok(response)) => {
                let allowed = response
                    .header("access-control-allow-headers")
                    .is_some_and(|headers| headers.split(',').any(|h| h.trim().eq_ignore_ascii_case("dpop")));
                if has_cors(response, &origin) && allowed {
                    Finding::pass("token endpoint: the CORS preflight allows the DPoP header")
                } else {
                    Finding::fail(
                        "token endpoint: the CORS preflight does not allow the DPoP header from this origin",
                        format!("allow the `DPoP` request header for {origin} at the provider, or set \"dpop\": \"off\""),
                    )
                }
            }
            (ProbeKind::Authorize, Ok(response)) => authorize_finding(config, response, preset),
            (ProbeKind::PushedAuthorize, Ok(response)) => match parse_par_response(response) {
                Ok(_) => Finding::pass(format!(
                    "pushed authorization request accepted: client_id {} with redirect_uri {}",
                    config.client_id, config.redirect_uri
                )),
                Err(error) => Finding::fail(
                    "the provider refused the pushed authorization request",
                    format!(
                        "{} Check that {} is listed exactly in {}.",
                        with_description(AuthError::from(error)),
                        config.redirect_uri,
                        preset.redirect_uris_setting()
                    ),
                ),
            },
        });
    }
    findings.extend(metadata_findings(config, metadata));
    findings
}

fn metadata_findings(config: &ClientConfig, metadata: &ProviderMetadata) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.push(if metadata.authorization_response_iss_parameter_supported {
        Finding::pass("RFC 9207: the provider sends iss with every login response, and Pixie requires it")
    } else {
        Finding::warn(
            "RFC 9207: the provider does not advertise iss in login responses",
            "logins still work (one issuer per app, PKCE and state); turn on authorization_response_iss_parameter_supported at the provider if it can",
        )
    });
    findings.push(match &metadata.revocation_endpoint {
        Some(url) => Finding::pass(format!("revocation: {url}")),
        None => Finding::warn(
            "revocation: no revocation_endpoint",
            "logout cannot revoke the refresh token; it lives until it expires",
        ),
    });
    let provider = Provider { config: config.clone(), metadata: metadata.clone() };
    let logout = logout_redirect(&provider, &IdToken::new(""), &State::new(""));
    // As logout_redirect decides: the preset's own logout where it has one, else end_session_endpoint.
    let own_logout = config.provider == Preset::Cognito || metadata.end_session_endpoint.is_none();
    findings.push(match (logout, &metadata.end_session_endpoint) {
        (Some(end), _) if own_logout => Finding::pass(format!(
            "logout: {}'s own logout URL ({}), as the preset says",
            config.provider.display_name(),
            end.url.split('?').next().unwrap_or_default()
        )),
        (Some(_), Some(url)) => Finding::pass(format!("logout: end_session_endpoint {url}")),
        _ => Finding::warn(
            "logout: no end_session_endpoint",
            "logout ends the session in this app only; enable RP-initiated logout at the provider",
        ),
    });
    findings.push(match (use_dpop(config, metadata), config.dpop) {
        (Ok(true), _) => {
            Finding::pass("DPoP: ES256 offered, tokens will be bound to a key the page cannot read")
        }
        (Ok(false), DpopMode::Off) => Finding::pass("DPoP: off, as config.json says"),
        (Ok(false), _) => Finding::warn(
            "DPoP: not offered (no ES256 in dpop_signing_alg_values_supported)",
            "tokens will be bearer tokens; enable DPoP at the provider if it can",
        ),
        (Err(error), _) => {
            Finding::fail("DPoP: required by config.json, not offered", AuthError::from(error).to_string())
        }
    });
    findings.push(match (use_par(config, metadata), config.par) {
        (Ok(true), _) => Finding::pass("PAR: the login request is pushed first"),
        (Ok(false), ParMode::Off) if metadata.pushed_authorization_request_endpoint.is_some() => {
            Finding::pass("PAR: offered, not used (\"par\": \"off\", the default)")
        }
        (Ok(false), _) => Finding::pass("PAR: not offered, not needed"),
        (Err(error), _) => {
            Finding::fail("PAR: required by config.json, not offered", AuthError::from(error).to_string())
        }
    });
    findings
        .push(Finding::pass(format!("CSP connect-src must allow: {}", connect_origins(metadata).join(" "))));
    findings
}

fn token_finding(config: &ClientConfig, response: &HttpResponse, origin: &str, preset: Preset) -> Finding {
    let answer = crate::token::parse_token_response(response);
    // A client the provider will not take fails whatever CORS says.
    if let Err(TokenError::OAuth {
        code: code @ (OAuthErrorCode::InvalidClient | OAuthErrorCode::UnauthorizedClient),
        ..
    }) = &answer
    {
        return Finding::fail(
            format!("token endpoint: refuses {} ({})", config.client_id, code.as_str()),
            format!(
                "Pixie needs a public client (no secret, PKCE instead): {}",
                preset.public_client_setting()
            ),
        );
    }
    if !has_cors(response, origin) {
        return Finding::fail(
            format!("token endpoint: a browser on {origin} cannot read its answers (no CORS)"),
            format!("add {origin} to {}", preset.web_origins_setting()),
        );
    }
    match answer {
        Err(TokenError::OAuth { code: OAuthErrorCode::InvalidGrant, .. }) => Finding::pass(format!(
            "token endpoint: answers {origin}, and takes {} without a secret",
            config.client_id
        )),
        Err(error) => Finding::warn(
            "token endpoint: an unexpected answer to a code that does not exist",
            with_description(AuthError::from(error)),
        ),
        Ok(_) => Finding::fail(
            "token endpoint: issued tokens for a code that does not exist",
            "this is not a provider to trust",
        ),
    }
}

fn authorize_finding(config: &ClientConfig, response: &HttpResponse, preset: Preset) -> Finding {
    let registered =
        format!("{} is listed exactly in {}", config.redirect_uri, preset.redirect_uris_setting());
    let location = response.header("location").unwrap_or_default();
    let back_to_app = location.starts_with(&config.redirect_uri)
        && location[config.redirect_uri.len()..].starts_with(['?', '#']);
    if back_to_app {
        let query = location.split_once(['?', '#']).map(|(_, q)| q).unwrap_or_default();
        let params = parse_query(query).unwrap_or_default();
        let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        return match param("error") {
            None | Some("login_required" | "interaction_required" | "consent_required") => {
                Finding::pass(format!(
                    "login request accepted: client_id {} with redirect_uri {}",
                    config.client_id, config.redirect_uri
                ))
            }
            Some(error) => Finding::fail(
                format!("login request refused with {error}"),
                param("error_description")
                    .unwrap_or("see the provider's documentation for this error")
                    .to_owned(),
            ),
        };
    }
    match response.status {
        200..=399 => Finding::pass(format!(
            "login request accepted: client_id {} with redirect_uri {}",
            config.client_id, config.redirect_uri
        )),
        status => Finding::fail(
            format!("login request refused (HTTP {status}): the provider shows an error page instead of its login"),
            format!("check that client_id {} exists and that {registered}", config.client_id),
        ),
    }
}

fn cors_finding(what: &str, response: &HttpResponse, origin: &str, preset: Preset) -> Finding {
    if has_cors(response, origin) {
        Finding::pass(format!("{what}: readable from {origin} (CORS)"))
    } else {
        Finding::fail(
            format!("{what}: a browser on {origin} cannot read it (no CORS)"),
            format!("add {origin} to {}", preset.web_origins_setting()),
        )
    }
}

fn has_cors(response: &HttpResponse, origin: &str) -> bool {
    response.header("access-control-allow-origin").is_some_and(|allowed| allowed == "*" || allowed == origin)
}

fn with_description(error: AuthError) -> String {
    match error.provider_description() {
        Some(description) => format!("{error} The provider says: {description}"),
        None => error.to_string(),
    }
}

fn probe_name(kind: ProbeKind) -> &'static str {
    match kind {
        ProbeKind::Jwks => "keys (jwks_uri)",
        ProbeKind::Token | ProbeKind::TokenPreflight => "token endpoint",
        ProbeKind::Authorize => "authorization endpoint",
        ProbeKind::PushedAuthorize => "pushed authorization request endpoint",
    }
}

/// The app's origin, from its redirect URI.
pub fn app_origin(config: &ClientConfig) -> String {
    HttpUrl::parse(&config.redirect_uri).map(|url| url.origin()).unwrap_or_default()
}

/// The report's verdict: false when any check failed.
pub fn all_pass(findings: &[Finding]) -> bool {
    findings.iter().all(|finding| finding.mark != Mark::Fail)
}

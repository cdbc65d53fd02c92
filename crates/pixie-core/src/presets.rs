//! Provider presets: `config.json`'s `"provider"`. A preset changes only what
//! its provider needs changed (the shape of its issuer, Microsoft Entra ID's
//! tenant-independent issuer, a logout endpoint missing from discovery) and
//! names the provider's own settings in errors. Everything else stays
//! standard and strict.
//!
//! It also turns the common failures of a first login into errors that say
//! what to change at the provider ([`diagnose_login_error`]), preset or not.

use crate::config::ConfigError;
use crate::encoding::{form_encode, HttpUrl};
use crate::error::AuthError;
use crate::json::{Json, Object};
use crate::token::{OAuthErrorCode, TokenError};

/// A provider whose quirks Pixie knows: `config.json`'s `provider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Preset {
    /// Standard OpenID Connect, nothing relaxed (the default).
    #[default]
    Generic,
    /// Keycloak: `https://host/realms/<realm>`.
    Keycloak,
    /// Auth0: `https://<tenant>.auth0.com/`, trailing slash included.
    Auth0,
    /// Microsoft Entra ID, v2 endpoints.
    Entra,
    /// Okta: the org authorization server or a custom one.
    Okta,
    /// Amazon Cognito user pools.
    Cognito,
    /// Zitadel.
    Zitadel,
    /// authentik: one issuer per application, trailing slash included.
    Authentik,
    /// Authelia.
    Authelia,
    /// Google: refused, its token endpoint needs a client secret.
    Google,
    /// GitHub: refused, its token endpoint has no CORS and it is not OpenID.
    GitHub,
}

impl Preset {
    /// Every preset, in the order the README lists them.
    pub const ALL: [Preset; 11] = [
        Self::Generic,
        Self::Keycloak,
        Self::Auth0,
        Self::Entra,
        Self::Okta,
        Self::Cognito,
        Self::Zitadel,
        Self::Authentik,
        Self::Authelia,
        Self::Google,
        Self::GitHub,
    ];

    /// The preset named `name` in `config.json`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|preset| preset.as_str() == name)
    }

    /// The value as written in `config.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generic => "generic",
            Self::Keycloak => "keycloak",
            Self::Auth0 => "auth0",
            Self::Entra => "entra",
            Self::Okta => "okta",
            Self::Cognito => "cognito",
            Self::Zitadel => "zitadel",
            Self::Authentik => "authentik",
            Self::Authelia => "authelia",
            Self::Google => "google",
            Self::GitHub => "github",
        }
    }

    /// The provider's name, as a person knows it.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Generic => "the provider",
            Self::Keycloak => "Keycloak",
            Self::Auth0 => "Auth0",
            Self::Entra => "Microsoft Entra ID",
            Self::Okta => "Okta",
            Self::Cognito => "Amazon Cognito",
            Self::Zitadel => "Zitadel",
            Self::Authentik => "authentik",
            Self::Authelia => "Authelia",
            Self::Google => "Google",
            Self::GitHub => "GitHub",
        }
    }

    /// The preset an issuer's host gives away, when there is one: used to
    /// refuse Google and GitHub under `generic` too, and to name settings.
    pub fn recognise(issuer: &str) -> Option<Self> {
        let host = HttpUrl::parse(issuer)?.host;
        let ends = |suffix: &str| host == suffix.trim_start_matches('.') || host.ends_with(suffix);
        Some(match () {
            _ if host == "accounts.google.com" => Self::Google,
            _ if host == "github.com" => Self::GitHub,
            _ if ends(".auth0.com") => Self::Auth0,
            _ if ends(".okta.com") || ends(".oktapreview.com") => Self::Okta,
            _ if host.starts_with("cognito-idp.") && host.ends_with(".amazonaws.com") => Self::Cognito,
            _ if host.starts_with("login.microsoftonline.") => Self::Entra,
            _ if ends(".zitadel.cloud") => Self::Zitadel,
            _ => return None,
        })
    }

    /// This preset, or under `generic` the one `url`'s host gives away: whose
    /// settings an error or a check names. Never changes what is checked.
    pub fn or_recognised(self, url: &str) -> Self {
        match self {
            Self::Generic => Self::recognise(url).unwrap_or(Self::Generic),
            preset => preset,
        }
    }

    /// Where, at this provider, the app's origin is allowed to call the token endpoint.
    pub fn web_origins_setting(self) -> &'static str {
        match self {
            Self::Keycloak => "the client's Web origins (Clients → your client → Settings → Access settings → Web origins)",
            Self::Auth0 => "Allowed Web Origins (Applications → your application → Settings)",
            Self::Entra => "a redirect URI of the Single-page application platform (App registrations → your app → Authentication); a Web platform URI gets no CORS",
            Self::Okta => "Trusted Origins, with CORS checked (Security → API → Trusted Origins)",
            Self::Cognito => "the app client's Allowed callback URLs (Cognito answers CORS on /oauth2/token only for a public app client)",
            Self::Zitadel => "the application's Redirect URIs (Zitadel allows the origins of the registered redirect URIs)",
            Self::Authentik => "the provider's Redirect URIs (authentik allows the origins of the registered redirect URIs)",
            Self::Authelia => "identity_providers.oidc.cors: `token` in endpoints, and this origin in allowed_origins (or allowed_origins_from_client_redirect_uris: true)",
            Self::Generic | Self::Google | Self::GitHub => "the client's allowed web origins (CORS) at the provider",
        }
    }

    /// How, at this provider, the client is made public: no secret, PKCE instead.
    pub fn public_client_setting(self) -> &'static str {
        match self {
            Self::Keycloak => "turn Client authentication off (Clients → your client → Settings → Capability config), keeping Standard flow on",
            Self::Auth0 => "set Application Type to Single Page Application, so the Token Endpoint Authentication Method is None",
            Self::Entra => "register the redirect URI under the Single-page application platform (App registrations → your app → Authentication)",
            Self::Okta => "use a Single-Page Application app integration (Client authentication: None, Require PKCE)",
            Self::Cognito => "use an app client without a client secret (a public client)",
            Self::Zitadel => "use an application of type User Agent with the authentication method PKCE",
            Self::Authentik => "set the provider's Client type to Public",
            Self::Authelia => "set `public: true` and `token_endpoint_auth_method: none` for the client",
            Self::Generic | Self::Google | Self::GitHub => "register it as a public client (token_endpoint_auth_method none) that uses PKCE",
        }
    }

    /// Where, at this provider, redirect URIs are registered.
    pub fn redirect_uris_setting(self) -> &'static str {
        match self {
            Self::Keycloak => "Valid redirect URIs",
            Self::Auth0 => "Allowed Callback URLs",
            Self::Entra => "the Single-page application platform's Redirect URIs",
            Self::Okta => "Sign-in redirect URIs",
            Self::Cognito => "Allowed callback URLs",
            Self::Zitadel | Self::Authentik => "Redirect URIs",
            Self::Authelia => "redirect_uris",
            Self::Generic | Self::Google | Self::GitHub => "the client's registered redirect URIs",
        }
    }

    /// Why a browser-only public client cannot use this provider, if it cannot.
    pub fn needs_backend(self) -> Option<&'static str> {
        match self {
            Self::Google => Some(
                "Google's token endpoint requires a client_secret even with PKCE, and a browser cannot keep one",
            ),
            Self::GitHub => Some(
                "GitHub's token endpoint sends no CORS headers, so a browser cannot call it, and GitHub sign-in is OAuth without OpenID Connect (no ID token)",
            ),
            _ => None,
        }
    }
}

/// `config.json`'s check of the issuer against the preset: the provider's
/// issuer has a known shape, and a wrong one fails at discovery with a less
/// helpful message. Google and GitHub are refused here, before any redirect,
/// whether named by the preset or recognised from the issuer.
pub fn check_issuer(preset: Preset, issuer: &str) -> Result<(), ConfigError> {
    let refused = preset.needs_backend().map(|why| ("provider", preset, why)).or_else(|| {
        let recognised = Preset::recognise(issuer)?;
        recognised.needs_backend().map(|why| ("issuer", recognised, why))
    });
    if let Some((field, provider, why)) = refused {
        return Err(ConfigError::new(
            field,
            format!(
                "{why}. A browser-only public client cannot log in with {}: put a backend for frontend (BFF) in front of the app, a server on its origin that holds the client secret, does the token exchange and gives the browser a session cookie",
                provider.display_name()
            ),
        ));
    }
    let Some(url) = HttpUrl::parse(issuer) else { return Ok(()) };
    let path = url.path();
    // url.path() is "/" for a bare host, so the slash is looked for in the issuer itself.
    let trailing_slash = issuer.ends_with('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let shape = |ok: bool, expected: &str| -> Result<(), ConfigError> {
        if ok {
            Ok(())
        } else {
            Err(ConfigError::new(
                "issuer",
                format!("{} issuers look like {expected}; this one does not", preset.display_name()),
            ))
        }
    };
    match preset {
        Preset::Keycloak => shape(
            segments.len() >= 2 && segments[segments.len() - 2] == "realms" && !trailing_slash,
            "https://host/realms/<realm> (https://host/auth/realms/<realm> before Keycloak 17), without a trailing slash",
        ),
        Preset::Auth0 if !trailing_slash => Err(ConfigError::new(
            "issuer",
            format!("Auth0's issuer ends with a slash: set it to \"{issuer}/\""),
        )),
        Preset::Entra => shape(
            url.scheme == "https" && segments.len() == 2 && segments[1] == "v2.0" && !trailing_slash,
            "https://login.microsoftonline.com/<tenant>/v2.0, where <tenant> is common, organizations, consumers' id or your tenant id (v1.0 issuers such as https://sts.windows.net/… are not supported)",
        ),
        Preset::Okta => shape(
            !trailing_slash && (segments.is_empty() || (segments.len() == 2 && segments[0] == "oauth2")),
            "https://<org>.okta.com (the org authorization server) or https://<org>.okta.com/oauth2/<server id> (a custom one, such as default)",
        ),
        Preset::Cognito => shape(
            url.host.starts_with("cognito-idp.") && segments.len() == 1,
            "https://cognito-idp.<region>.amazonaws.com/<user pool id>, not the user pool's domain",
        ),
        Preset::Authentik => shape(
            segments.len() == 3 && segments[0] == "application" && segments[1] == "o" && trailing_slash,
            "https://host/application/o/<application slug>/, trailing slash included",
        ),
        _ => Ok(()),
    }
}

/// How the ID token's `iss` is compared with the discovered issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IssuerRule {
    /// Byte for byte (OIDC Core §3.1.3.7 step 2): every provider but one.
    #[default]
    Exact,
    /// Microsoft Entra ID's `/common` and `/organizations` documents name
    /// `https://login.microsoftonline.com/{tenantid}/v2.0`: `iss` must equal
    /// that template with the token's own `tid`. Only with the `entra` preset,
    /// and only checked after the signature.
    EntraTenant,
}

const TENANT_PLACEHOLDER: &str = "{tenantid}";

/// Entra ID's sign-in hosts: the global cloud, US Government and China (21Vianet).
const ENTRA_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.partner.microsoftonline.cn",
    "login.chinacloudapi.cn",
];

/// The rule under which `discovered` (the document's `issuer`) stands for the
/// configured issuer, or `None` when it does not. The one exception to
/// equality: with the `entra` preset, a configured
/// `…/common/v2.0` or `…/organizations/v2.0` and a discovered issuer that is
/// exactly the same URL with that segment replaced by `{tenantid}`, on one of
/// Microsoft's sign-in hosts. Any other issuer with braces is compared as text.
pub fn issuer_rule(preset: Preset, configured: &str, discovered: &str) -> Option<IssuerRule> {
    if configured == discovered {
        return Some(IssuerRule::Exact);
    }
    let on_microsoft_login = HttpUrl::parse(configured).is_some_and(|url| {
        url.scheme == "https" && url.port.is_none() && ENTRA_HOSTS.contains(&url.host.as_str())
    });
    if preset != Preset::Entra || !on_microsoft_login {
        return None;
    }
    ["/common/v2.0", "/organizations/v2.0"].into_iter().find_map(|tenant_independent| {
        let base = configured.strip_suffix(tenant_independent)?;
        let template = format!("{base}/{TENANT_PLACEHOLDER}/v2.0");
        (discovered == template && !base.contains(['{', '}'])).then_some(IssuerRule::EntraTenant)
    })
}

/// The issuer an Entra ID token must name: the template with its `tid`, when
/// the `tid` is a tenant id (a GUID), else `None`.
pub fn entra_tenant_issuer(template: &str, claims: &Object) -> Option<String> {
    let tid = match claims.get("tid") {
        Some(Json::String(tid)) => tid,
        _ => return None,
    };
    let is_guid = tid.len() == 36
        && tid.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        });
    (is_guid && template.matches(TENANT_PLACEHOLDER).count() == 1)
        .then(|| template.replace(TENANT_PLACEHOLDER, tid))
}

/// The logout URL of a provider with a logout of its own: Auth0's
/// `/v2/logout` (for tenants without RP-initiated logout, whose discovery names
/// no end-session endpoint) and Cognito's `/logout` on the user pool domain
/// (which takes `logout_uri`). Both take a GET and echo no `state`.
pub fn fallback_logout_url(
    preset: Preset,
    issuer: &str,
    authorization_endpoint: &str,
    client_id: &str,
    post_logout_redirect_uri: &str,
) -> Option<String> {
    match preset {
        Preset::Auth0 => {
            let base = issuer.trim_end_matches('/');
            let query = form_encode([("client_id", client_id), ("returnTo", post_logout_redirect_uri)]);
            Some(format!("{base}/v2/logout?{query}"))
        }
        Preset::Cognito => {
            let domain = HttpUrl::parse(authorization_endpoint)?.origin();
            let query = form_encode([("client_id", client_id), ("logout_uri", post_logout_redirect_uri)]);
            Some(format!("{domain}/logout?{query}"))
        }
        _ => None,
    }
}

/// What Pixie sent in the login whose code exchange failed, to name in the fix.
#[derive(Debug, Clone, Copy)]
pub struct LoginContext<'a> {
    /// The configured preset.
    pub preset: Preset,
    /// The app's origin (`location.origin`).
    pub origin: &'a str,
    /// The client.
    pub client_id: &'a str,
    /// The redirect URI sent.
    pub redirect_uri: &'a str,
    /// The token endpoint called.
    pub token_endpoint: &'a str,
}

/// A failed code exchange, with what to change at the provider when the
/// failure says: a blocked token request (CORS), a client that is not
/// public, a refused code. Other errors come back as they were.
pub fn diagnose_login_error(error: AuthError, login: &LoginContext<'_>) -> AuthError {
    match login_fix(&error, login) {
        Some(fix) => AuthError::Diagnosed(Box::new(Diagnosed { error, fix })),
        None => error,
    }
}

fn login_fix(error: &AuthError, login: &LoginContext<'_>) -> Option<String> {
    let preset = login.preset.or_recognised(login.token_endpoint);
    let (code, description) = match error {
        AuthError::Network { during, .. } if *during == "the token request" => {
            return Some(format!(
                "Most likely {} does not allow this app's origin ({}) to call its token endpoint ({}) from a browser: add it to {}. If it does, the provider or the network is down.",
                preset.display_name(),
                login.origin,
                login.token_endpoint,
                preset.web_origins_setting()
            ))
        }
        AuthError::Token(TokenError::OAuth { code, description, .. }) => (code, description.as_deref().unwrap_or("")),
        _ => return None,
    };
    Some(match code {
        OAuthErrorCode::InvalidClient | OAuthErrorCode::UnauthorizedClient => format!(
            "{} does not take `{}` as a public client (no secret, PKCE instead): {}.{}",
            preset.display_name(),
            login.client_id,
            preset.public_client_setting(),
            if *code == OAuthErrorCode::UnauthorizedClient {
                " Allow it the authorization_code grant (and refresh_token) too."
            } else {
                ""
            }
        ),
        // Entra ID: "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type."
        _ if description.contains("AADSTS9002326") => format!(
            "Microsoft Entra ID redeems codes from a browser only for a Single-page application: move {} from the Web platform to the Single-page application platform (App registrations → your app → Authentication).",
            login.redirect_uri
        ),
        OAuthErrorCode::InvalidGrant => format!(
            "The code was refused. Pixie sent redirect_uri {} and a PKCE code_verifier for an S256 challenge: check that {} lists exactly that URI, and that the client accepts PKCE with S256{}. A code also fails when it is used twice or too late; log in again.",
            login.redirect_uri,
            preset.redirect_uris_setting(),
            if preset == Preset::Keycloak {
                " (Settings → Capability config → PKCE Method: S256; before Keycloak 26.3, Advanced → Proof Key for Code Exchange Code Challenge Method)"
            } else {
                ""
            }
        ),
        _ => return None,
    })
}

/// An error and what to change at the provider to fix it. Its code is the
/// error's own, so a provider's `invalid_client` stays `invalid_client`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosed {
    /// What went wrong.
    pub error: AuthError,
    /// What to change, naming the provider's own setting when the preset is known.
    pub fix: String,
}

/// Whether a refresh failed because the provider's limit on the session's
/// life was reached, rather than a revoked or reused token: Entra ID ends a
/// single-page app's refresh tokens 24 hours after the login (`AADSTS700084`).
pub fn is_session_lifetime_over(error: &AuthError) -> bool {
    matches!(
        error.cause(),
        AuthError::Token(TokenError::OAuth { code: OAuthErrorCode::InvalidGrant, description: Some(d), .. })
            if d.contains("AADSTS700084")
    )
}

/// Every origin the browser calls at the provider (discovery, keys, token,
/// userinfo, revocation, PAR), in order and without repeats: what the CSP's
/// `connect-src` must name. Cognito's span two (cognito-idp and the pool's domain).
pub fn connect_origins(metadata: &crate::discovery::ProviderMetadata) -> Vec<String> {
    let urls = [
        Some(&metadata.issuer),
        metadata.jwks_uri.as_ref(),
        Some(&metadata.token_endpoint),
        metadata.userinfo_endpoint.as_ref(),
        metadata.revocation_endpoint.as_ref(),
        metadata.pushed_authorization_request_endpoint.as_ref(),
    ];
    let mut origins: Vec<String> = Vec::new();
    for origin in urls.into_iter().flatten().filter_map(|url| HttpUrl::parse(url).map(|u| u.origin())) {
        if !origins.contains(&origin) {
            origins.push(origin);
        }
    }
    origins
}

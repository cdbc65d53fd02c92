//! Provider presets against discovery documents shaped from each provider's
//! public documentation (tests/fixtures/providers, sources in its SOURCES.md),
//! and the diagnostics that name what to change at the provider.

use pixie_core::config::{ClientConfig, ConfigError};
use pixie_core::discovery::{DiscoveryError, ProviderMetadata};
use pixie_core::id_token::{validate_id_token, IdTokenError};
use pixie_core::logout::logout_redirect;
use pixie_core::presets::{
    check_issuer, diagnose_login_error, is_session_lifetime_over, issuer_rule, IssuerRule, LoginContext,
    Preset,
};
use pixie_core::provider::Provider;
use pixie_core::secret::{IdToken, Nonce, State};
use pixie_core::session::{refresh_failure, RefreshFailure};
use pixie_core::token::{OAuthErrorCode, TokenError};
use pixie_core::AuthError;
use serde_json::json;

use crate::support::{expectations, proof, Jwt, NONCE};

const APP: &str = "https://app.example";
const TENANT: &str = "9b1f1c55-3d7a-4a8e-8d61-0f4b3c2a1e77";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/providers/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn config(preset: &str, issuer: &str) -> Result<ClientConfig, ConfigError> {
    ClientConfig::parse(
        &json!({ "provider": preset, "issuer": issuer, "client_id": "pixie-spa" }).to_string(),
        APP,
    )
}

/// The preset's config for the fixture's issuer, and the fixture checked under it.
fn provider(preset: &str, fixture_name: &str, issuer: &str) -> Provider {
    let config = config(preset, issuer).unwrap_or_else(|e| panic!("{preset}: {e}"));
    let metadata = ProviderMetadata::for_config(&fixture(fixture_name), &config)
        .unwrap_or_else(|e| panic!("{fixture_name} under {preset}: {e}"));
    Provider { config, metadata }
}

fn logout_url(provider: &Provider) -> Option<String> {
    logout_redirect(provider, &IdToken::new("header.claims.signature"), &State::new("logout-state"))
        .map(|end| end.url)
}

// ----- every provider's document passes under its preset ---------------------------------

#[test]
fn every_fixture_is_accepted_under_its_preset_with_its_documented_issuer() {
    let cases = [
        ("keycloak", "keycloak", "https://sso.example.com/realms/pixie"),
        ("auth0", "auth0", "https://pixie-demo.us.auth0.com/"),
        ("auth0", "auth0-rp-logout", "https://pixie-demo.us.auth0.com/"),
        ("entra", "entra-common", "https://login.microsoftonline.com/common/v2.0"),
        ("entra", "entra-organizations", "https://login.microsoftonline.com/organizations/v2.0"),
        ("entra", "entra-tenant", &format!("https://login.microsoftonline.com/{TENANT}/v2.0")),
        ("okta", "okta-org", "https://pixie.okta.com"),
        ("okta", "okta-custom", "https://pixie.okta.com/oauth2/default"),
        ("cognito", "cognito", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI"),
        ("zitadel", "zitadel", "https://pixie-abc123.zitadel.cloud"),
        ("authentik", "authentik", "https://auth.example.com/application/o/pixie/"),
        ("authelia", "authelia", "https://auth.example.com"),
    ];
    for (preset, name, issuer) in cases {
        let provider = provider(preset, name, issuer);
        let expected_rule = if name == "entra-common" || name == "entra-organizations" {
            IssuerRule::EntraTenant
        } else {
            IssuerRule::Exact
        };
        assert_eq!(provider.metadata.issuer_rule, expected_rule, "{name}");
    }
}

#[test]
fn the_providers_that_advertise_rfc_9207_iss_are_held_to_it() {
    assert!(
        provider("keycloak", "keycloak", "https://sso.example.com/realms/pixie")
            .metadata
            .authorization_response_iss_parameter_supported
    );
    let authelia = provider("authelia", "authelia", "https://auth.example.com").metadata;
    assert!(authelia.authorization_response_iss_parameter_supported);
    assert!(authelia.pushed_authorization_request_endpoint.is_some(), "Authelia offers PAR");
}

#[test]
fn preset_names_parse_and_an_unknown_one_lists_the_choices() {
    for preset in Preset::ALL {
        assert_eq!(Preset::parse(preset.as_str()), Some(preset));
    }
    let error = config("ping", "https://id.example").unwrap_err();
    assert_eq!(error.field, "provider");
    assert!(error.problem.contains("keycloak") && error.problem.contains("generic"), "{error}");
    assert_eq!(config("generic", "https://id.example").unwrap().provider, Preset::Generic);
    let no_preset = ClientConfig::parse(r#"{"issuer":"https://id.example","client_id":"c"}"#, APP).unwrap();
    assert_eq!(no_preset.provider, Preset::Generic);
}

// ----- issuer shapes -------------------------------------------------------------------

#[test]
fn each_preset_refuses_an_issuer_of_the_wrong_shape_and_says_the_right_one() {
    let refused = [
        ("keycloak", "https://sso.example.com", "/realms/<realm>"),
        ("keycloak", "https://sso.example.com/realms/pixie/", "/realms/<realm>"),
        ("auth0", "https://pixie-demo.us.auth0.com", "\"https://pixie-demo.us.auth0.com/\""),
        ("entra", "https://login.microsoftonline.com/common", "/v2.0"),
        ("entra", "https://sts.windows.net/common/", "v1.0"),
        ("okta", "https://pixie.okta.com/oauth2/default/", "/oauth2/<server id>"),
        ("cognito", "https://pixie-demo.auth.eu-west-1.amazoncognito.com", "cognito-idp.<region>"),
        ("authentik", "https://auth.example.com/application/o/pixie", "trailing slash"),
    ];
    for (preset, issuer, hint) in refused {
        let error = config(preset, issuer).expect_err(issuer);
        assert_eq!(error.field, "issuer", "{preset} {issuer}");
        assert!(error.problem.contains(hint), "{preset} {issuer}: {error}");
    }
    assert!(config("keycloak", "https://sso.example.com/auth/realms/pixie").is_ok(), "Keycloak before 17");
    // Generic is today's behaviour: any https issuer.
    assert!(config("generic", "https://sso.example.com").is_ok());
}

#[test]
fn auth0_without_the_trailing_slash_fails_discovery_with_the_exact_issuer_to_set() {
    let config =
        ClientConfig::parse(r#"{"issuer":"https://pixie-demo.us.auth0.com","client_id":"c"}"#, APP).unwrap();
    let error = ProviderMetadata::for_config(&fixture("auth0"), &config).unwrap_err();
    let message = AuthError::from(error).to_string();
    assert!(message.contains("Set `issuer` to exactly https://pixie-demo.us.auth0.com/"), "{message}");
}

// ----- Google and GitHub: refused before any redirect ---------------------------------------

#[test]
fn google_and_github_are_refused_by_preset_or_by_issuer_naming_a_backend_for_frontend() {
    let cases = [
        ("google", "https://accounts.google.com", "provider", "client_secret"),
        ("github", "https://github.com", "provider", "CORS"),
        ("generic", "https://accounts.google.com", "issuer", "client_secret"),
        ("generic", "https://github.com", "issuer", "CORS"),
    ];
    for (preset, issuer, field, why) in cases {
        // The configuration is refused, so the app never gets as far as a redirect.
        let error = config(preset, issuer).expect_err(issuer);
        assert_eq!(error.field, field, "{preset} {issuer}");
        assert!(error.problem.contains(why), "{error}");
        assert!(error.problem.contains("backend for frontend (BFF)"), "{error}");
    }
    // Google's document would have passed discovery: the refusal is the preset's, not an accident.
    let metadata = ProviderMetadata::from_document(&fixture("google"), "https://accounts.google.com");
    assert!(metadata.is_ok(), "{metadata:?}");
    // The preset refuses GitHub whatever the issuer says.
    let error = check_issuer(Preset::GitHub, "https://github.example").unwrap_err();
    assert_eq!(error.field, "provider");
    assert!(error.problem.contains("no CORS headers"), "{error}");
}

// ----- Microsoft Entra ID: the {tenantid} issuer --------------------------------------------

fn entra_common() -> Provider {
    provider("entra", "entra-common", "https://login.microsoftonline.com/common/v2.0")
}

fn entra_id_token(iss: &str, tid: Option<&str>) -> Jwt {
    let jwt = Jwt::id_token().claim("iss", iss);
    match tid {
        Some(tid) => jwt.claim("tid", tid),
        None => jwt.without_claim("tid"),
    }
}

fn validate_entra(jwt: Jwt) -> Result<String, IdTokenError> {
    let provider = entra_common();
    let nonce = Nonce::new(NONCE);
    let mut expected = expectations(&nonce, 60);
    expected.issuer = &provider.metadata.issuer;
    expected.issuer_rule = provider.metadata.issuer_rule;
    let token = jwt.to_id_token();
    validate_id_token(&token, proof(pixie_core::jwks::SignatureAlgorithm::Rs256, Some("key-1")), &expected)
        .map(|validated| validated.claim_str("iss").unwrap_or_default().to_owned())
}

#[test]
fn entra_common_accepts_the_issuer_of_the_tokens_own_tenant() {
    assert_eq!(entra_common().metadata.issuer, "https://login.microsoftonline.com/{tenantid}/v2.0");
    let iss = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    assert_eq!(validate_entra(entra_id_token(&iss, Some(TENANT))), Ok(iss));
}

#[test]
fn entra_common_refuses_an_issuer_of_another_tenant_than_tid() {
    let other = "00000000-0000-0000-0000-000000000001";
    let iss = format!("https://login.microsoftonline.com/{other}/v2.0");
    assert!(matches!(
        validate_entra(entra_id_token(&iss, Some(TENANT))),
        Err(IdTokenError::IssuerMismatch { .. })
    ));
}

#[test]
fn entra_common_refuses_a_token_without_a_tenant_id_or_with_a_forged_one() {
    let tenant_iss = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
    let cases = [
        (tenant_iss.clone(), None),
        // The template itself is no issuer.
        ("https://login.microsoftonline.com/{tenantid}/v2.0".to_owned(), Some("{tenantid}")),
        // A tid that would rewrite the path is not a tenant id.
        ("https://login.microsoftonline.com/x/../evil/v2.0".to_owned(), Some("x/../evil")),
        (tenant_iss.to_uppercase(), Some(TENANT)),
    ];
    for (iss, tid) in cases {
        assert!(
            matches!(validate_entra(entra_id_token(&iss, tid)), Err(IdTokenError::IssuerMismatch { .. })),
            "{iss} {tid:?}"
        );
    }
}

#[test]
fn the_tenant_exception_needs_the_entra_preset_and_microsofts_host() {
    let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
    let common = "https://login.microsoftonline.com/common/v2.0";
    assert_eq!(issuer_rule(Preset::Entra, common, template), Some(IssuerRule::EntraTenant));
    assert_eq!(issuer_rule(Preset::Generic, common, template), None);
    assert_eq!(issuer_rule(Preset::Keycloak, common, template), None);
    // A non-Entra issuer with braces never gets it, preset or not.
    assert_eq!(
        issuer_rule(
            Preset::Entra,
            "https://evil.example/common/v2.0",
            "https://evil.example/{tenantid}/v2.0"
        ),
        None
    );
    assert_eq!(
        issuer_rule(
            Preset::Entra,
            "https://login.microsoftonline.com.evil.example/common/v2.0",
            "https://login.microsoftonline.com.evil.example/{tenantid}/v2.0"
        ),
        None
    );
    // Only the tenant segment may differ, and only for common and organizations.
    assert_eq!(
        issuer_rule(
            Preset::Entra,
            "https://login.microsoftonline.com/contoso.com/v2.0",
            "https://login.microsoftonline.com/{tenantid}/v2.0"
        ),
        None
    );
    assert_eq!(
        issuer_rule(Preset::Entra, common, "https://login.microsoftonline.com/{tenantid}/v2.0/"),
        None
    );
    assert_eq!(
        issuer_rule(Preset::Entra, common, "https://login.microsoftonline.com/{tenantid}/{tenantid}/v2.0"),
        None
    );
}

#[test]
fn generic_with_entras_document_fails_and_says_to_set_the_entra_preset() {
    let config = ClientConfig::parse(
        r#"{"issuer":"https://login.microsoftonline.com/common/v2.0","client_id":"c"}"#,
        APP,
    )
    .unwrap();
    let error = ProviderMetadata::for_config(&fixture("entra-common"), &config).unwrap_err();
    assert!(matches!(error, DiscoveryError::IssuerMismatch { .. }));
    assert!(error.to_string().contains("\"provider\": \"entra\""), "{error}");
}

#[test]
fn entra_ends_spa_sessions_after_24_hours_with_a_message_of_its_own() {
    let expired = AuthError::Token(TokenError::OAuth {
        code: OAuthErrorCode::InvalidGrant,
        description: Some("AADSTS700084: The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 1.00:00:00, which cannot be extended.".to_owned()),
        uri: None,
        status: 400,
    });
    assert!(is_session_lifetime_over(&expired));
    assert_eq!(refresh_failure(&expired, 0), RefreshFailure::EndSession);
    let revoked = AuthError::Token(TokenError::OAuth {
        code: OAuthErrorCode::InvalidGrant,
        description: Some("grant request is invalid".to_owned()),
        uri: None,
        status: 400,
    });
    assert!(!is_session_lifetime_over(&revoked));
}

// ----- logout where discovery names no end-session endpoint ----------------------------------

#[test]
fn auth0_without_rp_logout_uses_v2_logout_with_client_id_and_return_to() {
    let tenant = provider("auth0", "auth0", "https://pixie-demo.us.auth0.com/");
    assert_eq!(tenant.metadata.end_session_endpoint, None);
    assert_eq!(
        logout_url(&tenant).as_deref(),
        Some("https://pixie-demo.us.auth0.com/v2/logout?client_id=pixie-spa&returnTo=https%3A%2F%2Fapp.example%2F")
    );
    // With RP-initiated logout on, the standard endpoint wins.
    let rp_logout = provider("auth0", "auth0-rp-logout", "https://pixie-demo.us.auth0.com/");
    let url = logout_url(&rp_logout).unwrap();
    assert!(url.starts_with("https://pixie-demo.us.auth0.com/oidc/logout?client_id=pixie-spa"), "{url}");
    // The same document without the preset: no logout at the provider, and no guess.
    let config =
        ClientConfig::parse(r#"{"issuer":"https://pixie-demo.us.auth0.com/","client_id":"c"}"#, APP).unwrap();
    let metadata = ProviderMetadata::for_config(&fixture("auth0"), &config).unwrap();
    assert_eq!(logout_url(&Provider { config, metadata }), None);
}

#[test]
fn cognito_logs_out_on_the_user_pool_domain_and_its_endpoints_span_two_origins() {
    let pool =
        provider("cognito", "cognito", "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI");
    assert_eq!(
        logout_url(&pool).as_deref(),
        Some("https://pixie-demo.auth.eu-west-1.amazoncognito.com/logout?client_id=pixie-spa&logout_uri=https%3A%2F%2Fapp.example%2F")
    );
    assert_eq!(
        pool.metadata.userinfo_endpoint.as_deref(),
        Some("https://pixie-demo.auth.eu-west-1.amazoncognito.com/oauth2/userInfo")
    );
    assert_eq!(
        pixie_core::presets::connect_origins(&pool.metadata),
        vec![
            "https://cognito-idp.eu-west-1.amazonaws.com".to_owned(),
            "https://pixie-demo.auth.eu-west-1.amazoncognito.com".to_owned(),
        ]
    );
}

// ----- diagnostics: the fix, named --------------------------------------------------------------

fn login(preset: Preset) -> LoginContext<'static> {
    LoginContext {
        preset,
        origin: APP,
        client_id: "pixie-spa",
        redirect_uri: "https://app.example/callback",
        token_endpoint: "https://sso.example.com/realms/pixie/protocol/openid-connect/token",
    }
}

fn oauth(code: &str, description: Option<&str>) -> AuthError {
    AuthError::Token(TokenError::OAuth {
        code: OAuthErrorCode::parse(code),
        description: description.map(str::to_owned),
        uri: None,
        status: 400,
    })
}

#[test]
fn a_blocked_token_request_names_the_origin_and_the_providers_setting() {
    let blocked = || AuthError::Network { during: "the token request", detail: "Failed to fetch".to_owned() };
    let keycloak = diagnose_login_error(blocked(), &login(Preset::Keycloak));
    assert_eq!(keycloak.code(), "network_error", "the code stays stable");
    let message = keycloak.to_string();
    assert!(message.contains("(https://app.example)"), "{message}");
    assert!(message.contains("Web origins"), "{message}");
    assert!(keycloak.fix().is_some());
    let generic = diagnose_login_error(blocked(), &login(Preset::Generic)).to_string();
    assert!(generic.contains("allowed web origins (CORS)"), "{generic}");
    let okta = diagnose_login_error(blocked(), &login(Preset::Okta)).to_string();
    assert!(okta.contains("Trusted Origins"), "{okta}");
    // Only the token request: a failed discovery is not about the token endpoint.
    let discovery = AuthError::Network { during: "discovery", detail: "x".to_owned() };
    assert_eq!(diagnose_login_error(discovery.clone(), &login(Preset::Keycloak)), discovery);
}

#[test]
fn a_generic_config_still_gets_the_setting_of_a_provider_recognised_from_its_token_endpoint() {
    let mut auth0 = login(Preset::Generic);
    auth0.token_endpoint = "https://pixie-demo.us.auth0.com/oauth/token";
    let error = AuthError::Network { during: "the token request", detail: "Failed to fetch".to_owned() };
    let message = diagnose_login_error(error, &auth0).to_string();
    assert!(message.contains("Allowed Web Origins"), "{message}");
}

#[test]
fn a_client_that_is_not_public_is_told_what_to_switch_keeping_the_providers_code() {
    for (preset, setting) in [
        (Preset::Keycloak, "Client authentication off"),
        (Preset::Auth0, "Single Page Application"),
        (Preset::Okta, "Single-Page Application"),
        (Preset::Authelia, "token_endpoint_auth_method: none"),
        (Preset::Generic, "public client"),
    ] {
        let error = diagnose_login_error(oauth("invalid_client", None), &login(preset));
        assert_eq!(error.code(), "invalid_client");
        let message = error.to_string();
        assert!(message.contains("`pixie-spa`") && message.contains(setting), "{preset:?}: {message}");
    }
    let unauthorized = diagnose_login_error(oauth("unauthorized_client", None), &login(Preset::Generic));
    assert_eq!(unauthorized.code(), "unauthorized_client");
    assert!(unauthorized.to_string().contains("authorization_code grant"));
}

#[test]
fn a_refused_code_names_the_redirect_uri_and_pkce_that_were_sent() {
    let error = diagnose_login_error(
        oauth("invalid_grant", Some("PKCE verification failed")),
        &login(Preset::Keycloak),
    );
    assert_eq!(error.code(), "invalid_grant");
    assert_eq!(error.provider_description(), Some("PKCE verification failed"));
    let message = error.to_string();
    assert!(message.contains("redirect_uri https://app.example/callback"), "{message}");
    assert!(message.contains("Valid redirect URIs") && message.contains("S256"), "{message}");
    assert!(matches!(error.cause(), AuthError::Token(TokenError::OAuth { .. })));
}

#[test]
fn entras_cross_origin_redemption_error_says_to_move_the_uri_to_the_spa_platform() {
    let description = "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type.";
    let error = diagnose_login_error(oauth("invalid_request", Some(description)), &login(Preset::Entra));
    assert_eq!(error.code(), "invalid_request");
    assert!(error.to_string().contains("Single-page application platform"), "{error}");
}

#[test]
fn other_errors_are_left_as_they_were() {
    for error in [
        oauth("invalid_scope", None),
        AuthError::NoRefreshToken,
        AuthError::Token(TokenError::MissingIdToken),
    ] {
        assert_eq!(diagnose_login_error(error.clone(), &login(Preset::Keycloak)), error);
    }
}

#[test]
fn a_diagnosed_error_is_still_matched_by_the_refresh_rules() {
    let diagnosed = diagnose_login_error(oauth("invalid_grant", None), &login(Preset::Generic));
    assert!(matches!(diagnosed, AuthError::Diagnosed(_)));
    assert_eq!(refresh_failure(&diagnosed, 0), RefreshFailure::EndSession);
}

//! `AuthError`: stable codes, human messages and the provider's own description.

use pixie_core::callback::{CallbackError, ProviderError};
use pixie_core::error::AuthError;
use pixie_core::id_token::IdTokenError;
use pixie_core::jwt::JwtError;
use pixie_core::token::{parse_token_response, TokenError};
use serde_json::json;

use crate::support::{callback, json_response, response, ISSUER_ENCODED, STATE};

/// The error for a redirect with the given provider error parameters.
fn provider_error(params: &str) -> AuthError {
    callback(&format!("?{params}&state={STATE}&iss={ISSUER_ENCODED}")).unwrap_err().into()
}

fn provider_code(code: &str) -> AuthError {
    AuthError::Callback(CallbackError::Provider(ProviderError {
        error: code.to_owned(),
        description: None,
        uri: None,
    }))
}

fn token_error(response: &pixie_core::http::HttpResponse) -> AuthError {
    parse_token_response(response).unwrap_err().into()
}

fn invalid_grant() -> AuthError {
    token_error(&json_response(
        400,
        &json!({ "error": "invalid_grant", "error_description": "code already used" }),
    ))
}

#[test]
fn unknown_state_code() {
    assert_eq!(AuthError::from(CallbackError::UnknownState).code(), "unknown_state");
}

#[test]
fn token_invalid_grant_keeps_the_oauth_code() {
    assert_eq!(invalid_grant().code(), "invalid_grant");
}

#[test]
fn provider_access_denied_keeps_the_provider_code() {
    assert_eq!(provider_error("error=access_denied").code(), "access_denied");
}

#[test]
fn provider_code_with_markup_is_sanitized() {
    let code = provider_code(&format!("<script>alert(\"x\\y\")</script>{}", "a".repeat(100))).code();
    assert!(!code.contains('"') && !code.contains('\\'), "{code}");
    assert!(code.chars().count() <= 64, "{code}");
    assert!(code.starts_with("<script>alert(xy)</script>"), "{code}");
}

#[test]
fn provider_code_with_nothing_printable_becomes_provider_error() {
    assert_eq!(provider_code("\"\\\u{7f}é").code(), "provider_error");
}

#[test]
fn other_codes_are_stable() {
    let cases = [
        (
            AuthError::from(CallbackError::IssMismatch { expected: "a".into(), found: "b".into() }),
            "iss_mismatch",
        ),
        (AuthError::from(CallbackError::MissingIss), "missing_iss"),
        (AuthError::from(IdTokenError::Malformed(JwtError::Encrypted)), "id_token_encrypted"),
        (AuthError::from(IdTokenError::NonceMismatch), "id_token_nonce_mismatch"),
        (AuthError::from(TokenError::MissingIdToken), "missing_id_token"),
        (AuthError::Network { during: "discovery", detail: "TypeError".into() }, "network_error"),
        (AuthError::AppCodeUnavailable { part: "signed-in", detail: "TypeError".into() }, "app_code_unavailable"),
    ];
    for (error, code) in cases {
        assert_eq!(error.code(), code, "{error:?}");
    }
}

#[test]
fn app_code_unavailable_says_reload_and_deploy_every_file() {
    let error = AuthError::AppCodeUnavailable { part: "signed-in", detail: "Failed to fetch".into() };
    let message = error.message();
    assert!(message.contains("signed-in code could not be loaded (Failed to fetch)"), "{message}");
    assert!(message.contains("reload the page"), "{message}");
    assert!(message.contains("deploy every file of a build together"), "{message}");
}

#[test]
fn unknown_state_message_says_used_or_expired() {
    let message = AuthError::from(CallbackError::UnknownState).message();
    assert!(message.contains("already used or has expired"), "{message}");
}

#[test]
fn config_error_message_names_the_field() {
    let error =
        pixie_core::config::ClientConfig::parse(r#"{"issuer":"http://example.com","client_id":"x"}"#, "")
            .unwrap_err();
    let message = AuthError::from(error).message();
    assert!(message.starts_with("config.json field `issuer`:"), "{message}");
}

#[test]
fn expiry_message_survives_extreme_timestamps() {
    let message = AuthError::from(IdTokenError::Expired { exp: i64::MIN, now: 1_700_000_000 }).message();
    assert!(message.starts_with("The ID token expired "), "{message}");
}

#[test]
fn provider_description_from_the_callback() {
    let error = provider_error("error=access_denied&error_description=User%20cancelled");
    assert_eq!(error.provider_description(), Some("User cancelled"));
}

#[test]
fn provider_description_from_the_token_endpoint() {
    assert_eq!(invalid_grant().provider_description(), Some("code already used"));
}

#[test]
fn provider_description_is_the_body_excerpt_for_http_errors() {
    let error = token_error(&response(502, "text/plain", "upstream timed out"));
    assert_eq!(error.provider_description(), Some("upstream timed out"));
}

#[test]
fn provider_description_is_absent_for_local_errors() {
    assert_eq!(AuthError::from(CallbackError::UnknownState).provider_description(), None);
    assert_eq!(provider_error("error=access_denied").provider_description(), None);
}

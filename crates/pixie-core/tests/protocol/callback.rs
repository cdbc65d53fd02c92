//! The redirect back from the provider: parsing, then validation against the pending login.

use pixie_core::callback::{looks_like_callback, parse_callback, CallbackError, ProviderError};

use pixie_core::callback::confirm_provider;
use pixie_core::provider::Provider;

use crate::support::{
    callback, callback_with, config, login_with, metadata, pending, success_query, validated_callback,
    CLIENT_ID, CODE, ISSUER, ISSUER_ENCODED, MINUTE_MS, NONCE, NOW_MS, STATE, TOKEN_ENDPOINT,
};

fn callback_error(query: &str) -> CallbackError {
    match callback(query) {
        Ok(validated) => panic!("expected a CallbackError, got {validated:?}"),
        Err(error) => error,
    }
}

fn parse_error(query: &str, fragment: &str) -> CallbackError {
    match parse_callback(query, fragment) {
        Ok(response) => panic!("expected a CallbackError, got {response:?}"),
        Err(error) => error,
    }
}

#[test]
fn valid_callback_is_validated() {
    let validated = callback(&success_query()).unwrap();
    assert_eq!(validated.nonce().secret(), NONCE);
    assert_eq!(validated.issuer(), ISSUER);
    assert_eq!(validated.return_to(), "/");
}

#[test]
fn parameter_order_and_plus_encoding_do_not_matter() {
    let query = format!("iss={ISSUER_ENCODED}&session_state=a+b&state={STATE}&code={CODE}");
    assert_eq!(callback(&query).unwrap().issuer(), ISSUER);
}

#[test]
fn provider_error_is_reported_with_decoded_description() {
    let query = format!(
        "?error=access_denied&error_description=User%20cancelled&error_uri=https%3A%2F%2Fid.example%2Fhelp\
         &state={STATE}&iss={ISSUER_ENCODED}"
    );
    assert_eq!(
        callback_error(&query),
        CallbackError::Provider(ProviderError {
            error: "access_denied".to_owned(),
            description: Some("User cancelled".to_owned()),
            uri: Some("https://id.example/help".to_owned()),
        })
    );
}

#[test]
fn missing_state_is_rejected() {
    assert_eq!(callback_error(&format!("?code={CODE}&iss={ISSUER_ENCODED}")), CallbackError::MissingState);
}

#[test]
fn empty_state_is_missing_state() {
    assert_eq!(
        callback_error(&format!("?code={CODE}&state=&iss={ISSUER_ENCODED}")),
        CallbackError::MissingState
    );
}

#[test]
fn missing_state_on_an_error_response_is_rejected() {
    assert_eq!(callback_error("?error=access_denied"), CallbackError::MissingState);
}

#[test]
fn unknown_state_without_pending_login_is_rejected() {
    let err = callback_with(&success_query(), None, NOW_MS).unwrap_err();
    assert_eq!(err, CallbackError::UnknownState);
}

#[test]
fn expired_pending_login_is_unknown_state() {
    let later = NOW_MS + 10.0 * MINUTE_MS + 1.0;
    let err = callback_with(&success_query(), Some(pending()), later).unwrap_err();
    assert_eq!(err, CallbackError::UnknownState);
}

#[test]
fn different_iss_is_a_mismatch() {
    let query = format!("?code={CODE}&state={STATE}&iss=https%3A%2F%2Fevil.example");
    assert_eq!(
        callback_error(&query),
        CallbackError::IssMismatch { expected: ISSUER.to_owned(), found: "https://evil.example".to_owned() }
    );
}

#[test]
fn missing_iss_is_rejected_when_the_provider_supports_it() {
    assert_eq!(callback_error(&format!("?code={CODE}&state={STATE}")), CallbackError::MissingIss);
}

#[test]
fn missing_iss_is_accepted_when_the_provider_does_not_support_it() {
    let mut metadata = metadata();
    metadata.authorization_response_iss_parameter_supported = false;
    let pending = login_with(&config(), &metadata).pending;
    let validated = callback_with(&format!("?code={CODE}&state={STATE}"), Some(pending), NOW_MS);
    assert_eq!(validated.unwrap().issuer(), ISSUER);
}

#[test]
fn iss_is_checked_before_a_provider_error() {
    let query = format!("?error=access_denied&state={STATE}&iss=https%3A%2F%2Fevil.example");
    assert!(matches!(callback_error(&query), CallbackError::IssMismatch { .. }));
}

#[test]
fn missing_iss_is_checked_before_a_provider_error() {
    assert_eq!(callback_error(&format!("?error=access_denied&state={STATE}")), CallbackError::MissingIss);
}

#[test]
fn access_token_in_query_is_tokens_in_url() {
    let query = format!("{}&access_token=at", success_query());
    assert_eq!(parse_error(&query, ""), CallbackError::TokensInUrl);
}

#[test]
fn id_token_in_fragment_is_tokens_in_url() {
    assert_eq!(
        parse_error(&success_query(), "#id_token=eyJhbGciOiJub25lIn0.e30."),
        CallbackError::TokensInUrl
    );
}

#[test]
fn plain_anchor_fragment_is_ignored() {
    let response = parse_callback(&success_query(), "#%zz-section").unwrap();
    assert_eq!(response.state().unwrap().secret(), STATE);
}

#[test]
fn duplicate_state_is_rejected() {
    let query = format!("{}&state=attacker", success_query());
    assert_eq!(parse_error(&query, ""), CallbackError::DuplicateParameter(Some("state")));
}

#[test]
fn missing_code_is_rejected() {
    assert_eq!(callback_error(&format!("?state={STATE}&iss={ISSUER_ENCODED}")), CallbackError::MissingCode);
}

#[test]
fn malformed_escape_is_malformed() {
    assert_eq!(parse_error(&format!("{}&x=%zz", success_query()), ""), CallbackError::Malformed);
}

#[test]
fn truncated_escape_is_malformed() {
    assert_eq!(parse_error(&format!("{}&x=%4", success_query()), ""), CallbackError::Malformed);
}

#[test]
fn signed_escape_is_malformed() {
    // `%+1` is not two hex digits, although Rust's `u8::from_str_radix` would accept "+1".
    assert_eq!(parse_error(&format!("{}&x=%+1", success_query()), ""), CallbackError::Malformed);
}

#[test]
fn non_utf8_escape_is_malformed() {
    assert_eq!(parse_error(&format!("{}&x=%FF", success_query()), ""), CallbackError::Malformed);
}

#[test]
fn a_login_for_another_provider_than_the_deployed_one_is_issuer_changed() {
    let provider = |issuer: &str, client_id: &str, token_endpoint: &str| {
        let (mut config, mut metadata) = (config(), metadata());
        metadata.issuer = issuer.to_owned();
        config.client_id = client_id.to_owned();
        metadata.token_endpoint = token_endpoint.to_owned();
        Provider { config, metadata }
    };
    let callback = validated_callback();
    assert_eq!(confirm_provider(&callback, &provider(ISSUER, CLIENT_ID, TOKEN_ENDPOINT)), Ok(()));
    for changed in [
        provider("https://other.example", CLIENT_ID, TOKEN_ENDPOINT),
        provider(ISSUER, "other-client", TOKEN_ENDPOINT),
        provider(ISSUER, CLIENT_ID, "https://id.example/other-token"),
    ] {
        assert_eq!(confirm_provider(&callback, &changed), Err(CallbackError::IssuerChanged));
    }
}

#[test]
fn the_code_goes_to_the_token_endpoint_the_login_started_with() {
    let request = pixie_core::token::token_request(&validated_callback());
    assert_eq!(request.url, TOKEN_ENDPOINT);
    assert_eq!(callback(&success_query()).unwrap().client_id(), CLIENT_ID);
    assert_eq!(validated_callback().jwks_uri(), Some("https://id.example/jwks"));
}

#[test]
fn parsed_response_exposes_its_state() {
    let response = parse_callback(&success_query(), "").unwrap();
    assert_eq!(response.state().unwrap().secret(), STATE);
    let without_state = parse_callback("?code=x", "").unwrap();
    assert_eq!(without_state.state().unwrap_err(), CallbackError::MissingState);
}

#[test]
fn looks_like_callback_when_code_state_or_error_is_present() {
    assert!(looks_like_callback(&success_query()));
    assert!(looks_like_callback("?state=x"));
    assert!(looks_like_callback("error=access_denied"));
}

#[test]
fn looks_like_callback_is_false_for_a_bare_url() {
    assert!(!looks_like_callback(""));
    assert!(!looks_like_callback("?"));
    assert!(!looks_like_callback("?tab=profile"));
}

#[test]
fn malformed_query_looks_like_callback_so_it_gets_reported() {
    assert!(looks_like_callback("?code=%zz"));
}

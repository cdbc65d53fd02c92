//! The authorization URL, the pending-login record and its storage format.

use pixie_core::authorize::{authorization_request, safe_return_to, PendingLogin, PENDING_LOGIN_TTL_MS};
use pixie_core::secret::State;
use serde_json::Value;

use crate::support::{
    config, login, login_with, metadata, pending, randomness, CHALLENGE, ISSUER, MINUTE_MS, NONCE, NOW_MS,
    REDIRECT_URI, STATE, VERIFIER,
};

/// The query every fixture login carries, in this exact order.
fn core_query() -> String {
    format!(
        "response_type=code\
         &client_id=pixie-demo\
         &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback\
         &scope=openid%20profile%20email%20offline_access\
         &state={STATE}\
         &nonce={NONCE}\
         &code_challenge={CHALLENGE}\
         &code_challenge_method=S256"
    )
}

// ----- the URL ---------------------------------------------------------------

#[test]
fn authorization_url_is_exact() {
    assert_eq!(login().url, format!("https://id.example/authorize?{}", core_query()));
}

#[test]
fn endpoint_with_a_query_gets_an_ampersand() {
    let mut metadata = metadata();
    metadata.authorization_endpoint = "https://id.example/auth?tenant=x".to_owned();
    assert_eq!(
        login_with(&config(), &metadata).url,
        format!("https://id.example/auth?tenant=x&{}", core_query())
    );
}

#[test]
fn extra_auth_params_follow_the_core_params_percent_encoded() {
    let mut config = config();
    config.extra_auth_params = vec![
        ("prompt".to_owned(), "login consent".to_owned()),
        ("audience".to_owned(), "https://api.example/v1?x=1&y=2".to_owned()),
    ];
    assert_eq!(
        login_with(&config, &metadata()).url,
        format!(
            "https://id.example/authorize?{}&prompt=login%20consent&audience=https%3A%2F%2Fapi.example%2Fv1%3Fx%3D1%26y%3D2",
            core_query()
        )
    );
}

#[test]
fn request_carries_state_and_challenge() {
    let request = login();
    assert_eq!(request.state.secret(), STATE);
    assert_eq!(request.code_challenge, CHALLENGE);
}

// ----- the pending record ------------------------------------------------------

#[test]
fn pending_record_remembers_the_login() {
    let pending = pending();
    assert_eq!(pending.verifier.secret(), VERIFIER);
    assert_eq!(pending.nonce.secret(), NONCE);
    assert_eq!(pending.issuer, ISSUER);
    assert_eq!(pending.redirect_uri, REDIRECT_URI);
    assert_eq!(pending.created_at_ms, NOW_MS);
    assert_eq!(pending.return_to, "/");
}

#[test]
fn pending_record_keeps_a_local_return_to() {
    let request = authorization_request(&config(), &metadata(), randomness(), "/account?tab=2", NOW_MS);
    assert_eq!(request.pending.return_to, "/account?tab=2");
}

#[test]
fn pending_record_replaces_a_foreign_return_to() {
    let request = authorization_request(&config(), &metadata(), randomness(), "//evil.example/", NOW_MS);
    assert_eq!(request.pending.return_to, "/");
}

#[test]
fn storage_name_is_pending_dot_state_under_the_prefix() {
    assert_eq!(PendingLogin::storage_name(&State::new("abc")), "pending.abc");
    assert_eq!(
        config().storage_key(&PendingLogin::storage_name(&login().state)),
        format!("pixie.pending.{STATE}")
    );
}

// ----- safe_return_to -----------------------------------------------------------

#[test]
fn return_to_local_path_with_query_is_kept() {
    assert_eq!(safe_return_to("/ok?x=1"), "/ok?x=1");
}

#[test]
fn return_to_protocol_relative_url_becomes_root() {
    assert_eq!(safe_return_to("//evil.example"), "/");
}

#[test]
fn return_to_absolute_url_becomes_root() {
    assert_eq!(safe_return_to("https://evil.example"), "/");
}

#[test]
fn return_to_javascript_url_becomes_root() {
    assert_eq!(safe_return_to("javascript:alert(1)"), "/");
}

#[test]
fn return_to_backslash_trick_becomes_root() {
    assert_eq!(safe_return_to("/\\evil.example"), "/");
}

#[test]
fn return_to_empty_becomes_root() {
    assert_eq!(safe_return_to(""), "/");
}

#[test]
fn return_to_with_control_characters_becomes_root() {
    assert_eq!(safe_return_to("/\t/evil.example"), "/");
}

// ----- storage JSON ----------------------------------------------------------------

/// The fixture record's storage JSON with one field replaced.
fn stored_with(field: &str, value: Value) -> String {
    let mut stored: Value = serde_json::from_str(&pending().to_storage_json()).unwrap();
    stored[field] = value;
    stored.to_string()
}

#[test]
fn storage_json_round_trips() {
    let original = authorization_request(&config(), &metadata(), randomness(), "/here?x=1", NOW_MS).pending;
    let restored = PendingLogin::from_storage_json(&original.to_storage_json()).unwrap();
    assert_eq!(restored.verifier, original.verifier);
    assert_eq!(restored.nonce, original.nonce);
    assert_eq!(restored.issuer, original.issuer);
    assert_eq!(restored.redirect_uri, original.redirect_uri);
    assert_eq!(restored.created_at_ms, original.created_at_ms);
    assert_eq!(restored.return_to, "/here?x=1");
    assert_eq!(
        (
            restored.client_id.as_str(),
            restored.token_endpoint.as_str(),
            restored.jwks_uri.as_deref(),
            restored.iss_required
        ),
        (
            original.client_id.as_str(),
            original.token_endpoint.as_str(),
            original.jwks_uri.as_deref(),
            original.iss_required
        )
    );
}

#[test]
fn storage_json_is_versioned() {
    let stored: Value = serde_json::from_str(&pending().to_storage_json()).unwrap();
    assert_eq!(stored["v"], 2);
}

#[test]
fn storage_json_rejects_garbage() {
    for garbage in ["", "not json", "{}", "[]", "null", r#"{"v":1}"#] {
        assert!(PendingLogin::from_storage_json(garbage).is_none(), "{garbage:?}");
    }
}

#[test]
fn storage_json_rejects_other_versions() {
    assert!(PendingLogin::from_storage_json(&stored_with("v", 1.into())).is_none(), "the version before");
    assert!(PendingLogin::from_storage_json(&stored_with("v", 3.into())).is_none());
}

#[test]
fn storage_json_rejects_an_invalid_verifier() {
    let truncated = VERIFIER[..42].to_owned();
    assert!(PendingLogin::from_storage_json(&stored_with("verifier", truncated.into())).is_none());
    let bad_chars = format!("{}+/", &VERIFIER[..41]);
    assert!(PendingLogin::from_storage_json(&stored_with("verifier", bad_chars.into())).is_none());
}

#[test]
fn storage_json_sanitizes_a_tampered_return_to() {
    let restored =
        PendingLogin::from_storage_json(&stored_with("return_to", "//evil.example".into())).unwrap();
    assert_eq!(restored.return_to, "/");
}

// ----- expiry ---------------------------------------------------------------------

#[test]
fn pending_login_expires_after_ten_minutes() {
    assert_eq!(PENDING_LOGIN_TTL_MS, 10.0 * MINUTE_MS);
    assert!(pending().is_expired(NOW_MS + 10.0 * MINUTE_MS + 1.0));
}

#[test]
fn pending_login_is_fresh_at_nine_minutes() {
    assert!(!pending().is_expired(NOW_MS + 9.0 * MINUTE_MS));
}

#[test]
fn pending_login_is_fresh_at_exactly_ten_minutes() {
    assert!(!pending().is_expired(NOW_MS + 10.0 * MINUTE_MS));
}

#[test]
fn pending_login_created_two_minutes_in_the_future_is_expired() {
    assert!(pending().is_expired(NOW_MS - 2.0 * MINUTE_MS));
}

#[test]
fn pending_login_with_nan_timestamp_is_expired() {
    let mut pending = pending();
    pending.created_at_ms = f64::NAN;
    assert!(pending.is_expired(NOW_MS));
}

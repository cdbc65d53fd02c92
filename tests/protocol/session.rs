//! The session after login: config switches, prompt=none, refresh, rotation
//! checks (OIDC Core §12.2), revocation, RP-initiated logout, stored sessions.

use pixie::oauth::api::{bearer_request, token_rejected};
use pixie::oauth::authorize::silent_authorization_request;
use pixie::oauth::callback::{parse_callback, validate_callback, CallbackError, ProviderError};
use pixie::oauth::config::{ClientConfig, TokenStorage};
use pixie::oauth::id_token::{
    validate_id_token, validate_refreshed_id_token, IdTokenError, ValidatedIdToken, VerifiedSignature,
};
use pixie::oauth::jwks::SignatureAlgorithm;
use pixie::oauth::logout::{check_logout_return, end_session_url, revocation_request, LogoutReturn};
use pixie::oauth::refresh::{refresh_delay_ms, refresh_request, retry_delay_ms};
use pixie::oauth::secret::{AccessToken, IdToken, Nonce, RefreshToken, State};
use pixie::oauth::session_record::SessionRecord;
use serde_json::json;

use crate::support::{
    config, expectations, metadata, randomness, response, Jwt, CLIENT_ID, ISSUER_ENCODED, NONCE, NOW_MS,
    NOW_SECS, STATE, TOKEN_ENDPOINT,
};

fn parse_config(fields: serde_json::Value) -> Result<ClientConfig, String> {
    let mut base = json!({ "issuer": "http://127.0.0.1:9000", "client_id": "pixie-demo" });
    for (key, value) in fields.as_object().unwrap() {
        base[key] = value.clone();
    }
    ClientConfig::parse(&base.to_string(), "http://127.0.0.1:8080").map_err(|e| e.field)
}

#[test]
fn session_switches_parse_with_defaults() {
    let config = parse_config(json!({})).unwrap();
    assert_eq!(
        (config.token_storage, config.resume_on_reload, config.refresh_margin_secs, config.api_url),
        (TokenStorage::Memory, true, 60, None)
    );
    let config = parse_config(json!({
        "token_storage": "session", "resume_on_reload": false, "refresh_margin_secs": 5,
        "api_url": "http://127.0.0.1:9000/api/me"
    }))
    .unwrap();
    assert_eq!(config.token_storage, TokenStorage::Session);
    assert!(!config.resume_on_reload);
    assert_eq!(config.refresh_margin_secs, 5);
    assert_eq!(config.api_url.as_deref(), Some("http://127.0.0.1:9000/api/me"));
}

#[test]
fn bad_session_switches_name_their_field() {
    assert_eq!(parse_config(json!({ "token_storage": "local" })).unwrap_err(), "token_storage");
    assert_eq!(parse_config(json!({ "resume_on_reload": "yes" })).unwrap_err(), "resume_on_reload");
    assert_eq!(parse_config(json!({ "refresh_margin_secs": -1 })).unwrap_err(), "refresh_margin_secs");
    assert_eq!(parse_config(json!({ "api_url": "http://api.example/me" })).unwrap_err(), "api_url");
}

#[test]
fn silent_request_asks_for_prompt_none_and_overrides_a_configured_prompt() {
    let mut config = config();
    config.extra_auth_params = vec![("prompt".to_owned(), "login".to_owned())];
    let request = silent_authorization_request(&config, &metadata(), randomness(), "/", NOW_MS);
    assert!(request.url.ends_with("&prompt=none"), "{}", request.url);
    assert_eq!(request.url.matches("prompt=").count(), 1);
    assert!(request.pending.silent);
}

fn silent_callback(query: &str) -> Result<(), CallbackError> {
    let request = silent_authorization_request(&config(), &metadata(), randomness(), "/", NOW_MS);
    let response = parse_callback(query, "")?;
    validate_callback(response, Some(request.pending), &metadata(), NOW_MS).map(|_| ())
}

#[test]
fn login_required_after_prompt_none_means_signed_out() {
    let error =
        silent_callback(&format!("?error=login_required&state={STATE}&iss={ISSUER_ENCODED}")).unwrap_err();
    assert_eq!(
        error,
        CallbackError::SilentLoginRefused(ProviderError {
            error: "login_required".to_owned(),
            description: None,
            uri: None
        })
    );
}

#[test]
fn other_errors_after_prompt_none_stay_errors() {
    let error =
        silent_callback(&format!("?error=access_denied&state={STATE}&iss={ISSUER_ENCODED}")).unwrap_err();
    assert!(matches!(error, CallbackError::Provider(p) if p.error == "access_denied"));
}

#[test]
fn refresh_request_is_exact() {
    let request = refresh_request(&RefreshToken::new("rt-1"), CLIENT_ID, TOKEN_ENDPOINT);
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, TOKEN_ENDPOINT);
    assert_eq!(
        request.body.as_deref(),
        Some("grant_type=refresh_token&refresh_token=rt-1&client_id=pixie-demo")
    );
    assert!(request.headers.iter().all(|(name, _)| !name.eq_ignore_ascii_case("authorization")));
}

#[test]
fn refresh_runs_margin_before_expiry() {
    // 1 h token, 60 s margin: refresh 59 min after receipt.
    let delay = refresh_delay_ms(0.0, 3_600_000.0, 60, 0.0);
    assert_eq!(delay, 3_540_000.0);
}

#[test]
fn a_short_token_is_not_refreshed_before_two_thirds_of_its_life() {
    // 9 s token, 60 s margin: the margin is capped at a third, so 6 s.
    assert_eq!(refresh_delay_ms(0.0, 9_000.0, 60, 0.0), 6_000.0);
}

#[test]
fn an_overdue_refresh_runs_at_once() {
    assert_eq!(refresh_delay_ms(0.0, 10_000.0, 1, 20_000.0), 0.0);
}

#[test]
fn retries_back_off_to_thirty_seconds() {
    let delays: Vec<f64> = (0..8).map(retry_delay_ms).collect();
    assert_eq!(delays, [1000.0, 2000.0, 4000.0, 8000.0, 16000.0, 30000.0, 30000.0, 30000.0]);
}

#[test]
fn revocation_request_is_exact() {
    let request = revocation_request("https://id.example/revoke", &RefreshToken::new("rt 1"), CLIENT_ID);
    assert_eq!(
        request.body.as_deref(),
        Some("token=rt%201&token_type_hint=refresh_token&client_id=pixie-demo")
    );
    assert_eq!(request.method, "POST");
}

#[test]
fn end_session_url_is_exact() {
    let url = end_session_url(
        "https://id.example/logout",
        &IdToken::new("a.b.c"),
        CLIENT_ID,
        "https://app.example/",
        &State::new("st"),
    );
    assert_eq!(
        url,
        "https://id.example/logout?id_token_hint=a.b.c&client_id=pixie-demo&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F&state=st"
    );
}

#[test]
fn logout_return_state_is_checked() {
    assert_eq!(check_logout_return("", Some("st")), LogoutReturn::NotALogoutReturn);
    assert_eq!(check_logout_return("?state=st", Some("st")), LogoutReturn::Confirmed);
    assert_eq!(check_logout_return("?state=forged", Some("st")), LogoutReturn::StateMismatch);
    assert_eq!(check_logout_return("?state=st", None), LogoutReturn::StateMismatch);
}

fn proof() -> VerifiedSignature {
    VerifiedSignature { algorithm: SignatureAlgorithm::Rs256, kid: Some("key-1".to_owned()) }
}

fn original() -> ValidatedIdToken {
    let nonce = Nonce::new(NONCE);
    let expected = expectations(&nonce, 60);
    validate_id_token(&Jwt::id_token().claim("auth_time", NOW_SECS - 20).to_id_token(), proof(), &expected)
        .unwrap()
}

fn refreshed(jwt: Jwt) -> Result<ValidatedIdToken, IdTokenError> {
    validate_refreshed_id_token(&jwt.to_id_token(), proof(), &original(), CLIENT_ID, NOW_SECS + 100, 60)
}

fn refreshed_token() -> Jwt {
    Jwt::id_token().claim("auth_time", NOW_SECS - 20).claim("iat", NOW_SECS + 90).claim("exp", NOW_SECS + 400)
}

#[test]
fn refreshed_id_token_for_the_same_login_is_accepted() {
    assert_eq!(refreshed(refreshed_token()).unwrap().sub, "user-123");
    assert!(refreshed(refreshed_token().without_claim("nonce")).is_ok(), "nonce may be absent");
}

#[test]
fn refreshed_id_token_for_another_user_is_rejected() {
    assert_eq!(
        refreshed(refreshed_token().claim("sub", "mallory")).unwrap_err(),
        IdTokenError::RefreshChanged("sub")
    );
}

#[test]
fn refreshed_id_token_with_another_auth_time_is_rejected() {
    let jwt = refreshed_token().claim("auth_time", NOW_SECS);
    assert_eq!(refreshed(jwt).unwrap_err(), IdTokenError::RefreshChanged("auth_time"));
}

#[test]
fn refreshed_id_token_with_another_audience_is_rejected() {
    let jwt = refreshed_token().claim("aud", json!([CLIENT_ID, "other"])).claim("azp", CLIENT_ID);
    assert_eq!(refreshed(jwt).unwrap_err(), IdTokenError::RefreshChanged("aud"));
}

#[test]
fn refreshed_id_token_with_a_different_nonce_is_rejected() {
    assert_eq!(
        refreshed(refreshed_token().claim("nonce", "other")).unwrap_err(),
        IdTokenError::NonceMismatch
    );
}

#[test]
fn refreshed_id_token_from_another_issuer_is_rejected() {
    let error = refreshed(refreshed_token().claim("iss", "https://evil.example")).unwrap_err();
    assert!(matches!(error, IdTokenError::IssuerMismatch { .. }));
}

fn record() -> SessionRecord {
    SessionRecord {
        session_id: "sid".to_owned(),
        generation: 3,
        access_token: AccessToken::new("at-secret"),
        refresh_token: Some(RefreshToken::new("rt-secret")),
        id_token: IdToken::new("a.b.c"),
        signature: proof(),
        received_at_ms: NOW_MS,
        expires_at_ms: Some(NOW_MS + 60_000.0),
        scope: Some("openid".to_owned()),
    }
}

#[test]
fn session_record_round_trips() {
    let back = SessionRecord::from_json(&record().to_json()).unwrap();
    assert_eq!((back.session_id.as_str(), back.generation), ("sid", 3));
    assert_eq!(back.access_token.secret(), "at-secret");
    assert_eq!(back.refresh_token.unwrap().secret(), "rt-secret");
    assert_eq!(back.signature, proof());
    assert_eq!(back.expires_at_ms, Some(NOW_MS + 60_000.0));
}

#[test]
fn malformed_session_records_are_ignored() {
    assert!(SessionRecord::from_json("{").is_none());
    assert!(SessionRecord::from_json(&record().to_json().replace("\"v\":1", "\"v\":2")).is_none());
    assert!(SessionRecord::from_json(&record().to_json().replace("RS256", "HS256")).is_none());
}

#[test]
fn session_record_debug_hides_tokens() {
    let debug = format!("{:?}", record());
    assert!(!debug.contains("secret"), "{debug}");
}

#[test]
fn bearer_request_and_401() {
    let request = bearer_request("GET", "https://api.example/me", &AccessToken::new("at"));
    assert_eq!(request.headers, vec![("Authorization", "Bearer at".to_owned())]);
    assert!(token_rejected(&response(401, "application/json", "{}")));
    assert!(!token_rejected(&response(403, "application/json", "{}")));
}

//! The session after login: config switches, prompt=none, refresh, rotation
//! checks (OIDC Core §12.2), revocation, RP-initiated logout, stored sessions.

use pixie_core::api::{bearer_request, token_rejected};
use pixie_core::authorize::silent_authorization_request;
use pixie_core::callback::{parse_callback, validate_callback, CallbackError, ProviderError};
use pixie_core::config::LogoutMethod;
use pixie_core::config::{ClientConfig, TokenStorage};
use pixie_core::id_token::{
    validate_id_token, validate_refreshed_id_token, IdTokenError, ValidatedIdToken, VerifiedSignature,
};
use pixie_core::jwks::SignatureAlgorithm;
use pixie_core::logout::{check_logout_return, end_session_request, revocation_request, LogoutReturn};
use pixie_core::refresh::{refresh_delay_ms, refresh_request, retry_delay_ms};
use pixie_core::secret::{AccessToken, IdToken, Nonce, RefreshToken, State};
use pixie_core::session::{
    on_tab_message, refresh_failure, should_adopt, Receiver, RefreshFailure, Session, TabAction, TabMessage,
};
use pixie_core::token::{OAuthErrorCode, TokenError};
use pixie_core::AuthError;
use serde_json::json;

use crate::support::{
    config, expectations, metadata, randomness, response, Jwt, CLIENT_ID, ISSUER, ISSUER_ENCODED, NONCE,
    NOW_MS, NOW_SECS, STATE, TOKEN_ENDPOINT,
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
    let request = silent_authorization_request(&config, &metadata(), randomness(), "/", NOW_MS, None);
    assert!(request.url.ends_with("&prompt=none"), "{}", request.url);
    assert_eq!(request.url.matches("prompt=").count(), 1);
    assert!(request.pending.silent);
}

fn silent_callback(query: &str) -> Result<(), CallbackError> {
    let request = silent_authorization_request(&config(), &metadata(), randomness(), "/", NOW_MS, None);
    let response = parse_callback(query, "")?;
    validate_callback(response, Some(request.pending), NOW_MS).map(|_| ())
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
fn an_overdue_refresh_runs_after_the_floor() {
    assert_eq!(refresh_delay_ms(0.0, 10_000.0, 1, 20_000.0), pixie_core::refresh::MIN_REFRESH_DELAY_MS);
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
fn end_session_posts_the_id_token_in_a_form_never_in_the_url() {
    let end = end_session_request(
        "https://id.example/logout",
        &IdToken::new("a.b.c"),
        CLIENT_ID,
        "https://app.example/",
        &State::new("st"),
        LogoutMethod::Post,
    );
    assert_eq!(end.url, "https://id.example/logout");
    let form: Vec<(&str, &str)> = end.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        form,
        [
            ("id_token_hint", "a.b.c"),
            ("client_id", CLIENT_ID),
            ("post_logout_redirect_uri", "https://app.example/"),
            ("state", "st")
        ]
    );
    assert!(!format!("{end:?}").contains("a.b.c"), "Debug hides the form");
}

#[test]
fn end_session_by_get_sends_no_id_token() {
    let end = end_session_request(
        "https://id.example/logout?tenant=x",
        &IdToken::new("a.b.c"),
        CLIENT_ID,
        "https://app.example/",
        &State::new("st"),
        LogoutMethod::Get,
    );
    assert_eq!(
        end.url,
        "https://id.example/logout?tenant=x&client_id=pixie-demo&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F&state=st"
    );
    assert!(end.form.is_empty());
}

#[test]
fn logout_return_state_is_checked() {
    assert_eq!(check_logout_return("", Some("st")), LogoutReturn::NotALogoutReturn);
    assert_eq!(check_logout_return("?state=st", Some("st")), LogoutReturn::Confirmed);
    assert_eq!(check_logout_return("?state=forged", Some("st")), LogoutReturn::StateMismatch);
}

#[test]
fn a_state_with_no_logout_under_way_is_not_a_logout_return() {
    // Review, info: `/?state=x` with no logout pending used to say "logout not confirmed".
    assert_eq!(check_logout_return("?state=st", None), LogoutReturn::NotALogoutReturn);
}

fn proof() -> VerifiedSignature {
    crate::support::proof(SignatureAlgorithm::Rs256, Some("key-1"))
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
    assert_eq!(refreshed(jwt).unwrap_err(), IdTokenError::UntrustedAudience("other".to_owned()));
}

#[test]
fn a_refreshed_audience_is_compared_as_a_set() {
    // Review #13: the original said "aud": "c"; a provider may send ["c"] next time.
    assert_eq!(refreshed(refreshed_token().claim("aud", json!([CLIENT_ID]))).unwrap().sub, "user-123");
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

/// A signed-in session of generation `generation`, as the flow makes it.
fn session(generation: u32) -> Session {
    let id_token = Jwt::id_token().to_id_token();
    Session {
        id: "sid".to_owned(),
        generation,
        issuer: ISSUER.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        signed_in_at_ms: NOW_MS - 1000.0,
        received_at_ms: NOW_MS,
        access_token: AccessToken::new("at-secret"),
        refresh_token: Some(RefreshToken::new("rt-secret")),
        id_token_claims: original(),
        id_token,
        access_token_expires_at_ms: Some(NOW_MS + 60_000.0),
        scope: Some("openid".to_owned()),
        dpop_jkt: None,
    }
}

#[test]
fn a_session_round_trips_through_its_record() {
    let back = Session::from_json(&session(3).to_json()).unwrap();
    assert_eq!((back.id.as_str(), back.generation), ("sid", 3));
    assert_eq!((back.issuer.as_str(), back.client_id.as_str()), (ISSUER, CLIENT_ID));
    assert_eq!(back.access_token.secret(), "at-secret");
    assert_eq!(back.refresh_token.as_ref().unwrap().secret(), "rt-secret");
    assert_eq!(back.id_token_claims.signature, proof());
    assert_eq!(back.sub(), "user-123");
    assert_eq!(back.access_token_expires_at_ms, Some(NOW_MS + 60_000.0));
}

#[test]
fn malformed_session_records_are_ignored() {
    let json = session(3).to_json();
    assert!(Session::from_json("{").is_none());
    assert!(json.contains("\"v\":4"), "{json}");
    assert!(Session::from_json(&json.replace("\"v\":4", "\"v\":3")).is_none(), "an older version");
    assert!(Session::from_json(&json.replace("RS256", "HS256")).is_none(), "an algorithm never accepted");
    assert!(Session::from_json(&json.replace("\"issuer\"", "\"was_issuer\"")).is_none(), "no issuer");
    let without_claims = json.replace(Jwt::id_token().encode().as_str(), "a.b.c");
    assert!(Session::from_json(&without_claims).is_none(), "an ID token that does not decode");
}

#[test]
fn session_debug_hides_tokens() {
    let debug = format!("{:?}", session(3));
    assert!(!debug.contains("secret"), "{debug}");
}

#[test]
fn a_session_is_bound_to_its_issuer_and_client() {
    assert!(session(0).is_for(ISSUER, CLIENT_ID));
    assert!(!session(0).is_for("https://other.example", CLIENT_ID));
    assert!(!session(0).is_for(ISSUER, "other-client"));
}

// ----- decisions --------------------------------------------------------------

/// A tab that shares its session's tokens (`token_storage: "session"`).
fn receiver(current: Option<&Session>) -> Receiver<'_> {
    Receiver { current, shares_tokens: true, client_id: CLIENT_ID }
}

fn network_error() -> AuthError {
    AuthError::Network { during: "the token refresh", detail: "offline".to_owned() }
}

#[test]
fn invalid_grant_on_refresh_ends_the_session() {
    let error = AuthError::Token(TokenError::OAuth {
        code: OAuthErrorCode::InvalidGrant,
        description: None,
        uri: None,
        status: 400,
    });
    assert_eq!(refresh_failure(&error, 0), RefreshFailure::EndSession);
    assert_eq!(refresh_failure(&error, 4), RefreshFailure::EndSession);
}

#[test]
fn a_network_failure_is_retried_with_back_off() {
    assert_eq!(
        refresh_failure(&network_error(), 0),
        RefreshFailure::RetryAfter { attempt: 1, delay_ms: 1000.0 }
    );
    assert_eq!(
        refresh_failure(&network_error(), 2),
        RefreshFailure::RetryAfter { attempt: 3, delay_ms: 4000.0 }
    );
    assert_eq!(
        refresh_failure(&network_error(), u32::MAX),
        RefreshFailure::RetryAfter { attempt: u32::MAX, delay_ms: 30_000.0 }
    );
}

#[test]
fn other_refresh_failures_give_up_but_keep_the_session() {
    let invalid_client = AuthError::Token(TokenError::OAuth {
        code: OAuthErrorCode::InvalidClient,
        description: None,
        uri: None,
        status: 401,
    });
    assert_eq!(refresh_failure(&invalid_client, 0), RefreshFailure::GiveUp);
    assert_eq!(refresh_failure(&AuthError::NoRefreshToken, 0), RefreshFailure::GiveUp);
}

#[test]
fn tab_messages_round_trip_and_anything_else_is_ignored() {
    for message in [
        TabMessage::Refreshed { record: session(1).to_json() },
        TabMessage::Logout,
        TabMessage::SessionEnded { session_id: "sid".to_owned() },
    ] {
        assert_eq!(TabMessage::from_json(&message.to_json()), Some(message));
    }
    for junk in
        ["", "null", "[]", r#"{"type":"tokens","record":"{}"}"#, r#"{"type":"refreshed"}"#, r#"{"type":1}"#]
    {
        assert_eq!(TabMessage::from_json(junk), None, "{junk}");
    }
}

#[test]
fn a_newer_record_of_the_same_session_is_adopted() {
    let message = TabMessage::Refreshed { record: session(4).to_json() };
    match on_tab_message(message, receiver(Some(&session(3)))) {
        TabAction::Adopt(adopted) => assert_eq!(adopted.generation, 4),
        other => panic!("expected Adopt, got {other:?}"),
    }
}

#[test]
fn stale_foreign_or_unreadable_records_are_not_adopted() {
    let current = session(3);
    assert!(!should_adopt(&current, &session(3), CLIENT_ID), "the same generation");
    assert!(!should_adopt(&current, &session(2), CLIENT_ID), "an older generation");
    let mut other_session = session(9);
    other_session.id = "other".to_owned();
    assert!(!should_adopt(&current, &other_session, CLIENT_ID), "another session");
    let mut other_provider = session(9);
    other_provider.issuer = "https://evil.example".to_owned();
    assert!(!should_adopt(&current, &other_provider, CLIENT_ID), "another provider");
    let mut other_user = session(9);
    other_user.id_token_claims.sub = "mallory".to_owned();
    assert!(!should_adopt(&current, &other_user, CLIENT_ID), "another user");
    let garbage = TabMessage::Refreshed { record: "{".to_owned() };
    assert_eq!(on_tab_message(garbage, receiver(Some(&current))), TabAction::Ignore);
}

#[test]
fn logout_and_session_end_reach_only_signed_in_tabs_of_that_session() {
    assert_eq!(on_tab_message(TabMessage::Logout, receiver(Some(&session(0)))), TabAction::SignOutElsewhere);
    assert_eq!(on_tab_message(TabMessage::Logout, receiver(None)), TabAction::Ignore);
    let ended = |id: &str| TabMessage::SessionEnded { session_id: id.to_owned() };
    assert_eq!(on_tab_message(ended("sid"), receiver(Some(&session(0)))), TabAction::SessionEnded);
    assert_eq!(
        on_tab_message(ended("other"), receiver(Some(&session(0)))),
        TabAction::Ignore,
        "a tab with its own grant"
    );
}

#[test]
fn bearer_request_and_401() {
    let request = bearer_request("GET", "https://api.example/me", &AccessToken::new("at"));
    assert_eq!(request.headers, vec![("Authorization", "Bearer at".to_owned())]);
    let replaced = pixie_core::api::with_bearer(request, &AccessToken::new("new"));
    assert_eq!(
        replaced.headers,
        vec![("Authorization", "Bearer new".to_owned())],
        "one Authorization header"
    );
    assert!(token_rejected(&response(401, "application/json", "{}")));
    assert!(!token_rejected(&response(403, "application/json", "{}")));
}

#[test]
fn a_long_wait_is_split_into_timer_sized_steps() {
    use pixie_core::refresh::{timer_step, TimerStep, MAX_TIMER_MS};
    assert_eq!(MAX_TIMER_MS, 2_147_483_647.0, "setTimeout takes a signed 32-bit delay");
    assert_eq!(timer_step(5_000.0), TimerStep::RefreshIn(5_000.0));
    assert_eq!(timer_step(-1.0), TimerStep::RefreshIn(0.0));
    // Auth0 allows 30-day access tokens: refresh 60 s before the end of 30 days.
    let thirty_days_ms = 30.0 * 86_400_000.0 - 60_000.0;
    assert_eq!(timer_step(thirty_days_ms), TimerStep::CheckAgainIn(MAX_TIMER_MS));
    assert_eq!(timer_step(f64::INFINITY), TimerStep::CheckAgainIn(MAX_TIMER_MS));
    assert_eq!(timer_step(f64::NAN), TimerStep::CheckAgainIn(MAX_TIMER_MS));
}

#[test]
fn a_dpop_bound_session_keeps_its_key_thumbprint() {
    let bound =
        Session { dpop_jkt: Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I".to_owned()), ..session(1) };
    let back = Session::from_json(&bound.to_json()).expect("reads back");
    assert_eq!(back.dpop_jkt, bound.dpop_jkt);
    assert_eq!(Session::from_json(&session(1).to_json()).expect("reads back").dpop_jkt, None);
}

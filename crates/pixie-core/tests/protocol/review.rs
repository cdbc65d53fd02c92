//! The findings of the security review (issue "Fail closed, round two"), one
//! test or more each, where the logic is pure. The browser-side halves are in
//! tests/e2e/review.test.mjs. Each test failed on the code before its fix.

use pixie_core::authorize::{authorization_request, silent_authorization_request, PreviousUser};
use pixie_core::callback::{parse_callback, CallbackError};
use pixie_core::config::ClientConfig;
use pixie_core::discovery::{parse_discovery_response, DiscoveryError};
use pixie_core::encoding::is_secure_url;
use pixie_core::id_token::{validate_id_token, IdTokenError, ValidatedIdToken};
use pixie_core::json::Json;
use pixie_core::jwks::SignatureAlgorithm;
use pixie_core::refresh::{
    refresh_delay_ms, throttled_delay_ms, MAX_REFRESHES_PER_MINUTE, MIN_REFRESH_DELAY_MS,
};
use pixie_core::secret::{AccessToken, Nonce, RefreshToken};
use pixie_core::session::{
    freshness, on_tab_message, should_adopt, Freshness, Receiver, ResumeHint, Session, SessionMarker,
    TabAction, TabMessage, MAX_GENERATION_STEP,
};
use pixie_core::token::parse_token_response;
use pixie_core::trace::{id_token_checks, Step, TraceEntry};
use serde_json::json;

use crate::support::{
    callback_with, config, expectations, json_response, login, metadata, proof, randomness, success_query,
    Jwt, MetadataDoc, CLIENT_ID, CODE, ISSUER, ISSUER_ENCODED, NONCE, NOW_MS, NOW_SECS, STATE,
};

fn validated(jwt: &Jwt) -> ValidatedIdToken {
    let nonce = Nonce::new(NONCE);
    validate_id_token(
        &jwt.to_id_token(),
        proof(SignatureAlgorithm::Rs256, Some("key-1")),
        &expectations(&nonce, 60),
    )
    .expect("a valid ID token")
}

fn session_with(generation: u32, jwt: &Jwt) -> Session {
    Session {
        id: "sid".to_owned(),
        generation,
        issuer: ISSUER.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        signed_in_at_ms: NOW_MS - 60_000.0,
        received_at_ms: NOW_MS,
        access_token: AccessToken::new("at"),
        refresh_token: Some(RefreshToken::new("rt")),
        id_token: jwt.to_id_token(),
        id_token_claims: validated(jwt),
        access_token_expires_at_ms: Some(NOW_MS + 60_000.0),
        scope: None,
        dpop_jkt: None,
    }
}

fn session(generation: u32) -> Session {
    session_with(generation, &Jwt::id_token())
}

fn receiver(current: &Session, shares_tokens: bool) -> Receiver<'_> {
    Receiver { current: Some(current), shares_tokens, client_id: CLIENT_ID }
}

// ----- 1. tokens on the tab channel -------------------------------------------

#[test]
fn finding_1_memory_mode_tabs_take_no_tokens_from_the_channel() {
    let message = TabMessage::Refreshed { record: session(4).to_json() };
    assert_eq!(on_tab_message(message.clone(), receiver(&session(3), false)), TabAction::Ignore);
    assert!(matches!(on_tab_message(message, receiver(&session(3), true)), TabAction::Adopt(_)));
}

#[test]
fn finding_1_an_absurd_generation_is_not_believed() {
    let current = session(3);
    assert!(
        !should_adopt(&current, &session(u32::MAX), CLIENT_ID),
        "u32::MAX would block every later refresh"
    );
    assert!(!should_adopt(&current, &session(3 + MAX_GENERATION_STEP + 1), CLIENT_ID));
    assert!(should_adopt(&current, &session(3 + MAX_GENERATION_STEP), CLIENT_ID));
}

/// A record as a same-origin script could post it: the right session id and
/// a newer generation, with an ID token of its choosing (the record's proof is
/// restored, not checked, so only the claims can give it away).
fn forged(generation: u32, jwt: &Jwt) -> Session {
    let genuine = session(generation).to_json();
    let record = genuine.replace(&Jwt::id_token().encode(), &jwt.encode());
    Session::from_json(&record).expect("the forgery parses")
}

#[test]
fn finding_1_an_adopted_id_token_must_describe_the_same_login() {
    let current = session(3);
    let cases = [
        ("another issuer", Jwt::id_token().claim("iss", "https://evil.example")),
        ("another audience", Jwt::id_token().claim("aud", "other-client")),
        ("an extra audience", Jwt::id_token().claim("aud", json!([CLIENT_ID, "x"])).claim("azp", CLIENT_ID)),
        ("another user", Jwt::id_token().claim("sub", "mallory")),
        ("another auth_time", Jwt::id_token().claim("auth_time", NOW_SECS - 5)),
        ("another nonce", Jwt::id_token().claim("nonce", "other")),
        ("an access token's typ", Jwt::id_token().header("typ", "at+jwt")),
        ("a critical extension", Jwt::id_token().header("crit", json!(["x"]))),
    ];
    for (what, jwt) in cases {
        assert!(!should_adopt(&current, &forged(4, &jwt), CLIENT_ID), "{what} was adopted");
        let message = TabMessage::Refreshed { record: forged(4, &jwt).to_json() };
        assert_eq!(on_tab_message(message, receiver(&current, true)), TabAction::Ignore, "{what}");
    }
    assert!(should_adopt(&current, &forged(4, &Jwt::id_token()), CLIENT_ID), "the genuine next generation");
}

// ----- 2. stale tab copies ----------------------------------------------------

fn marker(generation: u32, ended: bool) -> SessionMarker {
    SessionMarker { generation, ended, at_ms: NOW_MS }
}

#[test]
fn finding_2_a_copy_behind_the_marker_is_stale_and_must_not_refresh() {
    let reopened = session(2);
    assert_eq!(freshness(&reopened, Some(&marker(5, false)), None), Freshness::Stale { newest: 5 });
    assert_eq!(freshness(&reopened, Some(&marker(2, false)), None), Freshness::Current);
    assert_eq!(freshness(&reopened, None, None), Freshness::Current, "no marker: nothing newer is known");
}

#[test]
fn finding_2_a_copy_of_a_session_logged_out_elsewhere_is_ended() {
    let reopened = session(2);
    assert_eq!(freshness(&reopened, Some(&marker(2, true)), None), Freshness::Ended);
    let logged_out_after_sign_in = Some(reopened.signed_in_at_ms + 1.0);
    assert_eq!(freshness(&reopened, None, logged_out_after_sign_in), Freshness::Ended);
    let logged_out_before_sign_in = Some(reopened.signed_in_at_ms - 1.0);
    assert_eq!(freshness(&reopened, None, logged_out_before_sign_in), Freshness::Current);
}

#[test]
fn finding_2_a_memory_mode_reload_resumes_only_what_no_logout_ended() {
    let hint = ResumeHint { sub: "user-123".to_owned(), signed_in_at_ms: NOW_MS };
    assert!(hint.may_resume(None));
    assert!(hint.may_resume(Some(NOW_MS - 1.0)), "a logout before this sign-in");
    assert!(!hint.may_resume(Some(NOW_MS + 1.0)), "logged out elsewhere after this sign-in");
    assert_eq!(ResumeHint::from_json(&hint.to_json()), Some(hint));
    assert_eq!(SessionMarker::from_json(&marker(7, true).to_json()), Some(marker(7, true)));
}

#[test]
fn finding_2_only_a_newer_tab_of_the_session_answers_for_the_latest_record() {
    let asked = |session_id: &str, generation| TabMessage::LatestWanted {
        session_id: session_id.to_owned(),
        generation,
    };
    let live = session(5);
    assert_eq!(on_tab_message(asked("sid", 2), receiver(&live, true)), TabAction::SendLatest);
    assert_eq!(on_tab_message(asked("sid", 5), receiver(&live, true)), TabAction::Ignore, "not newer");
    assert_eq!(
        on_tab_message(asked("other", 2), receiver(&live, true)),
        TabAction::Ignore,
        "another session"
    );
    assert_eq!(
        on_tab_message(asked("sid", 2), receiver(&live, false)),
        TabAction::Ignore,
        "memory mode never sends tokens"
    );
    let message = asked("sid", 2);
    assert_eq!(TabMessage::from_json(&message.to_json()), Some(message));
}

// ----- 4. URL authorities -----------------------------------------------------

#[test]
fn finding_4_userinfo_in_an_authority_is_not_loopback() {
    for url in [
        "http://localhost:1@evil.example/",
        "http://127.0.0.1:9000@evil.example/callback",
        "http://[::1]@evil.example",
    ] {
        assert!(!is_secure_url(url), "{url}");
    }
    assert!(is_secure_url("http://localhost:1/"));
    let doc = MetadataDoc::new().set("token_endpoint", "http://localhost:1@evil.example/token");
    assert!(matches!(
        parse_discovery_response(&doc.response(), ISSUER),
        Err(DiscoveryError::InsecureEndpoint { field: "token_endpoint", .. })
    ));
}

// ----- 6. tiny lifetimes -------------------------------------------------------

#[test]
fn finding_6_an_expires_in_of_zero_is_unknown() {
    let body = json!({ "access_token": "at", "token_type": "Bearer", "expires_in": 0 });
    assert_eq!(parse_token_response(&json_response(200, &body)).unwrap().expires_in, None);
    let body = json!({ "access_token": "at", "token_type": "Bearer", "expires_in": "0" });
    assert_eq!(parse_token_response(&json_response(200, &body)).unwrap().expires_in, None);
}

#[test]
fn finding_6_a_one_second_token_waits_at_least_the_floor() {
    assert_eq!(refresh_delay_ms(NOW_MS, NOW_MS + 1_000.0, 60, NOW_MS), MIN_REFRESH_DELAY_MS);
}

#[test]
fn finding_6_at_most_a_few_timed_refreshes_a_minute() {
    let recent: Vec<f64> =
        (0..MAX_REFRESHES_PER_MINUTE).map(|i| NOW_MS - 50_000.0 + i as f64 * 1_000.0).collect();
    // Four ran in the last 50 s: the fifth waits until the oldest is a minute old.
    assert_eq!(throttled_delay_ms(2_000.0, &recent, NOW_MS), 10_000.0);
    assert_eq!(throttled_delay_ms(2_000.0, &recent[1..], NOW_MS), 2_000.0, "three in the minute: no wait");
    let long_ago: Vec<f64> = recent.iter().map(|at| at - 60_000.0).collect();
    assert_eq!(throttled_delay_ms(2_000.0, &long_ago, NOW_MS), 2_000.0);
}

// ----- 8. max_age and acr_values ----------------------------------------------

fn config_with(fields: serde_json::Value) -> Result<ClientConfig, String> {
    let mut base = json!({ "issuer": "http://127.0.0.1:9000", "client_id": "pixie-demo" });
    for (key, value) in fields.as_object().unwrap() {
        base[key] = value.clone();
    }
    ClientConfig::parse(&base.to_string(), "http://127.0.0.1:8080").map_err(|e| e.field)
}

#[test]
fn finding_8_max_age_and_acr_values_are_config_fields_not_extra_params() {
    let config = config_with(json!({ "max_age": 300, "acr_values": "mfa phr" })).unwrap();
    assert_eq!((config.max_age, config.acr_values.as_deref()), (Some(300), Some("mfa phr")));
    for name in ["max_age", "acr_values", "claims"] {
        let fields = json!({ "extra_auth_params": { name: "x" } });
        assert_eq!(config_with(fields).unwrap_err(), "extra_auth_params", "{name} through extra_auth_params");
    }
    assert_eq!(config_with(json!({ "max_age": -1 })).unwrap_err(), "max_age");
    assert_eq!(config_with(json!({ "acr_values": "a  b" })).unwrap_err(), "acr_values");
}

#[test]
fn finding_8_they_are_sent_and_kept_for_the_callback() {
    let mut config = config();
    config.max_age = Some(300);
    config.acr_values = Some("mfa".to_owned());
    let request = authorization_request(&config, &metadata(), randomness(), "/", NOW_MS);
    assert!(request.url.contains("&max_age=300&acr_values=mfa"), "{}", request.url);
    let callback = callback_with(&success_query(), Some(request.pending), NOW_MS).unwrap();
    assert_eq!((callback.max_age(), callback.acr_values()), (Some(300), Some("mfa")));
}

#[test]
fn finding_8_acr_is_checked_when_acr_values_were_requested() {
    let nonce = Nonce::new(NONCE);
    let mut expected = expectations(&nonce, 60);
    expected.acr_values = Some("mfa phr");
    let check = |jwt: Jwt| {
        validate_id_token(&jwt.to_id_token(), proof(SignatureAlgorithm::Rs256, Some("key-1")), &expected)
    };
    assert!(check(Jwt::id_token().claim("acr", "phr")).is_ok());
    assert_eq!(
        check(Jwt::id_token().claim("acr", "pwd")).unwrap_err(),
        IdTokenError::AcrNotSatisfied { requested: "mfa phr".to_owned(), found: Some("pwd".to_owned()) }
    );
    assert!(matches!(check(Jwt::id_token()).unwrap_err(), IdTokenError::AcrNotSatisfied { found: None, .. }));
}

#[test]
fn finding_8_auth_time_is_checked_when_max_age_was_requested() {
    let nonce = Nonce::new(NONCE);
    let mut expected = expectations(&nonce, 60);
    expected.max_age = Some(300);
    let check = |jwt: Jwt| {
        validate_id_token(&jwt.to_id_token(), proof(SignatureAlgorithm::Rs256, Some("key-1")), &expected)
    };
    assert!(check(Jwt::id_token().claim("auth_time", NOW_SECS - 300)).is_ok());
    assert!(check(Jwt::id_token().claim("auth_time", NOW_SECS - 360)).is_ok(), "within the skew");
    assert!(matches!(
        check(Jwt::id_token().claim("auth_time", NOW_SECS - 361)).unwrap_err(),
        IdTokenError::AuthTooOld { .. }
    ));
    assert_eq!(check(Jwt::id_token()).unwrap_err(), IdTokenError::MissingClaim("auth_time"));
}

// ----- 13. ID-token gaps ------------------------------------------------------

fn id_token_error(jwt: Jwt) -> IdTokenError {
    let nonce = Nonce::new(NONCE);
    validate_id_token(
        &jwt.to_id_token(),
        proof(SignatureAlgorithm::Rs256, Some("key-1")),
        &expectations(&nonce, 60),
    )
    .unwrap_err()
}

#[test]
fn finding_13_a_critical_header_extension_is_refused() {
    let jwt = Jwt::id_token().header("crit", json!(["exp"])).header("exp", 1);
    assert_eq!(id_token_error(jwt), IdTokenError::UnsupportedCritical(vec!["exp".to_owned()]));
}

#[test]
fn finding_13_another_kind_of_jwt_is_not_an_id_token() {
    for typ in ["at+jwt", "application/at+jwt", "logout+jwt", "dpop+jwt"] {
        assert_eq!(
            id_token_error(Jwt::id_token().header("typ", typ)),
            IdTokenError::WrongType(typ.to_owned())
        );
    }
    assert!(validated(&Jwt::id_token().header("typ", "jwt")).sub == "user-123");
    assert!(validated(&Jwt::id_token().without_header("typ")).sub == "user-123");
}

#[test]
fn finding_13_nbf_in_the_future_is_refused() {
    assert_eq!(
        id_token_error(Jwt::id_token().claim("nbf", NOW_SECS + 120)),
        IdTokenError::NotYetValid { nbf: NOW_SECS + 120, now: NOW_SECS }
    );
    assert_eq!(validated(&Jwt::id_token().claim("nbf", NOW_SECS + 30)).sub, "user-123", "within the skew");
}

// ----- 15. silent resume switching users ---------------------------------------

#[test]
fn finding_15_a_resume_hints_at_the_previous_user_and_refuses_another() {
    let previous = PreviousUser { sub: "user-123" };
    let request =
        silent_authorization_request(&config(), &metadata(), randomness(), "/", NOW_MS, Some(previous));
    assert!(request.url.ends_with("&prompt=none&login_hint=user-123"), "{}", request.url);
    let callback = callback_with(&success_query(), Some(request.pending), NOW_MS).unwrap();
    assert_eq!(callback.expected_sub(), Some("user-123"));

    let nonce = Nonce::new(NONCE);
    let mut expected = expectations(&nonce, 60);
    expected.expected_sub = callback.expected_sub();
    let proof = || proof(SignatureAlgorithm::Rs256, Some("key-1"));
    assert!(validate_id_token(&Jwt::id_token().to_id_token(), proof(), &expected).is_ok());
    let someone_else = Jwt::id_token().claim("sub", "mallory").to_id_token();
    assert_eq!(
        validate_id_token(&someone_else, proof(), &expected).unwrap_err(),
        IdTokenError::DifferentUser
    );
}

// ----- info -------------------------------------------------------------------

#[test]
fn info_a_repeated_parameter_is_named_only_when_it_is_ours() {
    let ours = parse_callback(&format!("{}&state=x", success_query()), "").unwrap_err();
    assert_eq!(ours, CallbackError::DuplicateParameter(Some("state")));
    let theirs = parse_callback(&format!("{}&<script>=1&<script>=2", success_query()), "").unwrap_err();
    assert_eq!(theirs, CallbackError::DuplicateParameter(None));
    assert!(!pixie_core::AuthError::from(theirs).message().contains("script"));
}

#[test]
fn info_an_empty_iss_is_a_mismatch_not_an_absence() {
    let mut metadata = metadata();
    metadata.authorization_response_iss_parameter_supported = false; // iss optional: absent would pass
    let pending =
        pixie_core::authorize::authorization_request(&config(), &metadata, randomness(), "/", NOW_MS).pending;
    let error =
        callback_with(&format!("?code={CODE}&state={STATE}&iss="), Some(pending), NOW_MS).unwrap_err();
    assert_eq!(error, CallbackError::IssMismatch { expected: ISSUER.to_owned(), found: String::new() });
    let _ = ISSUER_ENCODED;
}

#[test]
fn info_repeated_names_are_found_in_large_objects_too() {
    let members: Vec<String> = (0..200).map(|i| format!("\"m{i}\":{i}")).collect();
    let unique = format!("{{{}}}", members.join(","));
    assert!(Json::parse(&unique).is_ok());
    let repeated = format!("{{{},\"m7\":0}}", members.join(","));
    let error = Json::parse(&repeated).unwrap_err();
    assert_eq!(error.problem, "repeated member name");
    assert_eq!(error.at, repeated.rfind("\"m7\"").unwrap(), "the offset of the repeat, not the original");
}

#[test]
fn info_the_trace_of_an_extreme_exp_does_not_overflow() {
    let mut token = validated(&Jwt::id_token());
    token.exp = i64::MAX;
    let entry = id_token_checks(TraceEntry::new(Step::IdTokenValidated, NOW_MS), &token, CLIENT_ID, i64::MIN);
    assert!(entry.checks.iter().any(|check| check.detail.contains(&i64::MAX.to_string())));
    let _ = login();
}

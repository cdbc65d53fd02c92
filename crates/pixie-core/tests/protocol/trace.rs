//! The walkthrough's trace masks every secret, keeps what a learner needs, and
//! the attack lab builds exactly the forged callbacks it says it does.

use pixie_core::api::with_bearer;
use pixie_core::http::HttpResponse;
use pixie_core::logout::revocation_request;
use pixie_core::refresh::refresh_request;
use pixie_core::secret::{AccessToken, RefreshToken};
use pixie_core::token::token_request;
use pixie_core::trace::{mask, mask_json_body, trace_from_json, trace_to_json, Step, TraceEntry};
use pixie_core::userinfo::userinfo_request;
use serde_json::json;

use crate::support::{login, validated_callback, CLIENT_ID, CODE, ISSUER, NOW_MS, TOKEN_ENDPOINT, VERIFIER};

const ACCESS: &str = "access-token-value-1234567890";
const REFRESH: &str = "refresh-token-value-1234567890";
const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";

fn stored(entry: TraceEntry) -> String {
    trace_to_json(&[entry])
}

fn assert_absent(json: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!json.contains(secret), "{secret} leaked into the trace: {json}");
    }
}

#[test]
fn mask_keeps_four_characters_and_the_length() {
    assert_eq!(mask("abcdefgh"), "abcd…(8 chars)");
    assert_eq!(mask("ab"), "ab…(2 chars)");
}

#[test]
fn authorization_request_masks_state_and_nonce_but_shows_the_challenge() {
    let request = login();
    let redirect = pixie_core::http::HttpRequest {
        method: "GET",
        url: request.url.clone(),
        headers: vec![],
        body: None,
    };
    let json = stored(TraceEntry::new(Step::AuthorizationRequest, NOW_MS).request(&redirect));
    assert_absent(&json, &[request.state.secret(), request.pending.nonce.secret()]);
    assert!(json.contains(&request.code_challenge), "the challenge is public and shown");
    assert!(json.contains("\"redirect_uri\""));
}

#[test]
fn token_request_masks_code_and_verifier_in_the_form() {
    let request = token_request(&validated_callback());
    let json = stored(TraceEntry::new(Step::TokenRequest, NOW_MS).request(&request));
    assert_absent(&json, &[CODE, VERIFIER]);
}

#[test]
fn a_spent_verifier_is_shown_only_when_asked() {
    let json =
        stored(TraceEntry::new(Step::TokenRequest, NOW_MS).spent_value("code_verifier (spent)", VERIFIER));
    assert!(json.contains(VERIFIER));
    let json = stored(TraceEntry::new(Step::TokenRequest, NOW_MS).value("code_verifier", VERIFIER));
    assert_absent(&json, &[VERIFIER]);
}

#[test]
fn token_response_body_masks_every_token() {
    let body = json!({
        "access_token": ACCESS, "refresh_token": REFRESH, "id_token": ID_TOKEN,
        "token_type": "Bearer", "expires_in": 3600
    })
    .to_string();
    let response = HttpResponse::new(200, Some("application/json"), body);
    let request = token_request(&validated_callback());
    let json = stored(
        TraceEntry::new(Step::TokenResponse, NOW_MS).request(&request).response(&response, NOW_MS + 5.0),
    );
    assert_absent(&json, &[ACCESS, REFRESH, ID_TOKEN]);
    assert!(json.contains("Bearer") && json.contains("3600"), "the rest of the body stays readable");
}

#[test]
fn bearer_headers_keep_the_scheme_and_mask_the_token() {
    let request = with_bearer(userinfo_request("https://id.example/userinfo"), &AccessToken::new(ACCESS));
    let json = stored(TraceEntry::new(Step::Userinfo, NOW_MS).request(&request));
    assert_absent(&json, &[ACCESS]);
    assert!(json.contains("Bearer acce…(29 chars)"), "{json}");
}

#[test]
fn refresh_and_revocation_mask_the_refresh_token() {
    let refresh = refresh_request(&RefreshToken::new(REFRESH), CLIENT_ID, TOKEN_ENDPOINT);
    let revoke = revocation_request("https://id.example/revoke", &RefreshToken::new(REFRESH), CLIENT_ID);
    for request in [refresh, revoke] {
        assert_absent(&stored(TraceEntry::new(Step::Refresh, NOW_MS).request(&request)), &[REFRESH]);
    }
}

#[test]
fn callback_values_mask_code_and_state() {
    let entry = TraceEntry::new(Step::Callback, NOW_MS)
        .value("code", CODE)
        .value("state", "the-state")
        .value("iss", ISSUER);
    let json = stored(entry);
    assert_absent(&json, &[CODE, "the-state"]);
    assert!(json.contains(ISSUER));
}

#[test]
fn non_json_bodies_are_reduced_to_their_length() {
    assert_eq!(mask_json_body("<html>secret</html>"), "(19 bytes, not JSON)");
}

#[test]
fn trace_round_trips_and_garbage_is_empty() {
    let entry =
        TraceEntry::new(Step::VerifierMade, NOW_MS).value("code_verifier", VERIFIER).failed("x".to_owned());
    let back = trace_from_json(&trace_to_json(std::slice::from_ref(&entry)));
    assert_eq!(back, vec![entry]);
    assert!(trace_from_json("not json").is_empty());
}

#[test]
fn a_full_entry_round_trips_through_storage() {
    let callback = validated_callback();
    let request = token_request(&callback);
    let body = json!({ "access_token": ACCESS, "token_type": "Bearer", "expires_in": 300 }).to_string();
    let response = HttpResponse::new(200, Some("application/json"), body);
    let entry = TraceEntry::new(Step::TokenResponse, NOW_MS)
        .request(&request)
        .response(&response, NOW_MS + 42.0)
        .value("client secret sent", "none")
        .spent_value("code_verifier (spent)", VERIFIER)
        .check("state matches", true, "the one this tab sent")
        .check("iss matches", false, "a \"quoted\" issuer\non two lines");
    let back = trace_from_json(&trace_to_json(std::slice::from_ref(&entry)));
    assert_eq!(back, vec![entry.clone()]);
    let http = back[0].http.as_ref().unwrap();
    assert_eq!((http.status, back[0].duration_ms), (Some(200), Some(42.0)));
    assert!(!http.form.is_empty());
    // A record missing a member is refused whole, not half-read.
    let partial = trace_to_json(&[entry]).replace("\"checks\"", "\"unchecked\"");
    assert!(trace_from_json(&partial).is_empty());
}

#[test]
fn steps_are_numbered_as_the_issue_lists_them() {
    let numbers: Vec<u8> = [
        Step::VerifierMade,
        Step::ChallengeDerived,
        Step::AuthorizationRequest,
        Step::UserAtProvider,
        Step::Callback,
        Step::CallbackValidated,
        Step::TokenRequest,
        Step::TokenResponse,
        Step::IdTokenValidated,
        Step::Userinfo,
        Step::Logout,
    ]
    .iter()
    .map(|s| s.number())
    .collect();
    assert_eq!(numbers, (1..=11).collect::<Vec<u8>>());
}

#[test]
fn the_trace_keeps_at_most_its_bound_dropping_the_oldest() {
    use pixie_core::trace::{push_bounded, MAX_ENTRIES};
    let mut entries = Vec::new();
    for i in 0..(MAX_ENTRIES + 10) {
        push_bounded(&mut entries, TraceEntry::new(Step::ApiCall, i as f64));
    }
    assert_eq!(entries.len(), MAX_ENTRIES);
    assert_eq!(entries.first().map(|e| e.at_ms), Some(10.0), "the oldest went first");
    assert_eq!(entries.last().map(|e| e.at_ms), Some((MAX_ENTRIES + 9) as f64));
}

//! The UserInfo request and response (OIDC Core §5.3).

use pixie_core::api::with_bearer;
use pixie_core::secret::AccessToken;
use pixie_core::userinfo::{parse_userinfo_response, userinfo_request, UserinfoError};
use serde_json::json;

use crate::support::{json_response, response, USERINFO_ENDPOINT};

const SUB: &str = "user-123";

fn userinfo_error(response: &pixie_core::http::HttpResponse) -> UserinfoError {
    match parse_userinfo_response(response, SUB) {
        Ok(claims) => panic!("expected a UserinfoError, got {claims:?}"),
        Err(error) => error,
    }
}

#[test]
fn request_is_a_bearer_get() {
    let request = with_bearer(userinfo_request(USERINFO_ENDPOINT), &AccessToken::new("at-123"));
    assert_eq!(request.method, "GET");
    assert_eq!(request.url, USERINFO_ENDPOINT);
    assert_eq!(
        request.headers,
        [("Accept", "application/json".to_owned()), ("Authorization", "Bearer at-123".to_owned())]
    );
    assert_eq!(request.body, None);
}

#[test]
fn matching_sub_returns_the_claims() {
    let body = json!({ "sub": SUB, "name": "Ada Lovelace", "email_verified": true });
    let claims = parse_userinfo_response(&json_response(200, &body), SUB).unwrap();
    let claims: serde_json::Value =
        serde_json::from_str(&pixie_core::json::Json::Object(claims).to_string()).unwrap();
    assert_eq!(claims, body);
}

#[test]
fn other_sub_is_a_mismatch() {
    assert_eq!(
        userinfo_error(&json_response(200, &json!({ "sub": "user-999" }))),
        UserinfoError::SubMismatch
    );
}

#[test]
fn missing_sub_is_a_mismatch() {
    assert_eq!(userinfo_error(&json_response(200, &json!({ "name": "Ada" }))), UserinfoError::SubMismatch);
}

#[test]
fn unauthorized_is_http_error() {
    let err = userinfo_error(&json_response(401, &json!({ "error": "invalid_token" })));
    assert_eq!(err, UserinfoError::Http { status: 401 });
}

#[test]
fn signed_userinfo_is_not_json() {
    let err = userinfo_error(&response(200, "application/jwt", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
    assert_eq!(err, UserinfoError::NotJson { content_type: Some("application/jwt".to_owned()) });
}

#[test]
fn json_array_is_invalid() {
    let err = userinfo_error(&json_response(200, &json!([{ "sub": SUB }])));
    assert!(matches!(err, UserinfoError::Invalid(_)), "{err:?}");
}

//! Secrets never show up in `{:?}` or `{}`: neither on their own nor inside the structs that carry them.

use pixie_core::api::with_bearer;
use pixie_core::secret::{AccessToken, AuthorizationCode, CodeVerifier, IdToken, Nonce, RefreshToken, State};
use pixie_core::token::{parse_token_response, token_request};
use pixie_core::userinfo::userinfo_request;
use serde_json::json;

use crate::support::{
    json_response, login, pending, response, validated_callback, Jwt, CODE, NONCE, TOKEN_ENDPOINT,
    USERINFO_ENDPOINT, VERIFIER,
};

const VALUE: &str = "s3cr3t-value-that-must-not-leak";

fn assert_hidden(debug: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!debug.contains(secret), "{secret:?} leaked in {debug}");
    }
}

macro_rules! redacted_debug_test {
    ($($test:ident: $ty:ident,)*) => {$(
        #[test]
        fn $test() {
            let secret = $ty::new(VALUE);
            assert_eq!(format!("{secret:?}"), concat!(stringify!($ty), "([redacted])"));
            assert_eq!(format!("{secret:#?}"), concat!(stringify!($ty), "([redacted])"));
            assert_eq!(format!("{secret}"), "[redacted]");
            assert_eq!(secret.to_string(), "[redacted]");
            assert_eq!(secret.secret(), VALUE);
        }
    )*};
}

redacted_debug_test!(
    code_verifier_debug_is_redacted: CodeVerifier,
    state_debug_is_redacted: State,
    nonce_debug_is_redacted: Nonce,
    authorization_code_debug_is_redacted: AuthorizationCode,
    access_token_debug_is_redacted: AccessToken,
    refresh_token_debug_is_redacted: RefreshToken,
    id_token_debug_is_redacted: IdToken,
);

#[test]
fn pending_login_debug_hides_verifier_and_nonce() {
    let debug = format!("{:?}", pending());
    assert_hidden(&debug, &[VERIFIER, NONCE]);
    assert!(debug.contains("CodeVerifier([redacted])"), "{debug}");
}

#[test]
fn authorization_request_debug_hides_verifier() {
    let request = login();
    assert_hidden(&format!("{request:?}"), &[VERIFIER]);
    assert_hidden(&format!("{request:#?}"), &[VERIFIER]);
}

#[test]
fn validated_callback_debug_hides_code_verifier_and_nonce() {
    assert_hidden(&format!("{:?}", validated_callback()), &[CODE, VERIFIER, NONCE]);
}

#[test]
fn token_request_debug_hides_code_and_verifier() {
    let request = token_request(&validated_callback());
    let debug = format!("{request:?}");
    assert_hidden(&debug, &[CODE, VERIFIER]);
    assert!(debug.contains(TOKEN_ENDPOINT), "{debug}");
}

#[test]
fn userinfo_request_debug_hides_bearer_token() {
    let request = with_bearer(userinfo_request(USERINFO_ENDPOINT), &AccessToken::new(VALUE));
    assert_hidden(&format!("{request:?}"), &[VALUE]);
}

#[test]
fn token_response_debug_hides_tokens() {
    let id_token = Jwt::id_token().encode();
    let body = json!({
        "access_token": "at-0123456789",
        "token_type": "Bearer",
        "refresh_token": "rt-0123456789",
        "id_token": id_token,
    });
    let tokens = parse_token_response(&json_response(200, &body)).unwrap();
    assert_hidden(&format!("{tokens:?}"), &["at-0123456789", "rt-0123456789", &id_token]);
}

#[test]
fn decoded_jws_debug_cannot_rebuild_the_token() {
    let id_token = Jwt::id_token().encode();
    let [_, payload, signature] = id_token.split('.').collect::<Vec<_>>()[..] else { panic!("{id_token}") };
    let decoded = pixie_core::jwt::decode_jws(&id_token).unwrap();
    let debug = format!("{decoded:?}");
    assert_hidden(&debug, &[payload, signature]);
    assert!(debug.contains("DecodedJws") && debug.contains("header"), "{debug}");
}

#[test]
fn http_response_debug_hides_body() {
    let debug = format!("{:?}", response(200, "application/json", VALUE));
    assert_hidden(&debug, &[VALUE]);
    assert!(debug.contains("200"), "{debug}");
}

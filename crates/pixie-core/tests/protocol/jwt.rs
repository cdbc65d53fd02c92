//! Compact JWS decoding (no signature work).

use pixie_core::jwt::{decode_jws, JwtError};
use serde_json::json;

use crate::support::{b64, b64_json, Jwt, DUMMY_SIGNATURE};

/// A token with the given (already encoded) parts.
fn parts(header: &str, payload: &str, signature: &str) -> String {
    format!("{header}.{payload}.{signature}")
}

fn good_header() -> String {
    b64_json(&json!({ "alg": "RS256" }))
}

fn good_payload() -> String {
    b64_json(&json!({ "sub": "user-123" }))
}

fn decode_error(token: &str) -> JwtError {
    match decode_jws(token) {
        Ok(decoded) => panic!("expected a JwtError, got {decoded:?}"),
        Err(error) => error,
    }
}

#[test]
fn three_parts_decode() {
    let token = Jwt::id_token().encode();
    let decoded = decode_jws(&token).unwrap();
    let (signing_input, _) = token.rsplit_once('.').unwrap();
    assert_eq!(decoded.signing_input, signing_input);
    assert_eq!(decoded.signature, DUMMY_SIGNATURE);
    assert_eq!(decoded.header.alg, "RS256");
    assert_eq!(decoded.header.kid.as_deref(), Some("key-1"));
    assert_eq!(decoded.header.typ.as_deref(), Some("JWT"));
    assert_eq!(decoded.claims.get("sub").and_then(|sub| sub.as_str()), Some("user-123"));
}

#[test]
fn empty_signature_decodes_to_no_bytes() {
    let decoded = decode_jws(&parts(&good_header(), &good_payload(), "")).unwrap();
    assert!(decoded.signature.is_empty());
}

#[test]
fn five_parts_are_encrypted() {
    assert_eq!(decode_error("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d"), JwtError::Encrypted);
}

#[test]
fn two_parts_are_not_compact_jws() {
    assert_eq!(decode_error(&format!("{}.{}", good_header(), good_payload())), JwtError::NotCompactJws);
}

#[test]
fn four_parts_are_not_compact_jws() {
    assert_eq!(decode_error("a.b.c.d"), JwtError::NotCompactJws);
}

#[test]
fn bad_base64_header_is_reported() {
    let token = parts("eyJ*", &good_payload(), "c2ln");
    assert_eq!(decode_error(&token), JwtError::BadBase64 { part: "header" });
}

#[test]
fn bad_base64_payload_is_reported() {
    let token = parts(&good_header(), "e30=", "c2ln"); // padding is not base64url
    assert_eq!(decode_error(&token), JwtError::BadBase64 { part: "payload" });
}

#[test]
fn bad_base64_signature_is_reported() {
    let token = parts(&good_header(), &good_payload(), "c2ln+/");
    assert_eq!(decode_error(&token), JwtError::BadBase64 { part: "signature" });
}

#[test]
fn header_without_alg_is_bad_header() {
    let token = Jwt::id_token().without_header("alg").encode();
    assert!(matches!(decode_error(&token), JwtError::BadHeader(_)));
}

#[test]
fn header_that_is_not_json_is_bad_header() {
    let token = parts(&b64(b"not json"), &good_payload(), "");
    assert!(matches!(decode_error(&token), JwtError::BadHeader(_)));
}

#[test]
fn payload_array_is_bad_claims() {
    let token = parts(&good_header(), &b64_json(&json!(["sub", "user-123"])), "");
    assert!(matches!(decode_error(&token), JwtError::BadClaims(_)));
}

#[test]
fn payload_that_is_not_json_is_bad_claims() {
    let token = parts(&good_header(), &b64(b"sub=user-123"), "");
    assert!(matches!(decode_error(&token), JwtError::BadClaims(_)));
}

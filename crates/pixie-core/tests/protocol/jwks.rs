//! JWKS parsing and key selection (RFC 7517, RFC 7515 §6).

use pixie_core::jwks::{
    parse_jwks_response, select_key, JwkSet, JwksError, KeySelectionError, SignatureAlgorithm,
};
use pixie_core::jwt::JoseHeader;
use serde_json::{json, Value};

use crate::support::{json_response, response};

fn rsa(kid: &str) -> Value {
    json!({ "kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": "AQAB-modulus", "e": "AQAB" })
}

fn ec(kid: &str) -> Value {
    json!({ "kty": "EC", "kid": kid, "use": "sig", "alg": "ES256", "crv": "P-256", "x": "xx", "y": "yy" })
}

fn jwks(keys: Vec<Value>) -> JwkSet {
    parse_jwks_response(&json_response(200, &json!({ "keys": keys }))).unwrap()
}

fn header(alg: &str, kid: Option<&str>) -> JoseHeader {
    JoseHeader { alg: alg.to_owned(), kid: kid.map(str::to_owned), typ: None, crit: None }
}

fn selected_kid(set: &JwkSet, alg: &str, kid: Option<&str>) -> Result<Option<String>, KeySelectionError> {
    let algorithm = SignatureAlgorithm::from_jose(alg).unwrap();
    select_key(set, &header(alg, kid), algorithm).map(|key| key.kid.clone())
}

#[test]
fn picks_the_key_by_kid() {
    let set = jwks(vec![rsa("a"), rsa("b"), ec("c")]);
    assert_eq!(selected_kid(&set, "RS256", Some("b")), Ok(Some("b".to_owned())));
    assert_eq!(selected_kid(&set, "ES256", Some("c")), Ok(Some("c".to_owned())));
}

#[test]
fn unknown_kid_finds_no_key() {
    let set = jwks(vec![rsa("a"), ec("c")]);
    assert_eq!(selected_kid(&set, "RS256", Some("rotated")), Err(KeySelectionError::NoMatchingKey));
}

#[test]
fn a_kid_of_the_wrong_key_type_finds_no_key() {
    // The header says ES256 but names the RSA key: never verify with a mismatched type.
    let set = jwks(vec![rsa("a"), ec("c")]);
    assert_eq!(selected_kid(&set, "ES256", Some("a")), Err(KeySelectionError::NoMatchingKey));
}

#[test]
fn a_key_pinned_to_another_alg_is_not_used() {
    let set = jwks(vec![rsa("a")]); // alg RS256
    assert_eq!(selected_kid(&set, "PS256", Some("a")), Err(KeySelectionError::NoMatchingKey));
}

#[test]
fn an_encryption_key_is_not_used_for_signatures() {
    let mut key = rsa("a");
    key["use"] = json!("enc");
    assert_eq!(selected_kid(&jwks(vec![key]), "RS256", Some("a")), Err(KeySelectionError::NoMatchingKey));
}

#[test]
fn key_ops_without_verify_is_not_used() {
    let mut key = rsa("a");
    key["key_ops"] = json!(["encrypt"]);
    assert_eq!(selected_kid(&jwks(vec![key]), "RS256", Some("a")), Err(KeySelectionError::NoMatchingKey));
}

#[test]
fn without_kid_a_single_candidate_is_used() {
    let set = jwks(vec![rsa("a"), ec("c")]);
    assert_eq!(selected_kid(&set, "RS256", None), Ok(Some("a".to_owned())));
}

#[test]
fn without_kid_several_candidates_are_ambiguous() {
    let set = jwks(vec![rsa("a"), rsa("b")]);
    assert_eq!(selected_kid(&set, "RS256", None), Err(KeySelectionError::Ambiguous));
}

#[test]
fn an_ec_key_on_another_curve_is_not_used() {
    let mut key = ec("c");
    key["crv"] = json!("P-384");
    assert_eq!(selected_kid(&jwks(vec![key]), "ES256", Some("c")), Err(KeySelectionError::NoMatchingKey));
}

#[test]
fn only_public_members_are_handed_to_webcrypto() {
    let mut key = rsa("a");
    key["d"] = json!("private-exponent");
    let set = jwks(vec![key]);
    let members = set.keys[0].public_members();
    assert_eq!(members, vec![("kty", "RSA"), ("n", "AQAB-modulus"), ("e", "AQAB")]);
}

#[test]
fn jwk_set_content_type_is_accepted() {
    let body = json!({ "keys": [rsa("a")] }).to_string();
    assert!(parse_jwks_response(&response(200, "application/jwk-set+json", &body)).is_ok());
}

#[test]
fn jwks_errors_are_typed() {
    assert_eq!(
        parse_jwks_response(&response(503, "text/html", "down")),
        Err(JwksError::Http { status: 503 })
    );
    assert_eq!(parse_jwks_response(&response(200, "text/html", "<html>")), Err(JwksError::NotJson));
    assert!(matches!(
        parse_jwks_response(&json_response(200, &json!({ "no_keys": [] }))),
        Err(JwksError::Invalid(_))
    ));
}

#[test]
fn webcrypto_parameters_follow_rfc_7518() {
    let rs = SignatureAlgorithm::Rs256.webcrypto();
    assert_eq!((rs.name, rs.hash), ("RSASSA-PKCS1-v1_5", Some("SHA-256")));
    let ps = SignatureAlgorithm::Ps256.webcrypto();
    assert_eq!((ps.name, ps.hash, ps.salt_length), ("RSA-PSS", Some("SHA-256"), Some(32)));
    let es = SignatureAlgorithm::Es256.webcrypto();
    assert_eq!((es.name, es.hash, es.named_curve), ("ECDSA", Some("SHA-256"), Some("P-256")));
    assert_eq!(SignatureAlgorithm::EdDsa.webcrypto().name, "Ed25519");
}

#[test]
fn es256_signatures_must_be_raw_r_concat_s() {
    assert!(SignatureAlgorithm::Es256.signature_length_ok(&[0; 64]));
    // A DER-encoded ECDSA signature is 70–72 bytes: not what JWS or WebCrypto use.
    assert!(!SignatureAlgorithm::Es256.signature_length_ok(&[0; 71]));
    assert!(!SignatureAlgorithm::Rs256.signature_length_ok(&[0; 64]));
}

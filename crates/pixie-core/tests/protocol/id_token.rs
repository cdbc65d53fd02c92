//! ID token validation (OIDC Core §3.1.3.7) at a fixed clock with 60 s skew.

use pixie_core::id_token::{
    signing_algorithm, validate_id_token, IdTokenError, ValidatedIdToken, VerifiedSignature,
    DEFAULT_CLOCK_SKEW_SECS,
};
use pixie_core::jwks::SignatureAlgorithm;
use pixie_core::jwt::{decode_jws, JwtError};
use pixie_core::secret::{IdToken, Nonce};
use serde_json::json;

use crate::support::{expectations, proof, Jwt, CLIENT_ID, ISSUER, NONCE, NOW_SECS};

const SKEW: i64 = 60;

fn validate_with_skew(token: &IdToken, skew_secs: i64) -> Result<ValidatedIdToken, IdTokenError> {
    let nonce = Nonce::new(NONCE);
    validate_id_token(token, proof_for(token), &expectations(&nonce, skew_secs))
}

/// The proof the browser would hand over after WebCrypto verified this token's header.
fn proof_for(token: &IdToken) -> VerifiedSignature {
    let header = decode_jws(token.secret()).map(|jws| jws.header).ok();
    proof(
        header
            .as_ref()
            .and_then(|h| SignatureAlgorithm::from_jose(&h.alg))
            .unwrap_or(SignatureAlgorithm::Rs256),
        header.as_ref().and_then(|h| h.kid.as_deref()),
    )
}

fn validate_with_proof(jwt: Jwt, proof: VerifiedSignature) -> Result<ValidatedIdToken, IdTokenError> {
    let nonce = Nonce::new(NONCE);
    validate_id_token(&jwt.to_id_token(), proof, &expectations(&nonce, SKEW))
}

fn validate(jwt: Jwt) -> Result<ValidatedIdToken, IdTokenError> {
    validate_with_skew(&jwt.to_id_token(), SKEW)
}

fn id_token_error(jwt: Jwt) -> IdTokenError {
    match validate(jwt) {
        Ok(validated) => panic!("expected an IdTokenError, got {validated:?}"),
        Err(error) => error,
    }
}

#[test]
fn default_skew_is_sixty_seconds() {
    assert_eq!(DEFAULT_CLOCK_SKEW_SECS, SKEW);
}

#[test]
fn valid_token_is_accepted() {
    let validated = validate(Jwt::id_token()).unwrap();
    assert_eq!(validated.sub, "user-123");
    assert_eq!(validated.exp, NOW_SECS + 300);
    assert_eq!(validated.iat, NOW_SECS - 10);
    assert_eq!(validated.header.alg, "RS256");
    assert_eq!(validated.claim_str("email"), Some("ada@example.com"));
    assert_eq!(validated.claims.get("aud").and_then(|aud| aud.as_str()), Some(CLIENT_ID));
}

#[test]
fn the_signature_proof_is_kept_for_display() {
    let proof = proof(SignatureAlgorithm::Rs256, Some("key-1"));
    assert_eq!(validate_with_proof(Jwt::id_token(), proof.clone()).unwrap().signature, proof);
}

#[test]
fn a_proof_for_another_algorithm_is_a_bad_signature() {
    let proof = proof(SignatureAlgorithm::Es256, Some("key-1"));
    assert_eq!(validate_with_proof(Jwt::id_token(), proof).unwrap_err(), IdTokenError::BadSignature);
}

#[test]
fn a_proof_for_another_key_is_a_bad_signature() {
    let proof = proof(SignatureAlgorithm::Rs256, Some("key-2"));
    assert_eq!(validate_with_proof(Jwt::id_token(), proof).unwrap_err(), IdTokenError::BadSignature);
}

#[test]
fn signing_algorithm_refuses_none_hmac_and_unlisted_algorithms() {
    for alg in ["none", "HS256", "HS512", "RS384", "ES512", "rs256"] {
        let header = decode_jws(&Jwt::id_token().header("alg", alg).encode()).unwrap().header;
        assert_eq!(signing_algorithm(&header), Err(IdTokenError::AlgorithmNotAllowed(alg.to_owned())));
    }
}

#[test]
fn every_allowed_algorithm_is_accepted() {
    for alg in ["RS256", "PS256", "ES256", "EdDSA"] {
        assert_eq!(validate(Jwt::id_token().header("alg", alg)).unwrap().header.alg, alg);
    }
}

#[test]
fn encrypted_token_is_malformed() {
    let token = IdToken::new("eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d");
    let err = validate_with_skew(&token, SKEW).unwrap_err();
    assert_eq!(err, IdTokenError::Malformed(JwtError::Encrypted));
}

#[test]
fn issuer_mismatch_is_rejected() {
    let err = id_token_error(Jwt::id_token().claim("iss", "https://evil.example"));
    assert_eq!(
        err,
        IdTokenError::IssuerMismatch {
            expected: ISSUER.to_owned(),
            found: "https://evil.example".to_owned()
        }
    );
}

#[test]
fn audience_mismatch_is_rejected() {
    assert_eq!(id_token_error(Jwt::id_token().claim("aud", "someone-else")), IdTokenError::AudienceMismatch);
}

#[test]
fn audience_array_without_client_is_rejected() {
    let err = id_token_error(Jwt::id_token().claim("aud", json!(["a", "b"])));
    assert_eq!(err, IdTokenError::AudienceMismatch);
}

#[test]
fn our_audience_listed_twice_without_azp_is_missing_azp() {
    let err = id_token_error(Jwt::id_token().claim("aud", json!([CLIENT_ID, CLIENT_ID])));
    assert_eq!(err, IdTokenError::MissingAzp);
}

#[test]
fn azp_for_another_client_is_a_mismatch() {
    let jwt = Jwt::id_token().claim("azp", "other-client");
    assert_eq!(id_token_error(jwt), IdTokenError::AzpMismatch);
}

#[test]
fn an_extra_untrusted_audience_is_refused_even_with_our_azp() {
    // Review #13, OIDC Core §3.1.3.7 step 3: "or if it contains additional audiences not trusted by the Client".
    let jwt = Jwt::id_token().claim("aud", json!([CLIENT_ID, "other-client"])).claim("azp", CLIENT_ID);
    assert_eq!(id_token_error(jwt), IdTokenError::UntrustedAudience("other-client".to_owned()));
    let without_azp = Jwt::id_token().claim("aud", json!([CLIENT_ID, "https://api.example"]));
    assert_eq!(
        id_token_error(without_azp),
        IdTokenError::UntrustedAudience("https://api.example".to_owned())
    );
}

#[test]
fn our_audience_as_a_one_item_list_with_our_azp_is_accepted() {
    let jwt = Jwt::id_token().claim("aud", json!([CLIENT_ID])).claim("azp", CLIENT_ID);
    assert_eq!(validate(jwt).unwrap().sub, "user-123");
}

#[test]
fn alg_none_is_not_allowed() {
    let err = id_token_error(Jwt::id_token().header("alg", "none").signature(b""));
    assert_eq!(err, IdTokenError::AlgorithmNotAllowed("none".to_owned()));
}

#[test]
fn alg_hs256_is_not_allowed() {
    let err = id_token_error(Jwt::id_token().header("alg", "HS256"));
    assert_eq!(err, IdTokenError::AlgorithmNotAllowed("HS256".to_owned()));
}

#[test]
fn exp_at_the_edge_of_the_skew_is_expired() {
    let exp = NOW_SECS - SKEW;
    let err = id_token_error(Jwt::id_token().claim("exp", exp));
    assert_eq!(err, IdTokenError::Expired { exp, now: NOW_SECS });
}

#[test]
fn exp_equal_to_now_without_skew_is_expired() {
    let err = validate_with_skew(&Jwt::id_token().claim("exp", NOW_SECS).to_id_token(), 0).unwrap_err();
    assert!(matches!(err, IdTokenError::Expired { exp: NOW_SECS, now: NOW_SECS }), "{err:?}");
}

#[test]
fn exp_equal_to_now_is_accepted_within_skew() {
    assert_eq!(validate(Jwt::id_token().claim("exp", NOW_SECS)).unwrap().exp, NOW_SECS);
}

#[test]
fn exp_thirty_seconds_ago_is_accepted_within_skew() {
    assert_eq!(validate(Jwt::id_token().claim("exp", NOW_SECS - 30)).unwrap().exp, NOW_SECS - 30);
}

#[test]
fn exp_far_in_the_future_is_accepted() {
    assert_eq!(validate(Jwt::id_token().claim("exp", i64::MAX)).unwrap().exp, i64::MAX);
}

#[test]
fn huge_fractional_exp_is_accepted() {
    assert_eq!(validate(Jwt::id_token().claim("exp", 1e300)).unwrap().exp, i64::MAX);
}

#[test]
fn fractional_exp_is_truncated_to_seconds() {
    assert_eq!(validate(Jwt::id_token().claim("exp", NOW_SECS as f64 + 100.75)).unwrap().exp, NOW_SECS + 100);
}

#[test]
fn iat_beyond_the_skew_is_issued_in_future() {
    let iat = NOW_SECS + 61;
    assert_eq!(
        id_token_error(Jwt::id_token().claim("iat", iat)),
        IdTokenError::IssuedInFuture { iat, now: NOW_SECS }
    );
}

#[test]
fn iat_within_the_skew_is_accepted() {
    assert_eq!(validate(Jwt::id_token().claim("iat", NOW_SECS + 59)).unwrap().iat, NOW_SECS + 59);
}

#[test]
fn nonce_mismatch_is_rejected() {
    assert_eq!(id_token_error(Jwt::id_token().claim("nonce", "replayed-nonce")), IdTokenError::NonceMismatch);
}

#[test]
fn missing_nonce_is_a_nonce_mismatch() {
    assert_eq!(id_token_error(Jwt::id_token().without_claim("nonce")), IdTokenError::NonceMismatch);
}

#[test]
fn missing_sub_is_a_missing_claim() {
    assert_eq!(id_token_error(Jwt::id_token().without_claim("sub")), IdTokenError::MissingClaim("sub"));
}

#[test]
fn empty_sub_is_invalid() {
    assert_eq!(id_token_error(Jwt::id_token().claim("sub", "")), IdTokenError::InvalidClaim("sub"));
}

#[test]
fn missing_iss_is_a_missing_claim() {
    assert_eq!(id_token_error(Jwt::id_token().without_claim("iss")), IdTokenError::MissingClaim("iss"));
}

#[test]
fn missing_aud_is_a_missing_claim() {
    assert_eq!(id_token_error(Jwt::id_token().without_claim("aud")), IdTokenError::MissingClaim("aud"));
}

#[test]
fn missing_exp_is_a_missing_claim() {
    assert_eq!(id_token_error(Jwt::id_token().without_claim("exp")), IdTokenError::MissingClaim("exp"));
}

#[test]
fn exp_as_string_is_invalid() {
    let exp = (NOW_SECS + 300).to_string();
    assert_eq!(id_token_error(Jwt::id_token().claim("exp", exp)), IdTokenError::InvalidClaim("exp"));
}

// ----- the signature proof ----------------------------------------------------

fn decoded(jwt: &Jwt) -> pixie_core::jwt::DecodedJws {
    decode_jws(&jwt.encode()).unwrap()
}

#[test]
fn a_signature_the_verifier_refuses_is_a_bad_signature() {
    use crate::support::{block_on, rsa_key, RefuseEverySignature};
    let jws = decoded(&Jwt::id_token().signature(&[7; 256]));
    let result = block_on(pixie_core::id_token::verify_signature(
        &RefuseEverySignature,
        &jws,
        &rsa_key("key-1"),
        SignatureAlgorithm::Rs256,
    ));
    assert_eq!(result, Err(IdTokenError::BadSignature));
}

#[test]
fn a_signature_of_the_wrong_length_is_refused_before_the_verifier_is_asked() {
    use crate::support::{block_on, rsa_key, TrustEverySignatureInsecurely};
    // A DER-encoded ES256 signature (70-72 bytes) instead of the raw 64-byte r || s.
    let jws = decoded(&Jwt::id_token().header("alg", "ES256").signature(&[1; 71]));
    let result = block_on(pixie_core::id_token::verify_signature(
        &TrustEverySignatureInsecurely,
        &jws,
        &rsa_key("key-1"),
        SignatureAlgorithm::Es256,
    ));
    assert_eq!(result, Err(IdTokenError::BadSignature));
}

#[test]
fn the_proof_names_the_algorithm_and_the_header_kid() {
    use crate::support::{block_on, rsa_key, TrustEverySignatureInsecurely};
    let jws = decoded(&Jwt::id_token().signature(&[7; 256]));
    let proof = block_on(pixie_core::id_token::verify_signature(
        &TrustEverySignatureInsecurely,
        &jws,
        &rsa_key("key-1"),
        SignatureAlgorithm::Rs256,
    ))
    .unwrap();
    assert_eq!((proof.algorithm(), proof.kid()), (SignatureAlgorithm::Rs256, Some("key-1")));
}

// Shared by the targets (each includes it with `#[path]`): fixtures and a
// signature verifier that says yes, so the claim checks behind it are reached.
#![allow(dead_code)]

use pixie_core::config::ClientConfig;
use pixie_core::http::HttpResponse;
use pixie_core::id_token::{verify_signature, SignatureVerifier, VerifiedSignature};
use pixie_core::jwks::{Jwk, SignatureAlgorithm};
use pixie_core::jwt::DecodedJws;

pub const ISSUER: &str = "https://id.example";
pub const CLIENT_ID: &str = "pixie-demo";
pub const ORIGIN: &str = "https://app.example";

/// The input as text, when it is UTF-8 (every parser here takes text).
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A response whose status and content type come from the first byte, the body from the rest.
pub fn response(data: &[u8]) -> HttpResponse {
    let (first, body) = data.split_first().map_or((0, &[][..]), |(first, rest)| (*first, rest));
    let status = if first & 1 == 0 { 200 } else { 400 + u16::from(first >> 4) };
    let content_type = match first >> 1 & 3 {
        0 => Some("application/json"),
        1 => Some("application/json; charset=utf-8"),
        2 => Some("application/jwk-set+json"),
        _ => None,
    };
    HttpResponse::new(status, content_type, String::from_utf8_lossy(body))
}

pub fn config() -> ClientConfig {
    ClientConfig::builder(ISSUER, CLIENT_ID).build(ORIGIN).expect("a valid fixture")
}

struct TrustEverySignatureInsecurely;

impl SignatureVerifier for TrustEverySignatureInsecurely {
    async fn verify(&self, _: SignatureAlgorithm, _: &Jwk, _: &[u8], _: &[u8]) -> bool {
        true
    }
}

/// The proof WebCrypto would give for `jws`, if its header names an accepted algorithm.
pub fn trusted_proof(jws: &DecodedJws) -> Option<VerifiedSignature> {
    let algorithm = SignatureAlgorithm::from_jose(&jws.header.alg)?;
    let key = Jwk {
        kty: "RSA".to_owned(),
        kid: None,
        alg: None,
        use_: None,
        key_ops: None,
        crv: None,
        n: Some("n".to_owned()),
        e: Some("e".to_owned()),
        x: None,
        y: None,
    };
    let mut shaped = jws.clone();
    shaped.signature = vec![0; if matches!(algorithm, SignatureAlgorithm::Es256 | SignatureAlgorithm::EdDsa) { 64 } else { 256 }];
    let mut future = std::pin::pin!(verify_signature(&TrustEverySignatureInsecurely, &shaped, &key, algorithm));
    match std::future::Future::poll(future.as_mut(), &mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(proof) => proof.ok(),
        std::task::Poll::Pending => None,
    }
}

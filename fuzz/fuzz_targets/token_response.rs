//! The token endpoint's answer to a code exchange or a refresh, and the other
//! answers a DPoP or PAR login reads: the pushed request's, and a nonce
//! challenge (its body, its `DPoP-Nonce` and `WWW-Authenticate` headers).
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::dpop::{asks_for_nonce, Nonces};
use pixie_core::par::parse_par_response;
use pixie_core::token::parse_token_response;

fuzz_target!(|data: &[u8]| {
    let mut response = common::response(data);
    let _ = parse_token_response(&response);
    let _ = parse_par_response(&response);
    // The body's text doubles as the headers a hostile server could send.
    let text = String::from_utf8_lossy(data).into_owned();
    response.headers.push(("dpop-nonce".to_owned(), text.clone()));
    response.headers.push(("www-authenticate".to_owned(), text));
    for status in [400, 401] {
        response.status = status;
        let _ = asks_for_nonce(&response);
    }
    let mut nonces = Nonces::default();
    nonces.update("https://id.example/token", &response);
    if let Some(nonce) = nonces.for_url("https://id.example/other") {
        assert!(!nonce.is_empty() && !nonce.contains([' ', '"', '\\']), "a nonce outside NQCHAR was kept");
    }
});

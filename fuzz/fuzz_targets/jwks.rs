//! The provider's key set, and choosing a key from it.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::jwks::{parse_jwks_response, select_key, SignatureAlgorithm};
use pixie_core::jwt::JoseHeader;

fuzz_target!(|data: &[u8]| {
    let Ok(set) = parse_jwks_response(&common::response(data)) else { return };
    for alg in ["RS256", "PS256", "ES256", "EdDSA"] {
        let algorithm = SignatureAlgorithm::from_jose(alg).expect("accepted");
        for kid in [None, set.keys.first().and_then(|key| key.kid.clone())] {
            let header = JoseHeader { alg: alg.to_owned(), kid, typ: None, crit: None };
            if let Ok(key) = select_key(&set, &header, algorithm) {
                let _ = key.public_members();
            }
        }
    }
});

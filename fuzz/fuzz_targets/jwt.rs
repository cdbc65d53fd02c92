//! The compact JWS form and its header.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::id_token::signing_algorithm;
use pixie_core::jwt::decode_jws;

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else { return };
    if let Ok(jws) = decode_jws(text) {
        let _ = signing_algorithm(&jws.header);
        let _ = format!("{jws:?}");
    }
});

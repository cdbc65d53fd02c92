//! The token endpoint's answer to a code exchange or a refresh.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::token::parse_token_response;

fuzz_target!(|data: &[u8]| {
    let _ = parse_token_response(&common::response(data));
});

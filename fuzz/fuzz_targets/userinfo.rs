//! The userinfo response.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::userinfo::parse_userinfo_response;

fuzz_target!(|data: &[u8]| {
    let _ = parse_userinfo_response(&common::response(data), "user-123");
});

//! The JSON reader, and the writer's output read back.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::json::Json;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = Json::parse_bytes(data) else { return };
    let compact = value.to_string();
    assert_eq!(Json::parse(&compact).as_ref(), Ok(&value), "compact output reads back");
    assert_eq!(Json::parse(&value.to_pretty()).as_ref(), Ok(&value), "pretty output reads back");
});

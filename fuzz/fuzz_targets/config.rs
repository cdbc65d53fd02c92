//! A deployment's config.json, and its response.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::config::{parse_config_response, ClientConfig};

fuzz_target!(|data: &[u8]| {
    let _ = parse_config_response(&common::response(data), common::ORIGIN);
    if let Some(text) = common::text(data) {
        if let Ok(config) = ClientConfig::parse(text, "http://127.0.0.1:8080") {
            let _ = config.storage_key("pending.x");
            let _ = config.channel_name();
        }
    }
});

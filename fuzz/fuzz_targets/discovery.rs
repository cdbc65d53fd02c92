//! The discovery document, from the network and from the tab's cache.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::discovery::{parse_discovery_response, ProviderMetadata};

fuzz_target!(|data: &[u8]| {
    let _ = parse_discovery_response(&common::response(data), common::ISSUER);
    if let Some(text) = common::text(data) {
        let _ = ProviderMetadata::from_document(text, common::ISSUER);
    }
});

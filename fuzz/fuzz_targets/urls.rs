//! URLs and query strings: the authority check, query parsing, form encoding.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::encoding::{form_encode, is_secure_url, parse_query, HttpUrl};

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else { return };
    if let Some(url) = HttpUrl::parse(text) {
        let _ = (url.origin(), url.path(), url.is_loopback());
        // No userinfo ever passes: the authority (after `scheme://`) has no `@`.
        let after_scheme = text.split_once("://").map_or("", |(_, rest)| rest);
        let authority = &after_scheme[..after_scheme.find(['/', '?', '#']).unwrap_or(after_scheme.len())];
        assert!(!authority.contains('@'), "userinfo passed in {text:?}");
        assert!(url.origin().starts_with("http"), "an origin that is not http(s)");
    }
    let _ = is_secure_url(text);
    if let Ok(pairs) = parse_query(text) {
        let encoded = form_encode(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(parse_query(&encoded).ok(), Some(pairs), "encoded pairs read back");
    }
});

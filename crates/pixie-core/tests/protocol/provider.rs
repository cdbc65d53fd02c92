//! The tab's provider cache: used only for the exact configuration text read
//! at this page load, checked again when read back; the request/response pairs
//! around it; URL authority parsing.

use pixie_core::discovery::{discovery_request, DiscoveryError};
use pixie_core::encoding::HttpUrl;
use pixie_core::http::HttpRequest;
use pixie_core::provider::{CacheError, ProviderCache};

use crate::support::{MetadataDoc, ISSUER};

const ORIGIN: &str = "https://app.example";
const SOURCE: &str = "https://app.example/config.json";

fn config_text() -> String {
    format!(r#"{{"issuer":"{ISSUER}","client_id":"pixie-demo"}}"#)
}

fn cache() -> ProviderCache {
    ProviderCache {
        source: SOURCE.to_owned(),
        config_json: config_text(),
        discovery_json: MetadataDoc::new().response().body,
    }
}

#[test]
fn the_cache_round_trips_and_rebuilds_the_provider() {
    let back = ProviderCache::from_json(&cache().to_json()).unwrap();
    assert_eq!(back, cache());
    let provider = back.provider(ORIGIN).unwrap();
    assert_eq!(provider.config.client_id, "pixie-demo");
    assert_eq!(provider.metadata.issuer, ISSUER);
}

#[test]
fn the_cache_stands_in_only_for_the_same_configuration_text() {
    let cache = cache();
    assert!(cache.is_for(SOURCE, &config_text()));
    assert!(!cache.is_for(SOURCE, &config_text().replace("pixie-demo", "other")), "a redeployed config.json");
    assert!(!cache.is_for("https://app.example/other.json", &config_text()), "another configuration source");
}

#[test]
fn a_tampered_cache_is_checked_like_a_fresh_document() {
    let mut planted = cache();
    planted.discovery_json =
        MetadataDoc::new().set("token_endpoint", "http://evil.example/token").response().body;
    assert!(matches!(
        planted.provider(ORIGIN),
        Err(CacheError::Discovery(DiscoveryError::InsecureEndpoint { .. }))
    ));
    let mut other_issuer = cache();
    other_issuer.discovery_json = MetadataDoc::new().set("issuer", "https://evil.example").response().body;
    assert!(matches!(
        other_issuer.provider(ORIGIN),
        Err(CacheError::Discovery(DiscoveryError::IssuerMismatch { .. }))
    ));
    let mut bad_config = cache();
    bad_config.config_json = "{}".to_owned();
    assert!(matches!(bad_config.provider(ORIGIN), Err(CacheError::Config(_))));
}

#[test]
fn unreadable_or_old_caches_are_ignored() {
    assert_eq!(ProviderCache::from_json("{"), None);
    assert_eq!(ProviderCache::from_json(&cache().to_json().replace("\"v\":1", "\"v\":0")), None);
    // The record of the version before (no source, no version) is not mistaken for this one.
    assert_eq!(ProviderCache::from_json(r#"{"config":"{}","discovery":"{}"}"#), None);
}

#[test]
fn discovery_is_a_plain_get_of_the_well_known_document() {
    let request = discovery_request("https://id.example/realms/acme/");
    assert_eq!(request.method, "GET");
    assert_eq!(request.url, "https://id.example/realms/acme/.well-known/openid-configuration");
    assert!(!request.carries_credentials(), "discovery may follow a redirect");
}

#[test]
fn requests_with_a_body_or_credentials_never_follow_redirects() {
    assert!(HttpRequest::form_post("https://id.example/token", "code=x".to_owned()).carries_credentials());
    assert!(HttpRequest::new("GET", "https://api.example")
        .with_header("Authorization", "Bearer t")
        .carries_credentials());
    assert!(HttpRequest::new("GET", "https://api.example")
        .with_header("DPoP", "proof")
        .carries_credentials());
    assert!(!HttpRequest::get_json("https://id.example/jwks").carries_credentials());
}

#[test]
fn urls_are_split_at_their_real_authority() {
    let url = HttpUrl::parse("http://LOCALHOST:8080/a/b?x=1#y").unwrap();
    assert_eq!((url.scheme, url.host.as_str(), url.port), ("http", "localhost", Some(8080)));
    assert_eq!((url.path(), url.origin()), ("/a/b", "http://localhost:8080".to_owned()));
    assert!(url.is_loopback());
    assert_eq!(HttpUrl::parse("https://id.example").unwrap().path(), "/");
    assert_eq!(HttpUrl::parse("https://id.example:443/x").unwrap().origin(), "https://id.example");
    assert_eq!(HttpUrl::parse("http://[::1]:9000/").unwrap().host, "[::1]");
    for bad in [
        "http://localhost:1@evil.example/",
        "http://user@id.example/",
        "http://localhost\\@evil.example/",
        "https://",
        "https:///path",
        "https://id.example:99999/",
        "https://id.example:/",
        "https://id .example/",
        "ftp://id.example/",
        "https://-id.example/",
        "https://[zz]/",
        "https://id.example%2F@evil/",
    ] {
        assert_eq!(HttpUrl::parse(bad), None, "{bad}");
    }
}

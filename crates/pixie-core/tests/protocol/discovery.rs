//! OIDC Discovery: the URL, and what a discovery response must look like.

use pixie_core::discovery::{discovery_url, parse_discovery_response, DiscoveryError, ProviderMetadata};
use pixie_core::http::HttpResponse;

use crate::support::{metadata, response, MetadataDoc, ISSUER};

fn parse(response: &HttpResponse) -> Result<ProviderMetadata, DiscoveryError> {
    parse_discovery_response(response, ISSUER)
}

fn parse_doc(doc: MetadataDoc) -> Result<ProviderMetadata, DiscoveryError> {
    parse(&doc.response())
}

#[test]
fn discovery_url_for_issuer_with_trailing_slash() {
    assert_eq!(discovery_url("https://id.example/"), "https://id.example/.well-known/openid-configuration");
}

#[test]
fn discovery_url_for_issuer_without_trailing_slash() {
    assert_eq!(discovery_url("https://id.example"), "https://id.example/.well-known/openid-configuration");
}

#[test]
fn discovery_url_keeps_the_issuer_path() {
    assert_eq!(
        discovery_url("https://id.example/realms/pixie"),
        "https://id.example/realms/pixie/.well-known/openid-configuration"
    );
}

#[test]
fn valid_document_parses() {
    assert_eq!(parse_doc(MetadataDoc::new()), Ok(metadata()));
}

#[test]
fn minimal_document_parses_with_defaults() {
    let doc = MetadataDoc::new()
        .without("userinfo_endpoint")
        .without("jwks_uri")
        .without("end_session_endpoint")
        .without("revocation_endpoint")
        .without("authorization_response_iss_parameter_supported")
        .without("code_challenge_methods_supported");
    let parsed = parse_doc(doc).unwrap();
    assert_eq!(parsed.userinfo_endpoint, None);
    assert_eq!(parsed.code_challenge_methods_supported, None);
    assert!(!parsed.authorization_response_iss_parameter_supported);
}

#[test]
fn json_content_type_with_charset_is_accepted() {
    let mut response = MetadataDoc::new().response();
    response.content_type = Some("Application/JSON; charset=utf-8".to_owned());
    assert_eq!(parse(&response), Ok(metadata()));
}

#[test]
fn issuer_with_extra_trailing_slash_is_a_mismatch() {
    let err = parse_doc(MetadataDoc::new().set("issuer", "https://id.example/")).unwrap_err();
    assert_eq!(
        err,
        DiscoveryError::IssuerMismatch {
            expected: "https://id.example".to_owned(),
            found: "https://id.example/".to_owned(),
        }
    );
}

#[test]
fn non_200_status_is_http_error() {
    let err = parse(&response(404, "text/html", "<h1>Not Found</h1>")).unwrap_err();
    assert_eq!(err, DiscoveryError::Http { status: 404 });
}

#[test]
fn non_json_content_type_is_not_json() {
    let mut response = MetadataDoc::new().response();
    response.content_type = Some("text/html".to_owned());
    assert_eq!(parse(&response).unwrap_err(), DiscoveryError::NotJson);
}

#[test]
fn missing_content_type_is_not_json() {
    let mut response = MetadataDoc::new().response();
    response.content_type = None;
    assert_eq!(parse(&response).unwrap_err(), DiscoveryError::NotJson);
}

#[test]
fn missing_token_endpoint_is_invalid() {
    let err = parse_doc(MetadataDoc::new().without("token_endpoint")).unwrap_err();
    assert!(matches!(&err, DiscoveryError::Invalid(why) if why.contains("token_endpoint")), "{err:?}");
}

#[test]
fn http_token_endpoint_off_loopback_is_insecure() {
    let err = parse_doc(MetadataDoc::new().set("token_endpoint", "http://id.example/token")).unwrap_err();
    assert_eq!(
        err,
        DiscoveryError::InsecureEndpoint {
            field: "token_endpoint",
            url: "http://id.example/token".to_owned()
        }
    );
}

#[test]
fn http_optional_endpoint_off_loopback_is_insecure() {
    let err = parse_doc(MetadataDoc::new().set("userinfo_endpoint", "http://id.example/me")).unwrap_err();
    assert!(matches!(err, DiscoveryError::InsecureEndpoint { field: "userinfo_endpoint", .. }), "{err:?}");
}

#[test]
fn http_endpoints_on_loopback_are_allowed() {
    let issuer = "http://127.0.0.1:9000";
    let doc = MetadataDoc::new()
        .set("issuer", issuer)
        .set("authorization_endpoint", "http://127.0.0.1:9000/authorize")
        .set("token_endpoint", "http://localhost:9000/token");
    let parsed = parse_discovery_response(&doc.response(), issuer).unwrap();
    assert_eq!(parsed.token_endpoint, "http://localhost:9000/token");
}

#[test]
fn plain_only_pkce_is_s256_unsupported() {
    let err =
        parse_doc(MetadataDoc::new().set("code_challenge_methods_supported", vec!["plain"])).unwrap_err();
    assert_eq!(err, DiscoveryError::S256Unsupported);
}

#[test]
fn iss_parameter_supported_is_parsed() {
    let supported = MetadataDoc::new().set("authorization_response_iss_parameter_supported", true);
    let unsupported = MetadataDoc::new().set("authorization_response_iss_parameter_supported", false);
    assert!(parse_doc(supported).unwrap().authorization_response_iss_parameter_supported);
    assert!(!parse_doc(unsupported).unwrap().authorization_response_iss_parameter_supported);
}

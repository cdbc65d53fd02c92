//! `pixie check`'s judgements (crates/pixie-core/src/check.rs): the probes it
//! sends, and the line each answer gives.

use pixie_core::check::{
    all_pass, check_discovery, check_probes, probes, Finding, Mark, ProbeKind, ProbeResult,
};
use pixie_core::config::{ClientConfig, DpopMode};
use pixie_core::http::HttpResponse;
use serde_json::json;

use crate::support::{
    config, json_response, metadata, randomness, MetadataDoc, NOW_MS, REDIRECT_URI, TOKEN_ENDPOINT,
};

const ORIGIN: &str = "https://app.example";

fn with_cors(mut response: HttpResponse, origin: &str) -> HttpResponse {
    response.headers.push(("access-control-allow-origin".to_owned(), origin.to_owned()));
    response
}

fn only(kind: ProbeKind, answer: ProbeResult) -> Finding {
    check_probes(&config(), &metadata(), &[(kind, answer)]).remove(0)
}

fn token_error(code: &str) -> HttpResponse {
    json_response(400, &json!({ "error": code }))
}

#[test]
fn a_good_discovery_document_read_from_the_apps_origin_passes() {
    let (findings, metadata) =
        check_discovery(&config(), ORIGIN, &Ok(with_cors(MetadataDoc::new().response(), "*")));
    assert!(metadata.is_some());
    assert!(findings.iter().all(|f| f.mark == Mark::Pass), "{findings:#?}");
    assert!(findings.iter().any(|f| f.what.contains("readable from https://app.example (CORS)")));
}

#[test]
fn discovery_without_cors_or_pkce_methods_says_so() {
    let doc = MetadataDoc::new().without("code_challenge_methods_supported");
    let (findings, _) = check_discovery(&config(), ORIGIN, &Ok(doc.response()));
    let marks: Vec<Mark> = findings.iter().map(|f| f.mark).collect();
    assert_eq!(marks, [Mark::Pass, Mark::Pass, Mark::Fail, Mark::Warn], "{findings:#?}");
    assert!(!all_pass(&findings));
}

#[test]
fn a_discovery_for_another_issuer_fails_with_the_issuer_to_set() {
    let doc = MetadataDoc::new().set("issuer", "https://other.example");
    let (findings, metadata) = check_discovery(&config(), ORIGIN, &Ok(doc.response()));
    assert!(metadata.is_none());
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].mark, Mark::Fail);
    assert!(findings[0]
        .fix
        .as_deref()
        .unwrap_or_default()
        .contains("Set `issuer` to exactly https://other.example"));
    let (unreachable, _) = check_discovery(&config(), ORIGIN, &Err("connection refused".to_owned()));
    assert!(unreachable[0].to_string().starts_with("✗ discovery: no answer"), "{}", unreachable[0]);
}

#[test]
fn the_probes_are_a_key_fetch_a_bogus_code_and_a_login_request_from_the_origin() {
    let kinds: Vec<ProbeKind> =
        probes(&config(), &metadata(), randomness(), NOW_MS).iter().map(|p| p.kind).collect();
    assert_eq!(kinds, [ProbeKind::Jwks, ProbeKind::Token, ProbeKind::Authorize]);
    let all = probes(&config(), &metadata(), randomness(), NOW_MS);
    let token = &all[1].request;
    assert_eq!(token.url, TOKEN_ENDPOINT);
    assert_eq!(token.header("origin"), Some(ORIGIN));
    let body = token.body.as_deref().unwrap_or_default();
    assert!(
        body.contains("grant_type=authorization_code") && body.contains("client_id=pixie-demo"),
        "{body}"
    );
    assert!(!body.contains("client_secret"));
    // With DPoP offered, the preflight of the DPoP header is checked too.
    let mut dpop = metadata();
    dpop.dpop_signing_alg_values_supported = Some(vec!["ES256".to_owned()]);
    let kinds: Vec<ProbeKind> =
        probes(&config(), &dpop, randomness(), NOW_MS).iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProbeKind::TokenPreflight));
    let off = ClientConfig { dpop: DpopMode::Off, ..config() };
    assert!(!probes(&off, &dpop, randomness(), NOW_MS).iter().any(|p| p.kind == ProbeKind::TokenPreflight));
}

#[test]
fn the_token_endpoint_passes_only_with_cors_and_invalid_grant_for_the_bogus_code() {
    let pass = only(ProbeKind::Token, Ok(with_cors(token_error("invalid_grant"), ORIGIN)));
    assert_eq!(pass.mark, Mark::Pass, "{pass}");
    let no_cors = only(ProbeKind::Token, Ok(token_error("invalid_grant")));
    assert_eq!(no_cors.mark, Mark::Fail);
    assert!(no_cors.to_string().contains("add https://app.example to"), "{no_cors}");
    let other_origin =
        only(ProbeKind::Token, Ok(with_cors(token_error("invalid_grant"), "https://evil.example")));
    assert_eq!(other_origin.mark, Mark::Fail);
    for code in ["invalid_client", "unauthorized_client"] {
        let refused = only(ProbeKind::Token, Ok(token_error(code)));
        assert_eq!(refused.mark, Mark::Fail);
        assert!(refused.to_string().contains(&format!("refuses pixie-demo ({code})")), "{refused}");
        assert!(refused.to_string().contains("public client"), "{refused}");
    }
    let odd = only(ProbeKind::Token, Ok(with_cors(token_error("invalid_request"), ORIGIN)));
    assert_eq!(odd.mark, Mark::Warn);
}

#[test]
fn the_login_request_shows_whether_the_redirect_uri_is_registered() {
    let mut to_login = HttpResponse::new(303, None, "");
    to_login.headers.push(("location".to_owned(), "https://id.example/interaction/abc".to_owned()));
    assert_eq!(only(ProbeKind::Authorize, Ok(to_login)).mark, Mark::Pass);

    let error_page =
        only(ProbeKind::Authorize, Ok(HttpResponse::new(400, Some("text/html"), "<h1>oops</h1>")));
    assert_eq!(error_page.mark, Mark::Fail);
    assert!(error_page.to_string().contains(&format!("{REDIRECT_URI} is listed exactly in")), "{error_page}");

    let mut refused = HttpResponse::new(302, None, "");
    refused.headers.push((
        "location".to_owned(),
        format!("{REDIRECT_URI}?error=invalid_scope&error_description=offline_access%20is%20not%20allowed"),
    ));
    let refused = only(ProbeKind::Authorize, Ok(refused));
    assert_eq!(refused.mark, Mark::Fail);
    assert!(
        refused.to_string().contains("invalid_scope")
            && refused.to_string().contains("offline_access is not allowed")
    );

    // A redirect to a look-alike of the redirect URI is not the app's.
    let mut look_alike = HttpResponse::new(302, None, "");
    look_alike.headers.push(("location".to_owned(), format!("{REDIRECT_URI}-evil?error=x")));
    assert_eq!(only(ProbeKind::Authorize, Ok(look_alike)).mark, Mark::Pass);
}

#[test]
fn what_the_metadata_alone_says_is_reported_with_warnings_not_failures() {
    let mut bare = metadata();
    bare.authorization_response_iss_parameter_supported = false;
    bare.revocation_endpoint = None;
    bare.end_session_endpoint = None;
    let findings = check_probes(&config(), &bare, &[]);
    let warned: Vec<&str> =
        findings.iter().filter(|f| f.mark == Mark::Warn).map(|f| f.what.as_str()).collect();
    assert_eq!(warned.len(), 4, "{findings:#?}");
    assert!(all_pass(&findings));
    let required = ClientConfig { dpop: DpopMode::Required, ..config() };
    let findings = check_probes(&required, &bare, &[]);
    assert!(!all_pass(&findings), "dpop required but not offered must fail");
    assert!(findings.iter().any(|f| f.what.starts_with("CSP connect-src must allow: https://id.example")));
}

#[test]
fn the_logout_line_says_what_logout_will_use() {
    let logout_line = |config: &ClientConfig, metadata: &pixie_core::discovery::ProviderMetadata| {
        check_probes(config, metadata, &[])
            .into_iter()
            .find(|f| f.what.starts_with("logout:"))
            .map(|f| f.what)
    };
    let standard = logout_line(&config(), &metadata()).unwrap_or_default();
    assert_eq!(standard, "logout: end_session_endpoint https://id.example/logout");
    // Cognito lists its /logout as end_session_endpoint, but Pixie calls it with logout_uri.
    let cognito = ClientConfig { provider: pixie_core::presets::Preset::Cognito, ..config() };
    let line = logout_line(&cognito, &metadata()).unwrap_or_default();
    assert_eq!(
        line,
        "logout: Amazon Cognito's own logout URL (https://id.example/logout), as the preset says"
    );
}

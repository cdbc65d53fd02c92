//! DPoP (RFC 9449) and PAR (RFC 9126): proofs against a fixed key and clock,
//! the RFC vectors, nonce bookkeeping, the binding checks, and the pushed
//! request's round trip. Expected values are computed independently (Python
//! `hashlib` + `base64.urlsafe_b64encode`), not with the crate under test.

use serde_json::{json, Value};

use pixie_core::authorize::{login_request, LoginOptions, PendingLogin};
use pixie_core::config::{ClientConfig, DpopMode, ParMode, TokenStorage};
use pixie_core::discovery::{parse_discovery_response, ProviderMetadata};
use pixie_core::dpop::{
    access_token_hash, asks_for_nonce, decode_proof, htu, key_persists, proof, proof_claims, token_binding,
    use_dpop, with_proof, DpopError, DpopPublicKey, Nonces, TokenBinding,
};
use pixie_core::http::{HttpRequest, HttpResponse};
use pixie_core::json::Object;
use pixie_core::par::{par_redirect_url, par_request, parse_par_response, use_par, ParError, PushedRequest};
use pixie_core::secret::AccessToken;
use pixie_core::session::{refresh_failure, RefreshFailure};
use pixie_core::trace::{dpop_key_entry, HttpTrace, Step, TraceEntry};
use pixie_core::AuthError;

use crate::support::*;

/// The public key of RFC 9449's examples (§4.1).
const RFC_X: &str = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
const RFC_Y: &str = "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA";
/// Its RFC 7638 thumbprint, as RFC 9449 §6.1 gives it (`cnf.jkt`).
const RFC_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
/// RFC 9449 §7.1: the access token, and its `ath`.
const RFC_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const RFC_ATH: &str = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";
/// base64url of sixteen 7s, the injected `jti` randomness.
const JTI: &str = "BwcHBwcHBwcHBwcHBwcHBw";

fn key() -> DpopPublicKey {
    DpopPublicKey { x: RFC_X.to_owned(), y: RFC_Y.to_owned() }
}

fn decode_part(part: &str) -> Value {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn token_post() -> HttpRequest {
    HttpRequest::form_post(&format!("{TOKEN_ENDPOINT}?x=1#frag"), "grant_type=authorization_code".to_owned())
}

fn with_header(mut response: HttpResponse, name: &str, value: &str) -> HttpResponse {
    response.headers.push((name.to_owned(), value.to_owned()));
    response
}

fn dpop_metadata(algs: &[&str]) -> ProviderMetadata {
    let mut metadata = metadata();
    metadata.dpop_signing_alg_values_supported = Some(algs.iter().map(|a| (*a).to_owned()).collect());
    metadata
}

fn config_with(dpop: DpopMode, par: ParMode) -> ClientConfig {
    ClientConfig { dpop, par, ..config() }
}

// ----- keys, thumbprints, hashes ------------------------------------------------

#[test]
fn the_thumbprint_is_rfc_7638_over_the_rfc_9449_example_key() {
    assert_eq!(key().thumbprint(), RFC_JKT);
}

#[test]
fn ath_is_the_rfc_9449_example_hash() {
    assert_eq!(access_token_hash(&AccessToken::new(RFC_ACCESS_TOKEN.to_owned())), RFC_ATH);
}

#[test]
fn the_public_jwk_has_exactly_the_public_members() {
    let jwk: Value = serde_json::from_str(&key().jwk().to_json_string()).unwrap();
    assert_eq!(jwk, json!({"kty": "EC", "crv": "P-256", "x": RFC_X, "y": RFC_Y}));
}

#[test]
fn only_an_ec_p256_jwk_with_32_byte_coordinates_is_read_back() {
    let jwk = |kty: &str, crv: &str, x: &str| {
        Object::new().with("kty", kty).with("crv", crv).with("x", x).with("y", RFC_Y)
    };
    assert_eq!(DpopPublicKey::from_jwk(&jwk("EC", "P-256", RFC_X)), Some(key()));
    assert_eq!(DpopPublicKey::from_jwk(&jwk("EC", "P-384", RFC_X)), None, "another curve");
    assert_eq!(DpopPublicKey::from_jwk(&jwk("RSA", "P-256", RFC_X)), None, "another key type");
    assert_eq!(DpopPublicKey::from_jwk(&jwk("EC", "P-256", "AAAA")), None, "a short coordinate");
    assert_eq!(
        DpopPublicKey::from_jwk(&Object::new().with("kty", "EC").with("crv", "P-256")),
        None,
        "no coordinates"
    );
}

#[test]
fn htu_drops_the_query_and_the_fragment() {
    assert_eq!(htu("https://id.example/token?a=1#b"), "https://id.example/token");
    assert_eq!(htu("https://id.example/token#b?c"), "https://id.example/token");
    assert_eq!(htu("https://id.example/token"), "https://id.example/token");
}

// ----- proofs ---------------------------------------------------------------------

#[test]
fn a_token_request_proof_has_the_rfc_9449_header_and_claims() {
    let claims = proof_claims(&token_post(), [7; 16], NOW_SECS, None, None);
    let unsigned = proof(&key(), &claims);
    let (header, body) = unsigned.signing_input.split_once('.').expect("header.claims");
    assert_eq!(
        decode_part(header),
        json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256", "x": RFC_X, "y": RFC_Y}})
    );
    assert_eq!(
        decode_part(body),
        json!({"jti": JTI, "htm": "POST", "htu": TOKEN_ENDPOINT, "iat": NOW_SECS}),
        "no nonce and no ath unless given"
    );
}

#[test]
fn a_resource_proof_names_the_access_token_and_the_nonce() {
    let request = HttpRequest::new("GET", "https://api.example/me?page=2");
    let token = AccessToken::new(RFC_ACCESS_TOKEN.to_owned());
    let claims = proof_claims(&request, [7; 16], NOW_SECS, Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"), Some(&token));
    let unsigned = proof(&key(), &claims);
    let body = decode_part(unsigned.signing_input.split('.').nth(1).unwrap());
    assert_eq!(
        body,
        json!({"jti": JTI, "htm": "GET", "htu": "https://api.example/me", "iat": NOW_SECS,
               "nonce": "eyJ7S_zG.eyJH0-Z.HX4w-7v", "ath": RFC_ATH})
    );
}

#[test]
fn the_jti_comes_from_the_injected_randomness() {
    let first = proof_claims(&token_post(), [7; 16], NOW_SECS, None, None);
    let second = proof_claims(&token_post(), [8; 16], NOW_SECS, None, None);
    assert_eq!(first.jti, JTI);
    assert_ne!(first.jti, second.jti);
    assert_eq!(first.jti.len(), 22, "16 bytes, base64url");
}

#[test]
fn a_signed_proof_is_a_compact_jws_with_a_raw_64_byte_signature() {
    let unsigned = proof(&key(), &proof_claims(&token_post(), [7; 16], NOW_SECS, None, None));
    let input = unsigned.signing_input.clone();
    assert_eq!(unsigned.clone().signed(&[9; 63]), None, "a DER or short signature is refused");
    let signed = unsigned.signed(&[9; 64]).expect("64 bytes");
    assert_eq!(signed, format!("{input}.{}", b64(&[9; 64])));
    let decoded = decode_proof(&signed).expect("reads back");
    assert_eq!(decoded.header.str("typ").unwrap(), "dpop+jwt");
    assert_eq!(decoded.claims.str("htu").unwrap(), TOKEN_ENDPOINT);
    assert!(!signed.contains("\"d\""), "no private member anywhere");
    assert_eq!(
        decode_proof(&format!("{input}.{}", b64(&[9; 10]))),
        None,
        "a short signature does not decode"
    );
    assert_eq!(decode_proof(&format!("{signed}.x")), None, "four parts");
}

#[test]
fn with_proof_sends_the_token_with_the_dpop_scheme() {
    let token = AccessToken::new("at-123".to_owned());
    let request = HttpRequest::new("GET", "https://api.example/me")
        .with_header("Authorization", "Bearer old")
        .with_header("DPoP", "stale-proof");
    let sent = with_proof(request, "new-proof".to_owned(), Some(&token));
    assert_eq!(sent.header("authorization"), Some("DPoP at-123"));
    assert_eq!(sent.header("dpop"), Some("new-proof"));
    assert_eq!(sent.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("dpop")).count(), 1);
    assert_eq!(sent.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("authorization")).count(), 1);

    let token_request = with_proof(token_post(), "p".to_owned(), None);
    assert_eq!(token_request.header("authorization"), None, "a token request carries no Authorization");
    assert_eq!(token_request.header("dpop"), Some("p"));
}

// ----- nonces ---------------------------------------------------------------------

#[test]
fn nonces_are_kept_per_origin_and_the_newest_wins() {
    let mut nonces = Nonces::default();
    assert_eq!(nonces.for_url(TOKEN_ENDPOINT), None);
    nonces.update(TOKEN_ENDPOINT, &with_header(json_response(200, &json!({})), "dpop-nonce", "n1"));
    assert_eq!(nonces.for_url("https://id.example/userinfo?x=1"), Some("n1"), "the whole origin");
    assert_eq!(nonces.for_url("https://api.example/me"), None, "another origin");
    assert_eq!(nonces.for_url("https://id.example:8443/token"), None, "another port is another origin");
    nonces.update(
        "https://id.example/userinfo",
        &with_header(json_response(401, &json!({})), "dpop-nonce", "n2"),
    );
    assert_eq!(nonces.for_url(TOKEN_ENDPOINT), Some("n2"), "updated from every response");
    nonces.update(TOKEN_ENDPOINT, &json_response(200, &json!({})));
    assert_eq!(nonces.for_url(TOKEN_ENDPOINT), Some("n2"), "a response without one keeps it");
    nonces.update("https://api.example/me", &with_header(json_response(200, &json!({})), "dpop-nonce", "a1"));
    assert_eq!(
        (nonces.for_url(TOKEN_ENDPOINT), nonces.for_url("https://api.example/x")),
        (Some("n2"), Some("a1"))
    );
}

#[test]
fn a_nonce_outside_rfc_9449_nqchar_is_ignored() {
    let mut nonces = Nonces::default();
    for bad in ["", "has space", "quo\"te", "back\\slash", "new\nline"] {
        nonces.update(TOKEN_ENDPOINT, &with_header(json_response(200, &json!({})), "dpop-nonce", bad));
        assert_eq!(nonces.for_url(TOKEN_ENDPOINT), None, "{bad:?}");
    }
}

#[test]
fn the_nonce_challenges_are_recognised_and_nothing_else() {
    let token_challenge = json_response(400, &json!({"error": "use_dpop_nonce", "error_description": "x"}));
    assert!(asks_for_nonce(&token_challenge), "token endpoint, RFC 9449 §8");
    assert!(!asks_for_nonce(&json_response(400, &json!({"error": "invalid_dpop_proof"}))));
    assert!(!asks_for_nonce(&json_response(400, &json!({"error": "invalid_grant"}))));
    let resource =
        |challenge: &str| with_header(json_response(401, &json!({})), "www-authenticate", challenge);
    assert!(asks_for_nonce(&resource(
        r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#
    )));
    assert!(
        asks_for_nonce(&resource(r#"dpop realm="x", error="use_dpop_nonce""#)),
        "the scheme is case-insensitive"
    );
    assert!(!asks_for_nonce(&resource(r#"Bearer error="use_dpop_nonce""#)), "only the DPoP scheme");
    assert!(!asks_for_nonce(&resource(r#"DPoP error="invalid_token""#)));
    assert!(
        !asks_for_nonce(&json_response(401, &json!({"error": "use_dpop_nonce"}))),
        "a 401 needs the header"
    );
    assert!(!asks_for_nonce(&json_response(200, &json!({"error": "use_dpop_nonce"}))));
}

// ----- when DPoP is used, and what the answer must say ------------------------

#[test]
fn dpop_is_used_when_the_provider_lists_es256_unless_off() {
    let auto = config_with(DpopMode::Auto, ParMode::Off);
    assert_eq!(use_dpop(&auto, &dpop_metadata(&["ES256", "EdDSA"])), Ok(true));
    assert_eq!(use_dpop(&auto, &dpop_metadata(&["EdDSA"])), Ok(false), "Pixie signs only ES256");
    assert_eq!(use_dpop(&auto, &metadata()), Ok(false), "not advertised");
    let off = config_with(DpopMode::Off, ParMode::Off);
    assert_eq!(use_dpop(&off, &dpop_metadata(&["ES256"])), Ok(false));
    let required = config_with(DpopMode::Required, ParMode::Off);
    assert_eq!(use_dpop(&required, &dpop_metadata(&["ES256"])), Ok(true));
    assert_eq!(use_dpop(&required, &metadata()), Err(DpopError::Unsupported));
    assert_eq!(use_dpop(&required, &dpop_metadata(&["PS256"])), Err(DpopError::Unsupported));
}

#[test]
fn a_bearer_answer_to_a_proof_is_refused_only_when_dpop_is_required() {
    assert_eq!(token_binding("DPoP", true, DpopMode::Required), Ok(TokenBinding::Dpop));
    assert_eq!(token_binding("dpop", true, DpopMode::Auto), Ok(TokenBinding::Dpop));
    assert_eq!(
        token_binding("Bearer", true, DpopMode::Required),
        Err(DpopError::NotBound { token_type: "Bearer".to_owned() })
    );
    assert_eq!(token_binding("Bearer", true, DpopMode::Auto), Ok(TokenBinding::Bearer));
    assert_eq!(token_binding("Bearer", false, DpopMode::Auto), Ok(TokenBinding::Bearer));
}

#[test]
fn the_key_persists_only_with_session_storage() {
    assert!(!key_persists(&config()), "memory mode: the key lives in memory only");
    assert!(key_persists(&ClientConfig { token_storage: TokenStorage::Session, ..config() }));
}

#[test]
fn dpop_jkt_binds_the_code_and_the_pending_record_keeps_it() {
    let options = LoginOptions { dpop: true, dpop_jkt: Some(RFC_JKT), ..LoginOptions::default() };
    let login = login_request(&config(), &metadata(), randomness(), "/after", NOW_MS, &options);
    assert!(login.params.iter().any(|(n, v)| n == "dpop_jkt" && v == RFC_JKT), "{:?}", login.params);
    assert!(login.url.contains(&format!("dpop_jkt={RFC_JKT}")));
    let stored = PendingLogin::from_storage_json(&login.pending.to_storage_json()).expect("reads back");
    assert!(stored.dpop);
    assert_eq!(stored.dpop_jkt.as_deref(), Some(RFC_JKT));

    // Memory mode: DPoP, but the key is made at the callback, so no dpop_jkt.
    let options = LoginOptions { dpop: true, ..LoginOptions::default() };
    let login = login_request(&config(), &metadata(), randomness(), "/", NOW_MS, &options);
    assert!(!login.url.contains("dpop_jkt"));
    let stored = PendingLogin::from_storage_json(&login.pending.to_storage_json()).unwrap();
    assert!(stored.dpop && stored.dpop_jkt.is_none());

    // A thumbprint without DPoP is never sent.
    let options = LoginOptions { dpop: false, dpop_jkt: Some(RFC_JKT), ..LoginOptions::default() };
    let login = login_request(&config(), &metadata(), randomness(), "/", NOW_MS, &options);
    assert!(!login.url.contains("dpop_jkt") && !login.pending.dpop);
}

#[test]
fn the_callback_says_whether_the_code_goes_with_a_proof() {
    let options = LoginOptions { dpop: true, dpop_jkt: Some(RFC_JKT), ..LoginOptions::default() };
    let login = login_request(&config(), &metadata(), randomness(), "/", NOW_MS, &options);
    let callback = callback_with(&success_query(), Some(login.pending), NOW_MS).expect("valid");
    assert!(callback.dpop());
    assert_eq!(callback.dpop_jkt(), Some(RFC_JKT));
    let plain = validated_callback();
    assert!(!plain.dpop() && plain.dpop_jkt().is_none());
}

#[test]
fn a_key_that_is_gone_ends_the_session() {
    let error = AuthError::Dpop(DpopError::Key("the key the tokens are bound to is gone".to_owned()));
    assert_eq!(refresh_failure(&error, 0), RefreshFailure::EndSession);
}

#[test]
fn dpop_errors_have_stable_codes_and_say_what_to_change() {
    let cases = [
        (AuthError::Dpop(DpopError::Unsupported), "dpop_unsupported", "\"dpop\" to \"auto\""),
        (
            AuthError::Dpop(DpopError::NotBound { token_type: "Bearer".to_owned() }),
            "dpop_not_bound",
            "Enable DPoP-bound tokens",
        ),
        (
            AuthError::Dpop(DpopError::Key("no IndexedDB".to_owned())),
            "dpop_key_unavailable",
            "\"dpop\" to \"off\"",
        ),
        (AuthError::Par(ParError::NoEndpoint), "par_unsupported", "pushed_authorization_request_endpoint"),
        (
            AuthError::Par(ParError::Invalid("x".to_owned())),
            "par_response_invalid",
            "pushed authorization request",
        ),
    ];
    for (error, code, advice) in cases {
        assert_eq!(error.code(), code);
        assert!(error.to_string().contains(advice), "{code}: {error}");
        assert!(std::error::Error::source(&error).is_some(), "{code} has a source");
    }
}

#[test]
fn dpop_and_par_are_read_from_config_json() {
    let parse = |fields: Value| {
        let mut doc = json!({"issuer": "http://127.0.0.1:9000", "client_id": "pixie-demo"});
        doc.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
        ClientConfig::parse(&doc.to_string(), "http://127.0.0.1:8080")
    };
    let defaults = parse(json!({})).unwrap();
    assert_eq!((defaults.dpop, defaults.par), (DpopMode::Auto, ParMode::Off));
    let set = parse(json!({"dpop": "required", "par": "auto"})).unwrap();
    assert_eq!((set.dpop, set.par), (DpopMode::Required, ParMode::Auto));
    let set = parse(json!({"dpop": "off", "par": "required"})).unwrap();
    assert_eq!((set.dpop, set.par), (DpopMode::Off, ParMode::Required));
    assert_eq!(parse(json!({"dpop": "yes"})).unwrap_err().field, "dpop");
    assert_eq!(parse(json!({"par": true})).unwrap_err().field, "par");
    let extra = parse(json!({"extra_auth_params": {"dpop_jkt": "x"}}));
    assert!(extra.is_err(), "dpop_jkt is Pixie's own parameter");
}

#[test]
fn discovery_reads_dpop_and_par_metadata() {
    let doc = MetadataDoc::new()
        .set("dpop_signing_alg_values_supported", json!(["ES256", "EdDSA"]))
        .set("pushed_authorization_request_endpoint", "https://id.example/par")
        .set("require_pushed_authorization_requests", true);
    let metadata = parse_discovery_response(&doc.response(), ISSUER).unwrap();
    assert_eq!(
        metadata.dpop_signing_alg_values_supported,
        Some(vec!["ES256".to_owned(), "EdDSA".to_owned()])
    );
    assert_eq!(metadata.pushed_authorization_request_endpoint.as_deref(), Some("https://id.example/par"));
    assert!(metadata.require_pushed_authorization_requests);
    let plain = parse_discovery_response(&MetadataDoc::new().response(), ISSUER).unwrap();
    assert_eq!(
        (
            plain.dpop_signing_alg_values_supported,
            plain.pushed_authorization_request_endpoint,
            plain.require_pushed_authorization_requests
        ),
        (None, None, false)
    );
    let insecure = MetadataDoc::new().set("pushed_authorization_request_endpoint", "http://id.example/par");
    assert!(parse_discovery_response(&insecure.response(), ISSUER).is_err(), "plain http off loopback");
}

// ----- PAR --------------------------------------------------------------------------

fn par_metadata(required: bool) -> ProviderMetadata {
    let mut metadata = metadata();
    metadata.pushed_authorization_request_endpoint = Some("https://id.example/par".to_owned());
    metadata.require_pushed_authorization_requests = required;
    metadata
}

#[test]
fn par_is_used_when_required_by_either_side_or_offered_in_auto() {
    let mode = |par| config_with(DpopMode::Auto, par);
    assert_eq!(use_par(&mode(ParMode::Off), &metadata()), Ok(false));
    assert_eq!(
        use_par(&mode(ParMode::Off), &par_metadata(false)),
        Ok(false),
        "the default does not push when only offered"
    );
    assert_eq!(use_par(&mode(ParMode::Off), &par_metadata(true)), Ok(true), "the provider requires it");
    assert_eq!(use_par(&mode(ParMode::Auto), &par_metadata(false)), Ok(true));
    assert_eq!(use_par(&mode(ParMode::Auto), &metadata()), Ok(false));
    assert_eq!(use_par(&mode(ParMode::Required), &par_metadata(false)), Ok(true));
    assert_eq!(use_par(&mode(ParMode::Required), &metadata()), Err(ParError::NoEndpoint));
    let mut odd = metadata();
    odd.require_pushed_authorization_requests = true;
    assert_eq!(use_par(&mode(ParMode::Off), &odd), Err(ParError::NoEndpoint), "required but no endpoint");
}

#[test]
fn the_pushed_request_carries_every_authorization_parameter() {
    let login = login_with(&config(), &par_metadata(false));
    let request = par_request("https://id.example/par", &login);
    assert_eq!((request.method, request.url.as_str()), ("POST", "https://id.example/par"));
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    let body = request.body.clone().unwrap();
    let sent = pixie_core::encoding::parse_query(&body).expect("a form body");
    assert_eq!(sent, login.params, "the same parameters, in order");
    for name in ["client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state", "nonce"] {
        assert!(sent.iter().any(|(n, _)| n == name), "{name}");
    }
    assert!(!body.contains("client_secret"), "a public client");
}

#[test]
fn the_redirect_after_a_push_has_only_client_id_and_request_uri() {
    let pushed = PushedRequest {
        request_uri: "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c".to_owned(),
        expires_in: 60,
    };
    assert_eq!(
        par_redirect_url(&metadata(), CLIENT_ID, &pushed),
        "https://id.example/authorize?client_id=pixie-demo&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c"
    );
    let mut with_query = metadata();
    with_query.authorization_endpoint = "https://id.example/authorize?tenant=a".to_owned();
    assert!(par_redirect_url(&with_query, CLIENT_ID, &pushed)
        .starts_with("https://id.example/authorize?tenant=a&client_id="));
}

#[test]
fn a_par_answer_must_be_rfc_9126() {
    let ok = json!({"request_uri": "urn:ietf:params:oauth:request_uri:abc", "expires_in": 60});
    assert_eq!(
        parse_par_response(&json_response(201, &ok)),
        Ok(PushedRequest { request_uri: "urn:ietf:params:oauth:request_uri:abc".to_owned(), expires_in: 60 })
    );
    assert!(parse_par_response(&json_response(200, &ok)).is_ok(), "some providers say 200");
    let invalid =
        |body: Value| matches!(parse_par_response(&json_response(201, &body)), Err(ParError::Invalid(_)));
    assert!(invalid(json!({"request_uri": "urn:x"})), "no expires_in");
    assert!(invalid(json!({"request_uri": "urn:x", "expires_in": 0})), "expires_in 0");
    assert!(invalid(json!({"expires_in": 60})), "no request_uri");
    assert!(invalid(json!({"request_uri": "", "expires_in": 60})), "empty request_uri");
    assert!(invalid(json!({"request_uri": "urn:\nx", "expires_in": 60})), "a control character");
    assert!(matches!(
        parse_par_response(&response(201, "text/html", "<p>ok</p>")),
        Err(ParError::Invalid(_))
    ));
}

#[test]
fn a_par_error_is_shown_with_its_code_and_description() {
    let refused = json_response(
        400,
        &json!({"error": "invalid_request", "error_description": "redirect_uri is not registered"}),
    );
    let error = AuthError::from(parse_par_response(&refused).unwrap_err());
    assert_eq!(error.code(), "invalid_request");
    assert_eq!(error.provider_description(), Some("redirect_uri is not registered"));
    assert!(error.to_string().contains("HTTP 400"));
    let odd = AuthError::from(parse_par_response(&response(502, "text/html", "bad gateway")).unwrap_err());
    assert_eq!(odd.code(), "par_response_invalid");
    // The provider's code goes into the page: RFC 6749's charset, 64 characters at most.
    let hostile = json_response(400, &json!({"error": format!("bad\"code\\{}", "x".repeat(100))}));
    let code = AuthError::from(parse_par_response(&hostile).unwrap_err()).code();
    assert!(!code.contains('"') && !code.contains('\\') && code.len() <= 64, "{code}");
}

// ----- the walkthrough ------------------------------------------------------------

#[test]
fn the_trace_shows_a_decoded_proof_and_never_the_proof_itself() {
    let unsigned = proof(&key(), &proof_claims(&token_post(), [7; 16], NOW_SECS, Some("n-1"), None));
    let sent = with_proof(token_post(), unsigned.signed(&[9; 64]).unwrap(), None);
    let entry = TraceEntry::new(Step::TokenRequest, NOW_MS).request(&sent).dpop_proof(&sent);
    let value = |name: &str| entry.values.iter().find(|v| v.name == name).map(|v| v.value.clone());
    let header: Value = serde_json::from_str(&value("DPoP proof header").expect("header shown")).unwrap();
    assert_eq!(header["jwk"]["x"], RFC_X);
    assert!(header["jwk"].get("d").is_none());
    let claims: Value = serde_json::from_str(&value("DPoP proof claims").expect("claims shown")).unwrap();
    assert_eq!(claims["htu"], TOKEN_ENDPOINT);
    assert_eq!(claims["nonce"], "n-1");
    let http = HttpTrace::of_request(&sent);
    let dpop = http.request_headers.iter().find(|h| h.name.eq_ignore_ascii_case("dpop")).expect("listed");
    assert!(dpop.masked, "the proof itself is masked like a credential");

    let plain = TraceEntry::new(Step::TokenRequest, NOW_MS).dpop_proof(&token_post());
    assert!(plain.values.is_empty(), "no proof, nothing shown");
}

#[test]
fn the_key_step_shows_the_public_key_and_its_thumbprint_only() {
    let entry = dpop_key_entry(&key(), NOW_MS);
    assert_eq!(entry.step, Step::DpopKey);
    assert_eq!(entry.step.slug(), "dpop-key");
    assert_eq!(entry.step.reference().0, "RFC 9449 §10");
    assert_eq!(Step::PushedRequest.reference().0, "RFC 9126 §2");
    assert!(entry.values.iter().any(|v| v.value == RFC_JKT));
    let all: String = entry.values.iter().map(|v| v.value.as_str()).collect();
    assert!(all.contains(RFC_X) && !all.contains("\"d\""));
}

/// Found by `make fuzz`: a multi-byte character across the end of the scheme
/// made the challenge check slice a `str` mid-character and panic.
#[test]
fn a_challenge_with_any_utf8_is_read_without_panicking() {
    let resource =
        |challenge: &str| with_header(json_response(401, &json!({})), "www-authenticate", challenge);
    assert!(!asks_for_nonce(&resource("[[\u{FFFD}")));
    assert!(!asks_for_nonce(&resource("DPo\u{e9} error=\"use_dpop_nonce\"")));
    assert!(!asks_for_nonce(&resource("\u{e9}\u{e9}\u{e9}")));
    assert!(asks_for_nonce(&resource("DPoP error=\"use_dpop_nonce\", \u{e9}")));
}

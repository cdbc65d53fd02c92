//! Property tests: every parser that reads input from the network or the URL
//! returns `Ok` or a typed `Err` for any input, and never panics.
//!
//! `make test` runs 256 cases per property. Run longer with, e.g.:
//!     PROPTEST_CASES=100000 cargo test --release --test fuzz
#![cfg(not(target_arch = "wasm32"))]

use pixie_core::callback::{looks_like_callback, parse_callback};
use pixie_core::discovery::parse_discovery_response;
use pixie_core::http::HttpResponse;
use pixie_core::id_token::{
    validate_id_token, verify_signature, IdTokenExpectations, SignatureVerifier, VerifiedSignature,
};
use pixie_core::json::Json;
use pixie_core::json::Object;
use pixie_core::jwks::Jwk;
use pixie_core::jwks::{parse_jwks_response, SignatureAlgorithm};
use pixie_core::jwt::decode_jws;
use pixie_core::jwt::{DecodedJws, JoseHeader};
use pixie_core::secret::{IdToken, Nonce};
use pixie_core::token::parse_token_response;
use proptest::prelude::*;
use std::future::Future as _;

/// Says yes to every signature, so the claim checks get any input. Tests only.
struct TrustEverySignatureInsecurely;

impl SignatureVerifier for TrustEverySignatureInsecurely {
    async fn verify(&self, _: SignatureAlgorithm, _: &Jwk, _: &[u8], _: &[u8]) -> bool {
        true
    }
}

fn trusted_proof() -> VerifiedSignature {
    let jws = DecodedJws {
        header: JoseHeader { alg: "RS256".to_owned(), kid: None, typ: None, crit: None },
        claims: Object::new(),
        signing_input: String::new(),
        signature: vec![0; 256],
    };
    let key = Jwk {
        kty: "RSA".to_owned(),
        kid: None,
        alg: None,
        use_: None,
        key_ops: None,
        crv: None,
        n: Some("n".to_owned()),
        e: Some("e".to_owned()),
        x: None,
        y: None,
    };
    let mut future = std::pin::pin!(verify_signature(
        &TrustEverySignatureInsecurely,
        &jws,
        &key,
        SignatureAlgorithm::Rs256
    ));
    match future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(proof) => proof.expect("trusted"),
        std::task::Poll::Pending => unreachable!("the trusting verifier answers at once"),
    }
}

fn json_response(status: u16, body: String) -> HttpResponse {
    HttpResponse::new(status, Some("application/json"), body)
}

/// Text that looks like a query string, so the parser's interesting paths are reached.
fn query_like() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("code".to_owned()),
        Just("state".to_owned()),
        Just("iss".to_owned()),
        Just("error".to_owned()),
        Just("access_token".to_owned()),
        "[a-z_%+=&]{0,8}",
    ];
    let value = "[A-Za-z0-9%+=&._~-]{0,16}|%[0-9A-Fa-f]{0,2}|%[^0-9A-Fa-f]{1,2}";
    prop::collection::vec((key, value), 0..6).prop_map(|pairs| {
        let body: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("?{}", body.join("&"))
    })
}

/// JSON objects with the fields a token or discovery response has, of random types.
fn json_object_like() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| if f.is_finite() { f.to_string() } else { "1e400".to_owned() }),
        "[ -~]{0,12}".prop_map(|s| serde_json::Value::String(s).to_string()),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    let field = prop_oneof![
        Just("access_token"),
        Just("token_type"),
        Just("expires_in"),
        Just("id_token"),
        Just("refresh_token"),
        Just("error"),
        Just("error_description"),
        Just("issuer"),
        Just("authorization_endpoint"),
        Just("token_endpoint"),
        Just("keys"),
        Just("kty"),
    ];
    prop::collection::vec((field, leaf), 0..8).prop_map(|fields| {
        let body: Vec<String> = fields.into_iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        format!("{{{}}}", body.join(","))
    })
}

/// Any JSON value serde_json can hold (object keys are unique there too).
fn any_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let text = prop_oneof!["\\PC{0,8}", "[\\x00-\\x1f\"\\\\/\u{7f}-\u{10ffff}]{0,4}"];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        text.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((text.clone(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Short texts made of JSON's own characters, so most of the grammar is reached.
const JSON_ISH: &str = "[\\[\\]{}\",:0-9eE.+\\-truefalsn\\\\/u ]{0,40}";

proptest! {
    #[test]
    fn json_round_trips_every_value(value in any_json()) {
        // Byte for byte: numbers keep their text, and both escape the same characters.
        let text = value.to_string();
        let ours = Json::parse(&text).expect("serde_json's output is JSON");
        prop_assert_eq!(ours.to_string(), text);
        prop_assert_eq!(ours.to_pretty(), serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn json_accepts_exactly_what_serde_json_accepts(text in JSON_ISH) {
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        match Json::parse(&text) {
            // The same value, read back through serde_json.
            Ok(ours) => prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&ours.to_string()).ok(), theirs.ok()),
            // Refusals serde_json does not make: repeated names, which it merges.
            Err(e) if e.problem == "repeated member name" => {}
            Err(e) => prop_assert!(theirs.is_err(), "refused {:?} ({}) that serde_json accepts", text, e),
        }
    }

    #[test]
    fn whole_part_equals_the_float_cast(int in -1_000_000_000_i64..1_000_000_000, frac in "[0-9]{0,3}", exp in -4_i32..5) {
        // Few enough digits that the float is exact to below one unit: the cast is the reference.
        let text = if frac.is_empty() { format!("{int}e{exp}") } else { format!("{int}.{frac}e{exp}") };
        let Ok(Json::Number(number)) = Json::parse(&text) else { panic!("{text} is JSON") };
        let expected = text.parse::<f64>().unwrap() as i64;
        prop_assert_eq!(number.whole_part(), expected, "{}", text);
    }

    #[test]
    fn json_parsing_never_panics_on_arbitrary_text(text in "\\PC{0,64}") {
        let _ = Json::parse(&text);
    }

    #[test]
    fn callback_parsing_never_panics(query in query_like(), fragment in "#?[ -~]{0,20}") {
        let _ = looks_like_callback(&query);
        if let Ok(response) = parse_callback(&query, &fragment) {
            let _ = response.state();
        }
    }

    #[test]
    fn callback_parsing_never_panics_on_arbitrary_text(query in "\\PC{0,64}", fragment in "\\PC{0,16}") {
        let _ = parse_callback(&query, &fragment);
    }

    #[test]
    fn token_response_parsing_never_panics(status in prop_oneof![Just(200u16), Just(400), 100u16..600], body in json_object_like()) {
        let _ = parse_token_response(&json_response(status, body));
    }

    #[test]
    fn token_response_parsing_never_panics_on_arbitrary_text(body in "\\PC{0,64}") {
        let _ = parse_token_response(&json_response(200, body));
    }

    #[test]
    fn discovery_parsing_never_panics(body in json_object_like()) {
        let _ = parse_discovery_response(&json_response(200, body), "https://id.example");
    }

    #[test]
    fn jwks_parsing_never_panics(body in json_object_like()) {
        let _ = parse_jwks_response(&json_response(200, format!("{{\"keys\":[{body}]}}")));
    }

    #[test]
    fn jwt_decoding_never_panics(parts in prop::collection::vec("[A-Za-z0-9_=+/-]{0,24}", 0..7)) {
        let _ = decode_jws(&parts.join("."));
    }

    #[test]
    fn id_token_validation_never_panics(header in json_object_like(), claims in json_object_like()) {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let token = IdToken::new(format!("{}.{}.c2ln", b64(&header), b64(&claims)));
        let nonce = Nonce::new("n");
        let expected = IdTokenExpectations { issuer: "https://id.example", issuer_rule: pixie_core::presets::IssuerRule::Exact, client_id: "c", nonce: &nonce, now_secs: 1_700_000_000, skew_secs: 60, max_age: None, acr_values: None, expected_sub: None };
        let proof = trusted_proof();
        let _ = validate_id_token(&token, proof, &expected);
    }
}

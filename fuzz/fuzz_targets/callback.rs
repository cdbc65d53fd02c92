//! The authorization response in the address bar (query and fragment).
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::authorize::{authorization_request, LoginRandomness};
use pixie_core::callback::{looks_like_callback, parse_callback, validate_callback};
use pixie_core::discovery::ProviderMetadata;
use pixie_core::presets::IssuerRule;

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else { return };
    let (query, fragment) = text.split_once('#').unwrap_or((text, ""));
    let _ = looks_like_callback(query);
    let Ok(response) = parse_callback(query, fragment) else { return };
    let metadata = ProviderMetadata {
        issuer: common::ISSUER.to_owned(),
        issuer_rule: IssuerRule::Exact,
        authorization_endpoint: format!("{}/authorize", common::ISSUER),
        token_endpoint: format!("{}/token", common::ISSUER),
        userinfo_endpoint: None,
        jwks_uri: None,
        end_session_endpoint: None,
        revocation_endpoint: None,
        authorization_response_iss_parameter_supported: data.len() % 2 == 0,
        code_challenge_methods_supported: None,
        dpop_signing_alg_values_supported: None,
        pushed_authorization_request_endpoint: None,
        require_pushed_authorization_requests: false,
    };
    let randomness = LoginRandomness { verifier: [1; 32], state: [2; 32], nonce: [3; 32] };
    let login = authorization_request(&common::config(), &metadata, randomness, "/", 0.0);
    let _ = response.parameters();
    let _ = validate_callback(response, Some(login.pending), 0.0);
});

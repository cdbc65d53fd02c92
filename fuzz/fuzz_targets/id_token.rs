//! Every ID-token check (OIDC Core §3.1.3.7, §12.2), behind a trusted signature,
//! under the exact issuer rule and Entra ID's tenant template alike.
#![no_main]
#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use pixie_core::encoding::base64url;
use pixie_core::id_token::{same_login, validate_id_token, validate_refreshed_id_token, IdTokenExpectations};
use pixie_core::jwt::decode_jws;
use pixie_core::presets::IssuerRule;
use pixie_core::secret::{IdToken, Nonce};

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else { return };
    // header JSON and claims JSON, split at the first newline, encoded as a JWS.
    let (header, claims) = text.split_once('\n').unwrap_or((r#"{"alg":"RS256"}"#, text));
    let token = IdToken::new(format!("{}.{}.c2ln", base64url(header.as_bytes()), base64url(claims.as_bytes())));
    let Ok(jws) = decode_jws(token.secret()) else { return };
    let Some(proof) = common::trusted_proof(&jws) else { return };
    let nonce = Nonce::new("n");
    // The tenant rule for half the inputs: its `tid` substitution must never panic or pass a forged iss.
    let (issuer, issuer_rule) = if data.len() % 2 == 0 {
        (common::ISSUER, IssuerRule::Exact)
    } else {
        ("https://login.microsoftonline.com/{tenantid}/v2.0", IssuerRule::EntraTenant)
    };
    let expected = IdTokenExpectations {
        issuer,
        issuer_rule,
        client_id: common::CLIENT_ID,
        nonce: &nonce,
        now_secs: 1_700_000_000,
        skew_secs: 60,
        max_age: Some(300),
        acr_values: Some("a b"),
        expected_sub: Some("someone"),
    };
    if let Ok(validated) = validate_id_token(&token, proof.clone(), &expected) {
        if issuer_rule == IssuerRule::EntraTenant {
            // Passing means: iss is the template with a GUID tid, nothing else.
            let iss = validated.claim_str("iss").unwrap_or_default();
            let tid = validated.claim_str("tid").unwrap_or_default();
            assert_eq!(iss, format!("https://login.microsoftonline.com/{tid}/v2.0"));
            assert!(tid.len() == 36 && !tid.contains(['/', '{', '}']), "tid {tid:?}");
        }
    }
    let relaxed = IdTokenExpectations { max_age: None, acr_values: None, expected_sub: None, ..expected };
    if let Ok(original) = validate_id_token(&token, proof.clone(), &relaxed) {
        let _ = validate_refreshed_id_token(&token, proof, &original, common::CLIENT_ID, 1_700_000_100, 60);
        let _ = same_login(&original, &original, common::CLIENT_ID);
    }
});

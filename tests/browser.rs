//! Browser tests in headless Chromium (`cargo test --target wasm32-unknown-unknown --test browser`).
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use leptos::prelude::*;
use pixie::auth::{provide_auth, AuthState, Provider};
use pixie::browser::storage::{purge_stale_pending, save_pending, take_pending};
use pixie::components::{LoginPanel, StatusBadge};
use pixie::oauth::authorize::{authorization_request, LoginRandomness, PENDING_LOGIN_TTL_MS};
use pixie::oauth::config::ClientConfig;
use pixie::oauth::discovery::ProviderMetadata;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn provider(issuer: &str) -> Provider {
    Provider {
        config: ClientConfig::parse(
            &format!(r#"{{"issuer":"{issuer}","client_id":"pixie-demo"}}"#),
            "http://127.0.0.1:8080",
        )
        .expect("valid test config"),
        metadata: ProviderMetadata {
            issuer: issuer.to_owned(),
            authorization_endpoint: format!("{issuer}/auth"),
            token_endpoint: format!("{issuer}/token"),
            userinfo_endpoint: None,
            jwks_uri: None,
            end_session_endpoint: None,
            revocation_endpoint: None,
            authorization_response_iss_parameter_supported: true,
            code_challenge_methods_supported: None,
        },
    }
}

fn login_at(now_ms: f64, seed: u8) -> pixie::oauth::authorize::AuthorizationRequest {
    let provider = provider("http://127.0.0.1:9000");
    let randomness = LoginRandomness { verifier: [seed; 32], state: [seed + 1; 32], nonce: [seed + 2; 32] };
    authorization_request(&provider.config, &provider.metadata, randomness, "/after", now_ms)
}

fn session_storage() -> web_sys::Storage {
    web_sys::window().unwrap().session_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
fn pending_record_round_trips_and_is_taken_once() {
    session_storage().clear().unwrap();
    let request = login_at(js_sys::Date::now(), 10);
    save_pending(&request.state, &request.pending).unwrap();

    let key = format!("pixie.pending.{}", request.state.secret());
    assert!(session_storage().get_item(&key).unwrap().is_some(), "written synchronously");

    let taken = take_pending(&request.state).expect("first take finds the record");
    assert_eq!(taken.verifier.secret(), request.pending.verifier.secret());
    assert_eq!(taken.nonce.secret(), request.pending.nonce.secret());
    assert_eq!(taken.issuer, "http://127.0.0.1:9000");
    assert_eq!(taken.redirect_uri, "http://127.0.0.1:8080/callback");
    assert_eq!(taken.return_to, "/after");
    assert_eq!(taken.created_at_ms, request.pending.created_at_ms);

    assert!(take_pending(&request.state).is_none(), "second take finds nothing");
    assert!(session_storage().get_item(&key).unwrap().is_none(), "record removed");
}

#[wasm_bindgen_test]
fn two_pending_logins_are_kept_apart() {
    session_storage().clear().unwrap();
    let first = login_at(js_sys::Date::now(), 20);
    let second = login_at(js_sys::Date::now(), 30);
    save_pending(&first.state, &first.pending).unwrap();
    save_pending(&second.state, &second.pending).unwrap();

    assert_eq!(take_pending(&second.state).unwrap().verifier.secret(), second.pending.verifier.secret());
    assert_eq!(take_pending(&first.state).unwrap().verifier.secret(), first.pending.verifier.secret());
}

#[wasm_bindgen_test]
fn purge_drops_expired_and_unreadable_records_only() {
    session_storage().clear().unwrap();
    let now = js_sys::Date::now();
    let fresh = login_at(now, 40);
    let stale = login_at(now - PENDING_LOGIN_TTL_MS - 1.0, 50);
    save_pending(&fresh.state, &fresh.pending).unwrap();
    save_pending(&stale.state, &stale.pending).unwrap();
    session_storage().set_item("pixie.pending.garbage", "{not json").unwrap();
    session_storage().set_item("unrelated", "kept").unwrap();

    purge_stale_pending(now);

    assert!(take_pending(&fresh.state).is_some());
    assert!(take_pending(&stale.state).is_none());
    assert!(session_storage().get_item("pixie.pending.garbage").unwrap().is_none());
    assert_eq!(session_storage().get_item("unrelated").unwrap().as_deref(), Some("kept"));
}

#[wasm_bindgen_test]
fn an_expired_record_is_still_taken_once_and_knows_its_age() {
    session_storage().clear().unwrap();
    // The storage layer hands back exactly what was stored, once; rejecting it
    // by age is validate_callback's job (tested natively).
    let stale = login_at(js_sys::Date::now() - PENDING_LOGIN_TTL_MS - 1.0, 60);
    save_pending(&stale.state, &stale.pending).unwrap();
    let taken = take_pending(&stale.state).unwrap();
    assert!(taken.is_expired(js_sys::Date::now()));
    assert!(take_pending(&stale.state).is_none());
}

async fn tick() {
    leptos::task::tick().await;
}

fn mount_login_panel() -> (AuthCtxHandle, web_sys::HtmlElement) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = AuthCtxHandle::default();
    let handle_for_view = handle.clone();
    let mount = leptos::mount::mount_to(host.clone(), move || {
        let ctx = provide_auth(AuthState::SignedOut);
        handle_for_view.set(ctx);
        view! { <StatusBadge/> <LoginPanel/> }
    });
    mount.forget();
    (handle, host)
}

#[derive(Clone, Default)]
struct AuthCtxHandle(std::rc::Rc<std::cell::Cell<Option<pixie::auth::AuthCtx>>>);
impl AuthCtxHandle {
    fn set(&self, ctx: pixie::auth::AuthCtx) {
        self.0.set(Some(ctx));
    }
    fn get(&self) -> pixie::auth::AuthCtx {
        self.0.get().expect("mounted")
    }
}

use wasm_bindgen::JsCast;

#[wasm_bindgen_test]
async fn login_button_waits_for_the_provider_and_status_follows_state() {
    let (handle, host) = mount_login_panel();
    tick().await;
    let status = host.query_selector("#status").unwrap().expect("#status rendered");
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("signed-out"));
    let button = host.query_selector("button").unwrap().expect("Log in button");
    assert_eq!(button.text_content().as_deref(), Some("Log in"));
    assert!(button.has_attribute("disabled"), "disabled until discovery has loaded");

    let ctx = handle.get();
    ctx.provider.set(Some(Arc::new(provider("http://127.0.0.1:9000"))));
    tick().await;
    assert!(!button.has_attribute("disabled"));
    let issuer = host.query_selector("#issuer").unwrap().unwrap();
    assert_eq!(issuer.text_content().as_deref(), Some("http://127.0.0.1:9000"));

    ctx.state.set(AuthState::Exchanging);
    tick().await;
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("exchanging"));
    host.remove();
}

// --- ID-token signatures with WebCrypto (vectors from tests/fixtures/make_jws_vectors.mjs) ---

mod signatures {
    use pixie::browser::crypto::verify_signature;
    use pixie::oauth::http::HttpResponse;
    use pixie::oauth::id_token::{signing_algorithm, IdTokenError};
    use pixie::oauth::jwks::{parse_jwks_response, select_key, JwkSet};
    use pixie::oauth::jwt::decode_jws;
    use serde::Deserialize;
    use wasm_bindgen_test::*;

    #[derive(Deserialize)]
    struct Vector {
        alg: String,
        jwk: serde_json::Value,
        token: String,
        tampered: String,
    }

    fn vectors() -> Vec<Vector> {
        serde_json::from_str(include_str!("fixtures/jws_vectors.json")).unwrap()
    }

    fn key_set(keys: Vec<serde_json::Value>) -> JwkSet {
        let body = serde_json::json!({ "keys": keys }).to_string();
        let response = HttpResponse { status: 200, content_type: Some("application/json".to_owned()), body };
        parse_jwks_response(&response).unwrap()
    }

    async fn verify(token: &str, keys: &JwkSet) -> Result<(), IdTokenError> {
        let jws = decode_jws(token).unwrap();
        let algorithm = signing_algorithm(&jws.header)?;
        let key = select_key(keys, &jws.header, algorithm).map_err(|_| IdTokenError::UnknownKey)?;
        verify_signature(&jws, key, algorithm).await.map(|_| ())
    }

    #[wasm_bindgen_test]
    async fn genuine_signatures_verify_for_every_algorithm() {
        for vector in vectors() {
            let keys = key_set(vec![vector.jwk.clone()]);
            assert_eq!(verify(&vector.token, &keys).await, Ok(()), "{} should verify", vector.alg);
        }
    }

    #[wasm_bindgen_test]
    async fn a_tampered_payload_fails_for_every_algorithm() {
        for vector in vectors() {
            let keys = key_set(vec![vector.jwk.clone()]);
            assert_eq!(
                verify(&vector.tampered, &keys).await,
                Err(IdTokenError::BadSignature),
                "{}",
                vector.alg
            );
        }
    }

    #[wasm_bindgen_test]
    async fn another_key_with_the_same_kid_fails() {
        let vectors = vectors();
        let (rs256, ps256) = (&vectors[0], &vectors[1]);
        // PS256's RSA key, relabelled as the RS256 key: the right shape, the wrong key.
        let mut impostor = ps256.jwk.clone();
        impostor["kid"] = rs256.jwk["kid"].clone();
        impostor["alg"] = rs256.jwk["alg"].clone();
        let keys = key_set(vec![impostor]);
        assert_eq!(verify(&rs256.token, &keys).await, Err(IdTokenError::BadSignature));
    }

    #[wasm_bindgen_test]
    async fn the_verified_signature_names_algorithm_and_key() {
        let vector = &vectors()[2]; // ES256
        let jws = decode_jws(&vector.token).unwrap();
        let algorithm = signing_algorithm(&jws.header).unwrap();
        let keys = key_set(vec![vector.jwk.clone()]);
        let proof = verify_signature(&jws, &keys.keys[0], algorithm).await.unwrap();
        assert_eq!(proof.algorithm.jose_name(), "ES256");
        assert_eq!(proof.kid.as_deref(), Some("test-es256"));
    }
}

//! Browser tests of the IO layer and the components, in headless Chromium:
//! `cargo test -p pixie --target wasm32-unknown-unknown --lib`. The protocol's
//! decisions are tested natively in `pixie-core`.

use std::sync::Arc;

use leptos::prelude::*;
use pixie_core::authorize::{authorization_request, LoginRandomness, PendingLogin, PENDING_LOGIN_TTL_MS};
use pixie_core::config::ClientConfig;
use pixie_core::discovery::ProviderMetadata;
use pixie_core::provider::{Provider, ProviderCache};
use pixie_core::session::Session;
use pixie_core::AuthError;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use crate::browser::storage;
use crate::config::ConfigSource;
use crate::state::AuthState;
use crate::{Auth, RequireAuth, SignedIn, SignedOut};

wasm_bindgen_test_configure!(run_in_browser);

const ISSUER: &str = "http://127.0.0.1:9000";

fn config() -> ClientConfig {
    ClientConfig::builder(ISSUER, "pixie-demo").build("http://127.0.0.1:8080").expect("valid test config")
}

fn provider() -> Provider {
    Provider {
        config: config(),
        metadata: ProviderMetadata {
            issuer: ISSUER.to_owned(),
            issuer_rule: pixie_core::presets::IssuerRule::Exact,
            authorization_endpoint: format!("{ISSUER}/auth"),
            token_endpoint: format!("{ISSUER}/token"),
            userinfo_endpoint: None,
            jwks_uri: None,
            end_session_endpoint: None,
            revocation_endpoint: None,
            authorization_response_iss_parameter_supported: true,
            code_challenge_methods_supported: None,
            dpop_signing_alg_values_supported: None,
            pushed_authorization_request_endpoint: None,
            require_pushed_authorization_requests: false,
        },
    }
}

fn login_at(now_ms: f64, seed: u8) -> pixie_core::authorize::AuthorizationRequest {
    let provider = provider();
    let randomness = LoginRandomness { verifier: [seed; 32], state: [seed + 1; 32], nonce: [seed + 2; 32] };
    authorization_request(&provider.config, &provider.metadata, randomness, "/after", now_ms)
}

fn session_storage() -> web_sys::Storage {
    web_sys::window().unwrap().session_storage().unwrap().unwrap()
}

fn pending_key(request: &pixie_core::authorize::AuthorizationRequest) -> String {
    config().storage_key(&PendingLogin::storage_name(&request.state))
}

fn save(request: &pixie_core::authorize::AuthorizationRequest) {
    storage::set(&pending_key(request), &request.pending.to_storage_json()).unwrap();
}

fn take(request: &pixie_core::authorize::AuthorizationRequest) -> Option<PendingLogin> {
    storage::take(&pending_key(request)).and_then(|json| PendingLogin::from_storage_json(&json))
}

#[wasm_bindgen_test]
fn a_pending_record_round_trips_and_is_taken_once() {
    session_storage().clear().unwrap();
    let request = login_at(js_sys::Date::now(), 10);
    save(&request);

    let key = format!("pixie.pending.{}", request.state.secret());
    assert!(session_storage().get_item(&key).unwrap().is_some(), "written synchronously, under the prefix");

    let taken = take(&request).expect("first take finds the record");
    assert_eq!(taken.verifier.secret(), request.pending.verifier.secret());
    assert_eq!(taken.nonce.secret(), request.pending.nonce.secret());
    assert_eq!(taken.issuer, ISSUER);
    assert_eq!(taken.redirect_uri, "http://127.0.0.1:8080/callback");
    assert_eq!(taken.return_to, "/after");

    assert!(take(&request).is_none(), "second take finds nothing");
    assert!(session_storage().get_item(&key).unwrap().is_none(), "record removed");
}

#[wasm_bindgen_test]
fn purge_drops_expired_and_unreadable_records_under_the_prefix_only() {
    session_storage().clear().unwrap();
    let now = js_sys::Date::now();
    let fresh = login_at(now, 40);
    let stale = login_at(now - PENDING_LOGIN_TTL_MS - 1.0, 50);
    save(&fresh);
    save(&stale);
    session_storage().set_item("pixie.pending.garbage", "{not json").unwrap();
    session_storage().set_item("other.pending.garbage", "{not json").unwrap();
    session_storage().set_item("unrelated", "kept").unwrap();

    storage::purge_stale_pending("pixie.", now);

    assert!(take(&fresh).is_some());
    assert!(take(&stale).is_none());
    assert!(session_storage().get_item("pixie.pending.garbage").unwrap().is_none());
    assert!(session_storage().get_item("other.pending.garbage").unwrap().is_some(), "another app's prefix");
    assert_eq!(session_storage().get_item("unrelated").unwrap().as_deref(), Some("kept"));
}

#[wasm_bindgen_test]
fn the_provider_cache_is_found_by_its_source_whatever_the_prefix() {
    session_storage().clear().unwrap();
    let cache = |source: &str| ProviderCache {
        source: source.to_owned(),
        config_json: "{}".to_owned(),
        discovery_json: "{}".to_owned(),
    };
    storage::set("notes.provider", &cache("http://127.0.0.1:8081/config.json").to_json()).unwrap();
    storage::set("pixie.provider", &cache("http://127.0.0.1:8080/config.json").to_json()).unwrap();
    let (key, found) = storage::find_provider_cache("http://127.0.0.1:8081/config.json").unwrap();
    assert_eq!(
        (key.as_str(), found.source.as_str()),
        ("notes.provider", "http://127.0.0.1:8081/config.json")
    );
    assert!(storage::find_provider_cache("http://127.0.0.1:9999/config.json").is_none());
}

#[wasm_bindgen_test]
async fn with_lock_runs_the_work_and_serialises_two_holders() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let log = Rc::new(RefCell::new(Vec::new()));
    let (first_log, second_log) = (log.clone(), log.clone());
    let first = crate::browser::locks::with_lock("pixie-test-lock", move || async move {
        first_log.borrow_mut().push("first starts");
        wait_ms(50).await;
        first_log.borrow_mut().push("first ends");
        1
    });
    let second = crate::browser::locks::with_lock("pixie-test-lock", move || async move {
        second_log.borrow_mut().push("second runs");
        2
    });
    let (a, b) = crate::browser::join::join(first, second).await;
    assert_eq!((a, b), (1, 2));
    assert_eq!(*log.borrow(), ["first starts", "first ends", "second runs"]);
}

#[wasm_bindgen_test]
async fn with_lock_still_returns_when_another_tab_steals_the_lock() {
    // Review, info: the lock's promise rejects when the lock is stolen while the
    // work runs; the helper used to wait for ever ("unreachable").
    let work = crate::browser::locks::with_lock("pixie-steal-test", move || async move {
        wait_ms(100).await;
        "done"
    });
    let steal = async {
        wait_ms(20).await;
        let steal = js_sys::Function::new_no_args(
            "return navigator.locks.request('pixie-steal-test', { steal: true }, () => {});",
        );
        let _ = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(
            steal.call0(&wasm_bindgen::JsValue::NULL).unwrap(),
        ))
        .await;
    };
    let (value, ()) = crate::browser::join::join(work, steal).await;
    assert_eq!(value, "done");
}

async fn wait_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

// ----- components -------------------------------------------------------------

async fn tick() {
    leptos::task::tick().await;
}

/// Mounts `view` inside a provider-less `Auth` whose state the test drives.
fn mount(view: impl Fn() -> AnyView + 'static) -> (Auth, web_sys::HtmlElement) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let slot = std::rc::Rc::new(std::cell::Cell::new(None));
    let slot_for_view = slot.clone();
    let handle = leptos::mount::mount_to(host.clone(), move || {
        let auth =
            Auth::new(ConfigSource::Url("/config.json".to_owned()), "http://127.0.0.1:8080".to_owned());
        provide_context(auth);
        slot_for_view.set(Some(auth));
        view()
    });
    handle.forget();
    (slot.get().expect("mounted"), host)
}

fn text(host: &web_sys::HtmlElement) -> String {
    host.text_content().unwrap_or_default()
}

/// A signed-in session, restored the way a stored one is (the record holds its proof).
fn signed_in_session() -> Arc<Session> {
    let b64 = |json: &str| pixie_core::encoding::base64url(json.as_bytes());
    let id_token = format!(
        "{}.{}.c2ln",
        b64(r#"{"alg":"RS256","kid":"k"}"#),
        b64(
            r#"{"iss":"http://127.0.0.1:9000","sub":"alice","aud":"pixie-demo","exp":4000000000,"iat":1700000000}"#
        )
    );
    let record = format!(
        r#"{{"v":4,"session_id":"s","generation":0,"issuer":"{ISSUER}","client_id":"pixie-demo","access_token":"at","refresh_token":null,"id_token":"{id_token}","alg":"RS256","kid":"k","signed_in_at_ms":1,"received_at_ms":1,"expires_at_ms":null,"scope":null}}"#
    );
    Arc::new(Session::from_json(&record).expect("a valid record"))
}

/// As once the start page has loaded the provider and decided it is signed out.
fn loaded(auth: Auth) {
    let provider = provider();
    auth.config.set(Some(Arc::new(provider.config.clone())));
    auth.provider.set(Some(Arc::new(provider)));
    auth.ready.set(true);
}

#[wasm_bindgen_test]
async fn signed_in_and_signed_out_follow_the_state() {
    let (auth, host) = mount(|| {
        view! {
            <SignedIn fallback=|| "fallback-in">"content-in"</SignedIn>
            <SignedOut fallback=|| "fallback-out">"content-out"</SignedOut>
        }
        .into_any()
    });
    tick().await;
    assert_eq!(text(&host), "fallback-infallback-out", "signed out, but the provider has not loaded");
    loaded(auth);
    tick().await;
    assert_eq!(text(&host), "fallback-incontent-out");
    auth.state.set(AuthState::SignedIn(signed_in_session()));
    tick().await;
    assert_eq!(text(&host), "content-infallback-out");
    assert_eq!(auth.sub().as_deref(), Some("alice"));
    host.remove();
}

#[wasm_bindgen_test]
async fn require_auth_shows_the_error_instead_of_redirecting_again() {
    let (auth, host) =
        mount(|| view! { <RequireAuth loading=|| "loading">"secret page"</RequireAuth> }.into_any());
    tick().await;
    assert_eq!(text(&host), "loading", "before the provider has loaded");
    auth.state.set(AuthState::Error(AuthError::Network { during: "discovery", detail: "down".to_owned() }));
    tick().await;
    let alert = host.query_selector("[role=alert]").unwrap().expect("the error is shown");
    assert_eq!(alert.get_attribute("data-code").as_deref(), Some("network_error"));
    assert!(text(&host).contains("Try again"));
    assert!(!text(&host).contains("secret page"));
    auth.state.set(AuthState::SignedIn(signed_in_session()));
    tick().await;
    assert_eq!(text(&host), "secret page");
    host.remove();
}

#[wasm_bindgen_test]
async fn require_auth_does_not_start_a_second_login_after_one_came_back_empty() {
    let (auth, host) =
        mount(|| view! { <RequireAuth loading=|| "loading">"secret page"</RequireAuth> }.into_any());
    // As after the back button at the provider: a login was started from this page.
    auth.rt(|rt| rt.guard_blocked.set(true));
    loaded(auth);
    tick().await;
    assert!(matches!(auth.state.get_untracked(), AuthState::SignedOut), "no redirect was started");
    let status = host.query_selector("[data-kind=login-not-completed]").unwrap().expect("says so");
    assert!(status.text_content().unwrap_or_default().contains("Log in"));
    host.remove();
}

// ----- signatures with WebCrypto (vectors from tests/fixtures/make_jws_vectors.mjs) -----

mod signatures {
    use pixie_core::http::HttpResponse;
    use pixie_core::id_token::{signing_algorithm, verify_signature, IdTokenError};
    use pixie_core::jwks::{parse_jwks_response, select_key, JwkSet};
    use pixie_core::jwt::decode_jws;
    use serde::Deserialize;
    use wasm_bindgen_test::*;

    use crate::browser::crypto::WebCrypto;

    #[derive(Deserialize)]
    struct Vector {
        alg: String,
        jwk: serde_json::Value,
        token: String,
        tampered: String,
    }

    fn vectors() -> Vec<Vector> {
        serde_json::from_str(include_str!("../tests/fixtures/jws_vectors.json")).unwrap()
    }

    fn key_set(keys: Vec<serde_json::Value>) -> JwkSet {
        let body = serde_json::json!({ "keys": keys }).to_string();
        parse_jwks_response(&HttpResponse::new(200, Some("application/json"), body)).unwrap()
    }

    async fn verify(token: &str, keys: &JwkSet) -> Result<(), IdTokenError> {
        let jws = decode_jws(token).unwrap();
        let algorithm = signing_algorithm(&jws.header)?;
        let key = select_key(keys, &jws.header, algorithm).map_err(|_| IdTokenError::UnknownKey)?;
        verify_signature(&WebCrypto, &jws, key, algorithm).await.map(|_| ())
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
        let proof = verify_signature(&WebCrypto, &jws, &keys.keys[0], algorithm).await.unwrap();
        assert_eq!(proof.algorithm().jose_name(), "ES256");
        assert_eq!(proof.kid(), Some("test-es256"));
    }
}

// ----- the DPoP key -------------------------------------------------------------

/// WebCrypto's own check of a proof's signature with the key's public half.
async fn verifies(public: &pixie_core::dpop::DpopPublicKey, input: &[u8], signature: &[u8]) -> bool {
    use js_sys::{Array, Object, Reflect};
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    let jwk = Object::new();
    for (name, value) in [("kty", "EC"), ("crv", "P-256"), ("x", public.x.as_str()), ("y", public.y.as_str())]
    {
        Reflect::set(&jwk, &name.into(), &value.into()).unwrap();
    }
    let algorithm = Object::new();
    Reflect::set(&algorithm, &"name".into(), &"ECDSA".into()).unwrap();
    Reflect::set(&algorithm, &"namedCurve".into(), &"P-256".into()).unwrap();
    let usages = Array::of1(&"verify".into());
    let key = subtle
        .import_key_with_object("jwk", &jwk, &algorithm, true, &usages)
        .map(wasm_bindgen_futures::JsFuture::from)
        .unwrap()
        .await
        .unwrap()
        .unchecked_into::<web_sys::CryptoKey>();
    Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into()).unwrap();
    let mut signature = signature.to_vec();
    let mut input = input.to_vec();
    let verified = subtle
        .verify_with_object_and_u8_array_and_u8_array(&algorithm, &key, &mut signature, &mut input)
        .map(wasm_bindgen_futures::JsFuture::from)
        .unwrap()
        .await
        .unwrap();
    verified.as_bool() == Some(true)
}

#[wasm_bindgen_test]
async fn a_dpop_key_signs_proofs_that_verify_and_cannot_be_exported() {
    use crate::browser::dpop_key::DpopKey;
    use pixie_core::dpop::{proof, proof_claims};
    use pixie_core::http::HttpRequest;

    let key = DpopKey::generate().await.expect("WebCrypto makes a P-256 key");
    assert_eq!(key.public.x.len(), 43, "32-byte coordinates, base64url");
    let request = HttpRequest::form_post(&format!("{ISSUER}/token"), "grant_type=refresh_token".to_owned());
    let unsigned = proof(&key.public, &proof_claims(&request, [5; 16], 1_700_000_000, None, None));
    let signature = key.sign(unsigned.signing_input.as_bytes()).await.expect("signs");
    assert_eq!(signature.len(), 64, "raw r || s, as a JWS wants");
    assert!(verifies(&key.public, unsigned.signing_input.as_bytes(), &signature).await, "the proof verifies");
    assert!(!verifies(&key.public, b"something else", &signature).await, "and only for what was signed");
    assert!(unsigned.signed(&signature).is_some());
}

#[wasm_bindgen_test]
async fn a_dpop_key_is_kept_as_a_crypto_key_once_and_forgotten() {
    use crate::browser::dpop_key::DpopKey;
    let database = "pixie-test.dpop";
    DpopKey::delete_all(database).await.expect("clear");
    assert!(DpopKey::load(database, "issuer client").await.expect("reads").is_none());
    let first = DpopKey::generate().await.unwrap();
    first.add(database, "issuer client").await.expect("kept");
    let second = DpopKey::generate().await.unwrap();
    assert!(
        second.add(database, "issuer client").await.is_err(),
        "a second key for the same issuer and client"
    );
    let loaded = DpopKey::load(database, "issuer client").await.unwrap().expect("found");
    assert_eq!(loaded.public, first.public, "the first one kept wins");
    // The loaded key still signs, with the same key pair.
    let signature = loaded.sign(b"input").await.unwrap();
    assert!(verifies(&first.public, b"input", &signature).await);
    DpopKey::delete_all(database).await.unwrap();
    assert!(DpopKey::load(database, "issuer client").await.unwrap().is_none(), "gone after delete_all");
}

//! The DPoP key pair (RFC 9449): ECDSA P-256 made by WebCrypto with
//! `extractable: false`, so the page can sign with it but never read it.
//! IndexedDB keeps it across page loads as a `CryptoKey` (structured clone,
//! never bytes); nothing else does.

use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use pixie_core::dpop::DpopPublicKey;
use pixie_core::json::Object as JsonObject;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, IdbDatabase, IdbRequest, IdbTransactionMode};

const STORE: &str = "keys";

/// A key pair: the private half as an opaque `CryptoKey`, the public half's coordinates.
pub(crate) struct DpopKey {
    private: CryptoKey,
    public_key: CryptoKey,
    /// The public JWK's coordinates and thumbprint source.
    pub(crate) public: DpopPublicKey,
}

fn subtle() -> Result<web_sys::SubtleCrypto, String> {
    Ok(web_sys::window().ok_or("no window")?.crypto().map_err(|_| "no WebCrypto")?.subtle())
}

fn describe(error: JsValue) -> String {
    error.unchecked_into::<js_sys::Error>().to_string().as_string().unwrap_or_else(|| "failed".to_owned())
}

fn set(object: &Object, name: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(name), value);
}

fn ecdsa(curve_or_hash: (&str, &str)) -> Object {
    let algorithm = Object::new();
    set(&algorithm, "name", &JsValue::from_str("ECDSA"));
    set(&algorithm, curve_or_hash.0, &JsValue::from_str(curve_or_hash.1));
    algorithm
}

async fn public_coordinates(public_key: &CryptoKey) -> Result<DpopPublicKey, String> {
    let exported =
        JsFuture::from(subtle()?.export_key("jwk", public_key).map_err(describe)?).await.map_err(describe)?;
    let member =
        |name: &str| Reflect::get(&exported, &JsValue::from_str(name)).ok().and_then(|v| v.as_string());
    let jwk = JsonObject::new()
        .with("kty", member("kty").unwrap_or_default())
        .with("crv", member("crv").unwrap_or_default())
        .with("x", member("x").unwrap_or_default())
        .with("y", member("y").unwrap_or_default());
    DpopPublicKey::from_jwk(&jwk).ok_or_else(|| "the public key is not an EC P-256 JWK".to_owned())
}

impl DpopKey {
    /// A fresh key pair; the private key cannot be exported.
    pub(crate) async fn generate() -> Result<Rc<Self>, String> {
        let usages = Array::of2(&JsValue::from_str("sign"), &JsValue::from_str("verify"));
        let promise = subtle()?
            .generate_key_with_object(&ecdsa(("namedCurve", "P-256")), false, &usages)
            .map_err(describe)?;
        let pair = JsFuture::from(promise).await.map_err(describe)?;
        let half = |name: &str| -> Result<CryptoKey, String> {
            Reflect::get(&pair, &JsValue::from_str(name))
                .map_err(describe)?
                .dyn_into::<CryptoKey>()
                .map_err(|_| format!("no {name}"))
        };
        let (private, public_key) = (half("privateKey")?, half("publicKey")?);
        let public = public_coordinates(&public_key).await?;
        Ok(Rc::new(Self { private, public_key, public }))
    }

    /// ECDSA P-256 / SHA-256 over `input`: the raw 64-byte `r || s` a JWS wants.
    pub(crate) async fn sign(&self, input: &[u8]) -> Result<Vec<u8>, String> {
        let promise = subtle()?
            .sign_with_object_and_u8_array(&ecdsa(("hash", "SHA-256")), &self.private, input)
            .map_err(describe)?;
        let signature = JsFuture::from(promise).await.map_err(describe)?;
        Ok(js_sys::Uint8Array::new(&signature).to_vec())
    }

    /// Keep it in IndexedDB database `database` under `id`, unless a key is
    /// already kept there (then it fails).
    pub(crate) async fn add(&self, database: &str, id: &str) -> Result<(), String> {
        let record = Object::new();
        set(&record, "privateKey", &self.private);
        set(&record, "publicKey", &self.public_key);
        let store = writable(database).await?;
        let request = store.add_with_key(&record, &JsValue::from_str(id)).map_err(describe)?;
        done(&request).await.map(|_| ())
    }

    /// The key kept under `id`, if any.
    pub(crate) async fn load(database: &str, id: &str) -> Result<Option<Rc<Self>>, String> {
        let db = open(database).await?;
        let store = db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readonly)
            .and_then(|tx| tx.object_store(STORE))
            .map_err(describe)?;
        let record = done(&store.get(&JsValue::from_str(id)).map_err(describe)?).await?;
        if record.is_undefined() || record.is_null() {
            return Ok(None);
        }
        let half =
            |name: &str| Reflect::get(&record, &JsValue::from_str(name)).ok()?.dyn_into::<CryptoKey>().ok();
        let (Some(private), Some(public_key)) = (half("privateKey"), half("publicKey")) else {
            return Ok(None);
        };
        let public = public_coordinates(&public_key).await?;
        Ok(Some(Rc::new(Self { private, public_key, public })))
    }

    /// Forget every key in `database`.
    pub(crate) async fn delete_all(database: &str) -> Result<(), String> {
        let store = writable(database).await?;
        done(&store.clear().map_err(describe)?).await.map(|_| ())
    }
}

async fn writable(database: &str) -> Result<web_sys::IdbObjectStore, String> {
    open(database)
        .await?
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .and_then(|tx| tx.object_store(STORE))
        .map_err(describe)
}

/// The request's result once it succeeds. The handlers live until then, and
/// are dropped after (a `once_into_js` pair would leak the one never called).
async fn done(request: &IdbRequest) -> Result<JsValue, String> {
    let mut handlers = None;
    let promise = Promise::new(&mut |resolve, reject| {
        let on_success = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let result =
                event.target().and_then(|t| t.dyn_into::<IdbRequest>().ok()).and_then(|r| r.result().ok());
            let _ = resolve.call1(&JsValue::UNDEFINED, &result.unwrap_or(JsValue::UNDEFINED));
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
            let _ = reject.call1(&JsValue::UNDEFINED, &JsValue::from_str("IndexedDB refused the request"));
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        handlers = Some((on_success, on_error));
    });
    let result = JsFuture::from(promise).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    drop(handlers);
    result.map_err(|e| e.as_string().unwrap_or_else(|| "IndexedDB failed".to_owned()))
}

async fn open(database: &str) -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(describe)?
        .ok_or_else(|| "IndexedDB is not available".to_owned())?;
    let request = factory.open_with_u32(database, 1).map_err(describe)?;
    let on_upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|db| db.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let _ = db.create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let db = done(&request).await;
    request.set_onupgradeneeded(None);
    drop(on_upgrade);
    let db = db?;
    db.dyn_into::<IdbDatabase>().map_err(|_| "IndexedDB gave no database".to_owned())
}

//! JWS signature verification with the browser's WebCrypto (`crypto.subtle`).

use js_sys::{Array, Object, Reflect};
use pixie_core::id_token::SignatureVerifier;
use pixie_core::jwks::{Jwk, SignatureAlgorithm};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `crypto.subtle.verify`, behind the core's [`SignatureVerifier`].
pub(crate) struct WebCrypto;

impl SignatureVerifier for WebCrypto {
    async fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        key: &Jwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> bool {
        // Any failure (a key WebCrypto will not import, an algorithm the
        // browser lacks) is a failed check: fail closed.
        webcrypto_verify(algorithm, key, signing_input, signature).await.unwrap_or(false)
    }
}

fn object(members: &[(&str, JsValue)]) -> Result<Object, JsValue> {
    let object = Object::new();
    for (name, value) in members {
        Reflect::set(&object, &JsValue::from_str(name), value)?;
    }
    Ok(object)
}

fn algorithm_object(algorithm: SignatureAlgorithm) -> Result<Object, JsValue> {
    let params = algorithm.webcrypto();
    let mut members = vec![("name", JsValue::from_str(params.name))];
    if let Some(hash) = params.hash {
        members.push(("hash", JsValue::from_str(hash)));
    }
    if let Some(curve) = params.named_curve {
        members.push(("namedCurve", JsValue::from_str(curve)));
    }
    if let Some(salt) = params.salt_length {
        members.push(("saltLength", JsValue::from(salt)));
    }
    object(&members)
}

async fn webcrypto_verify(
    algorithm: SignatureAlgorithm,
    key: &Jwk,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<bool, JsValue> {
    let subtle = web_sys::window().ok_or("no window")?.crypto()?.subtle();
    // Only the public members reach importKey.
    let jwk_members: Vec<(&str, JsValue)> =
        key.public_members().into_iter().map(|(name, value)| (name, JsValue::from_str(value))).collect();
    let jwk = object(&jwk_members)?;
    let usages = Array::of1(&JsValue::from_str("verify"));
    let import = subtle.import_key_with_object("jwk", &jwk, &algorithm_object(algorithm)?, false, &usages)?;
    let crypto_key: web_sys::CryptoKey = JsFuture::from(import).await?.dyn_into()?;
    let verify = subtle.verify_with_object_and_u8_array_and_u8_array(
        &algorithm_object(algorithm)?,
        &crypto_key,
        signature,
        signing_input,
    )?;
    Ok(JsFuture::from(verify).await?.as_bool() == Some(true))
}

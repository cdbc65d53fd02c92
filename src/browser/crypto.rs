//! JWS signature verification with the browser's WebCrypto (`crypto.subtle`).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::oauth::id_token::{IdTokenError, VerifiedSignature};
use crate::oauth::jwks::{Jwk, SignatureAlgorithm};
use crate::oauth::jwt::DecodedJws;

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
    jws: &DecodedJws,
    key: &Jwk,
    algorithm: SignatureAlgorithm,
) -> Result<bool, JsValue> {
    let subtle = web_sys::window().ok_or("no window")?.crypto()?.subtle();
    let jwk_members: Vec<(&str, JsValue)> =
        key.public_members().into_iter().map(|(name, value)| (name, JsValue::from_str(value))).collect();
    let jwk = object(&jwk_members)?;
    let usages = Array::of1(&JsValue::from_str("verify"));
    let import = subtle.import_key_with_object("jwk", &jwk, &algorithm_object(algorithm)?, false, &usages)?;
    let crypto_key: web_sys::CryptoKey = JsFuture::from(import).await?.dyn_into()?;
    let verify = subtle.verify_with_object_and_u8_array_and_u8_array(
        &algorithm_object(algorithm)?,
        &crypto_key,
        &jws.signature,
        jws.signing_input.as_bytes(),
    )?;
    Ok(JsFuture::from(verify).await?.as_bool() == Some(true))
}

/// Verify the JWS signature with `key`. Any failure (a key WebCrypto will not
/// import, an algorithm the browser lacks, a wrong signature) is `BadSignature`:
/// fail closed.
pub async fn verify_signature(
    jws: &DecodedJws,
    key: &Jwk,
    algorithm: SignatureAlgorithm,
) -> Result<VerifiedSignature, IdTokenError> {
    if !algorithm.signature_length_ok(&jws.signature) {
        return Err(IdTokenError::BadSignature);
    }
    match webcrypto_verify(jws, key, algorithm).await {
        Ok(true) => Ok(VerifiedSignature { algorithm, kid: jws.header.kid.clone() }),
        _ => Err(IdTokenError::BadSignature),
    }
}

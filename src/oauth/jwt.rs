//! Compact JWS splitting and decoding (RFC 7515 §7.1). No signature work here.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::encoding::base64url_decode;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct JoseHeader {
    pub alg: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub typ: Option<String>,
}

/// A decoded, not yet verified JWS.
#[derive(Debug, Clone)]
pub struct DecodedJws {
    pub header: JoseHeader,
    pub claims: Map<String, Value>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, the bytes the signature covers.
    pub signing_input: String,
    pub signature: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// Five parts: a JWE. Pixie registers no encryption keys.
    Encrypted,
    NotCompactJws,
    BadBase64 {
        part: &'static str,
    },
    BadHeader(String),
    /// The payload must be a JSON object (RFC 7519 §7.2 step 10).
    BadClaims(String),
}

pub fn decode_jws(token: &str) -> Result<DecodedJws, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts[..] else {
        return Err(if parts.len() == 5 { JwtError::Encrypted } else { JwtError::NotCompactJws });
    };
    let header_bytes = base64url_decode(header_b64).ok_or(JwtError::BadBase64 { part: "header" })?;
    let payload_bytes = base64url_decode(payload_b64).ok_or(JwtError::BadBase64 { part: "payload" })?;
    let signature = base64url_decode(signature_b64).ok_or(JwtError::BadBase64 { part: "signature" })?;

    let header: JoseHeader =
        serde_json::from_slice(&header_bytes).map_err(|e| JwtError::BadHeader(e.to_string()))?;
    let claims = match serde_json::from_slice::<Value>(&payload_bytes) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(JwtError::BadClaims("payload is not a JSON object".to_owned())),
        Err(e) => return Err(JwtError::BadClaims(e.to_string())),
    };
    Ok(DecodedJws { header, claims, signing_input: format!("{header_b64}.{payload_b64}"), signature })
}

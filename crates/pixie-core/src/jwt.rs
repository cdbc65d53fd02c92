//! Compact JWS splitting and decoding (RFC 7515 §7.1). No signature work here.

use crate::encoding::base64url_decode;
use crate::json::{Json, Object};

/// The JOSE header members Pixie reads (RFC 7515 §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoseHeader {
    /// The signing algorithm.
    pub alg: String,
    /// The key id.
    pub kid: Option<String>,
    /// The media type of the whole JWT.
    pub typ: Option<String>,
    /// Extensions the signer marks as critical (RFC 7515 §4.1.11).
    pub crit: Option<Vec<String>>,
}

/// A decoded, not yet verified JWS. Its `Debug` leaves out the signing input
/// and the signature: with them, the token could be put back together.
#[derive(Clone)]
pub struct DecodedJws {
    /// The header.
    pub header: JoseHeader,
    /// The payload, a JSON object.
    pub claims: Object,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, the bytes the signature covers.
    pub signing_input: String,
    /// The signature bytes.
    pub signature: Vec<u8>,
}

impl core::fmt::Debug for DecodedJws {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DecodedJws")
            .field("header", &self.header)
            .field("claims", &self.claims)
            .finish_non_exhaustive()
    }
}

/// Why a token is not a compact JWS.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// Five parts: a JWE. Pixie registers no encryption keys.
    Encrypted,
    /// Not three dot-separated parts.
    NotCompactJws,
    /// A part is not base64url.
    BadBase64 {
        /// `header`, `payload` or `signature`.
        part: &'static str,
    },
    /// The header is not a JSON object with a string `alg`.
    BadHeader(String),
    /// The payload must be a JSON object (RFC 7519 §7.2 step 10).
    BadClaims(String),
}

/// Split and decode a compact JWS (RFC 7515 §7.1), without checking its signature.
pub fn decode_jws(token: &str) -> Result<DecodedJws, JwtError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, payload_b64, signature_b64] = parts[..] else {
        return Err(if parts.len() == 5 { JwtError::Encrypted } else { JwtError::NotCompactJws });
    };
    let header_bytes = base64url_decode(header_b64).ok_or(JwtError::BadBase64 { part: "header" })?;
    let payload_bytes = base64url_decode(payload_b64).ok_or(JwtError::BadBase64 { part: "payload" })?;
    let signature = base64url_decode(signature_b64).ok_or(JwtError::BadBase64 { part: "signature" })?;

    let header = parse_header(&header_bytes).map_err(JwtError::BadHeader)?;
    let claims = match Json::parse_bytes(&payload_bytes) {
        Ok(Json::Object(claims)) => claims,
        Ok(_) => return Err(JwtError::BadClaims("payload is not a JSON object".to_owned())),
        Err(e) => return Err(JwtError::BadClaims(e.to_string())),
    };
    Ok(DecodedJws { header, claims, signing_input: format!("{header_b64}.{payload_b64}"), signature })
}

fn parse_header(bytes: &[u8]) -> Result<JoseHeader, String> {
    let header = match Json::parse_bytes(bytes).map_err(|e| e.to_string())? {
        Json::Object(header) => header,
        _ => return Err("not a JSON object".to_owned()),
    };
    let field = |e: crate::json::FieldError| e.to_string();
    Ok(JoseHeader {
        alg: header.str("alg").map_err(field)?.to_owned(),
        kid: header.opt_string("kid").map_err(field)?,
        typ: header.opt_string("typ").map_err(field)?,
        crit: header.opt_strings("crit").map_err(field)?,
    })
}

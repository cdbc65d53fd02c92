//! ID token validation, numbered after OIDC Core §3.1.3.7.

use serde_json::{Map, Value};

use super::jwt::{decode_jws, DecodedJws, JoseHeader, JwtError};
use super::secret::{IdToken, Nonce};

pub const DEFAULT_CLOCK_SKEW_SECS: i64 = 60;

/// Signature algorithms Pixie will ever accept. `none` and every HS* are absent
/// on purpose: a public client has no shared secret to check an HMAC with.
pub const ALLOWED_ALGS: &[&str] = &["RS256", "PS256", "ES256", "EdDSA"];

/// The seam for JWS signature verification. The browser layer will verify with
/// WebCrypto against the provider's JWKS (issue #3); until then it reports
/// `NotVerifiedYet` and the UI says so. Nothing here pretends to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    NotVerifiedYet,
}

pub struct IdTokenExpectations<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a Nonce,
    /// Seconds since the epoch, from the injected clock.
    pub now_secs: i64,
    pub skew_secs: i64,
}

#[derive(Debug, Clone)]
pub struct ValidatedIdToken {
    pub header: JoseHeader,
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    /// Every claim, for display.
    pub claims: Map<String, Value>,
    pub signature: SignatureStatus,
}

impl ValidatedIdToken {
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    Malformed(JwtError),
    MissingClaim(&'static str),
    InvalidClaim(&'static str),
    IssuerMismatch { expected: String, found: String },
    AudienceMismatch,
    MissingAzp,
    AzpMismatch,
    AlgorithmNotAllowed(String),
    Expired { exp: i64, now: i64 },
    IssuedInFuture { iat: i64, now: i64 },
    NonceMismatch,
}

pub fn validate_id_token(
    token: &IdToken,
    signature: SignatureStatus,
    expected: &IdTokenExpectations<'_>,
) -> Result<ValidatedIdToken, IdTokenError> {
    // 1. Encrypted ID tokens are not registered for, so a JWE is rejected by the decoder.
    let DecodedJws { header, claims, .. } = decode_jws(token.secret()).map_err(IdTokenError::Malformed)?;

    // 2. `iss` must exactly match the issuer from discovery.
    let iss = string_claim(&claims, "iss")?;
    if iss != expected.issuer {
        return Err(IdTokenError::IssuerMismatch {
            expected: expected.issuer.to_owned(),
            found: iss.to_owned(),
        });
    }

    // 3. `aud` must contain our client_id.
    let audiences = audiences(&claims)?;
    if !audiences.iter().any(|aud| aud == expected.client_id) {
        return Err(IdTokenError::AudienceMismatch);
    }

    // 4. With several audiences, `azp` must be present …
    let azp = claims.get("azp");
    if audiences.len() > 1 && azp.is_none() {
        return Err(IdTokenError::MissingAzp);
    }
    // 5. … and when present it must be our client_id.
    if let Some(azp) = azp {
        if azp.as_str() != Some(expected.client_id) {
            return Err(IdTokenError::AzpMismatch);
        }
    }

    // 6–8. The algorithm must be one we allow; the signature itself is checked by
    // the browser layer and reported through `signature` (see `SignatureStatus`).
    if !ALLOWED_ALGS.contains(&header.alg.as_str()) {
        return Err(IdTokenError::AlgorithmNotAllowed(header.alg));
    }

    // 9. The current time must be before `exp` (with the allowed skew).
    let exp = int_claim(&claims, "exp")?;
    if expected.now_secs >= exp.saturating_add(expected.skew_secs) {
        return Err(IdTokenError::Expired { exp, now: expected.now_secs });
    }

    // 10. `iat` must not be in the future beyond the skew.
    let iat = int_claim(&claims, "iat")?;
    if iat > expected.now_secs.saturating_add(expected.skew_secs) {
        return Err(IdTokenError::IssuedInFuture { iat, now: expected.now_secs });
    }

    // 11. `nonce` must equal the one sent in the authorization request.
    match claims.get("nonce").and_then(Value::as_str) {
        Some(nonce) if nonce == expected.nonce.secret() => {}
        _ => return Err(IdTokenError::NonceMismatch),
    }

    // 12–13. `acr` and `auth_time` are not requested, so there is nothing to check.

    // OIDC Core §2: `sub` is required, at most 255 ASCII characters.
    let sub = string_claim(&claims, "sub")?;
    if sub.is_empty() || sub.len() > 255 || !sub.is_ascii() {
        return Err(IdTokenError::InvalidClaim("sub"));
    }
    let sub = sub.to_owned();

    Ok(ValidatedIdToken { header, sub, exp, iat, claims, signature })
}

fn string_claim<'a>(claims: &'a Map<String, Value>, name: &'static str) -> Result<&'a str, IdTokenError> {
    match claims.get(name) {
        None => Err(IdTokenError::MissingClaim(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(IdTokenError::InvalidClaim(name)),
    }
}

fn int_claim(claims: &Map<String, Value>, name: &'static str) -> Result<i64, IdTokenError> {
    match claims.get(name) {
        None => Err(IdTokenError::MissingClaim(name)),
        // NumericDate may be fractional (RFC 7519 §2); whole seconds are enough here.
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .ok_or(IdTokenError::InvalidClaim(name)),
        Some(_) => Err(IdTokenError::InvalidClaim(name)),
    }
}

fn audiences(claims: &Map<String, Value>) -> Result<Vec<String>, IdTokenError> {
    match claims.get("aud") {
        None => Err(IdTokenError::MissingClaim("aud")),
        Some(Value::String(aud)) => Ok(vec![aud.clone()]),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or(IdTokenError::InvalidClaim("aud")))
            .collect(),
        Some(_) => Err(IdTokenError::InvalidClaim("aud")),
    }
}

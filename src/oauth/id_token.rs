//! ID token validation, numbered after OIDC Core §3.1.3.7.

use super::json::{Json, Object};

use super::jwks::SignatureAlgorithm;
use super::jwt::{decode_jws, DecodedJws, JoseHeader, JwtError};
use super::secret::{IdToken, Nonce};

pub const DEFAULT_CLOCK_SKEW_SECS: i64 = 60;

/// What checked the ID token's JWS signature: the algorithm and the JWKS key id.
/// Made by `crate::browser::crypto` only after `SubtleCrypto.verify` said yes;
/// the core cannot check RSA or ECDSA itself, so it takes this as the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    pub algorithm: SignatureAlgorithm,
    pub kid: Option<String>,
}

/// OIDC Core §3.1.3.7 steps 6–8 before any key is fetched: the header's `alg`
/// must be one Pixie verifies. Refuses `none` and HS* outright.
pub fn signing_algorithm(header: &JoseHeader) -> Result<SignatureAlgorithm, IdTokenError> {
    SignatureAlgorithm::from_jose(&header.alg)
        .ok_or_else(|| IdTokenError::AlgorithmNotAllowed(header.alg.clone()))
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
    pub claims: Object,
    pub signature: VerifiedSignature,
}

impl ValidatedIdToken {
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Json::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    Malformed(JwtError),
    MissingClaim(&'static str),
    InvalidClaim(&'static str),
    IssuerMismatch {
        expected: String,
        found: String,
    },
    AudienceMismatch,
    MissingAzp,
    AzpMismatch,
    AlgorithmNotAllowed(String),
    /// No JWKS key fits the header's `kid`/`alg`, even after one refetch.
    UnknownKey,
    /// No `kid`, and more than one key could have signed.
    AmbiguousKey,
    BadSignature,
    Expired {
        exp: i64,
        now: i64,
    },
    IssuedInFuture {
        iat: i64,
        now: i64,
    },
    NonceMismatch,
    /// A refreshed ID token names another user, audience or authentication (§12.2).
    RefreshChanged(&'static str),
}

/// What step 11 requires of `nonce`.
enum NonceRule<'a> {
    /// At login: exactly the nonce sent in the authorization request.
    Equals(&'a str),
    /// On refresh (§12.2): absent, or the same as in the original ID token.
    AbsentOrEquals(Option<&'a str>),
}

/// The ID token from the authorization-code exchange.
pub fn validate_id_token(
    token: &IdToken,
    signature: VerifiedSignature,
    expected: &IdTokenExpectations<'_>,
) -> Result<ValidatedIdToken, IdTokenError> {
    validate(token, signature, expected, NonceRule::Equals(expected.nonce.secret()))
}

/// An ID token returned by a refresh (OIDC Core §12.2): all of §3.1.3.7, and
/// the same `iss`, `sub`, `aud`, `azp` and `auth_time` as the original.
pub fn validate_refreshed_id_token(
    token: &IdToken,
    signature: VerifiedSignature,
    original: &ValidatedIdToken,
    client_id: &str,
    now_secs: i64,
    skew_secs: i64,
) -> Result<ValidatedIdToken, IdTokenError> {
    let issuer = original.claim_str("iss").ok_or(IdTokenError::MissingClaim("iss"))?;
    // The login nonce is not needed here: the rule below compares with the original token.
    let unused_nonce = Nonce::new("");
    let expected = IdTokenExpectations { issuer, client_id, nonce: &unused_nonce, now_secs, skew_secs };
    let refreshed =
        validate(token, signature, &expected, NonceRule::AbsentOrEquals(original.claim_str("nonce")))?;
    if refreshed.sub != original.sub {
        return Err(IdTokenError::RefreshChanged("sub"));
    }
    for claim in ["aud", "azp", "auth_time"] {
        let (before, after) = (original.claims.get(claim), refreshed.claims.get(claim));
        // auth_time may be absent from the new token; when present it must not move.
        let may_be_dropped = claim == "auth_time" && after.is_none();
        if before != after && !may_be_dropped {
            return Err(IdTokenError::RefreshChanged(claim));
        }
    }
    Ok(refreshed)
}

/// Rebuild a token that passed every check when it was received, from this
/// tab's own storage or another tab of the same session. Only decodes: its
/// `exp` may have passed since, which is normal for a long session.
pub fn restore_validated_id_token(
    token: &IdToken,
    signature: VerifiedSignature,
) -> Result<ValidatedIdToken, IdTokenError> {
    let DecodedJws { header, claims, .. } = decode_jws(token.secret()).map_err(IdTokenError::Malformed)?;
    let sub = string_claim(&claims, "sub")?.to_owned();
    let exp = int_claim(&claims, "exp")?;
    let iat = int_claim(&claims, "iat")?;
    Ok(ValidatedIdToken { header, sub, exp, iat, claims, signature })
}

fn validate(
    token: &IdToken,
    signature: VerifiedSignature,
    expected: &IdTokenExpectations<'_>,
    nonce_rule: NonceRule<'_>,
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

    // 6–8. The signature was verified with WebCrypto against the provider's JWKS
    // before this call (`signature` is the proof); it must be for this header's alg.
    if signing_algorithm(&header)? != signature.algorithm || header.kid != signature.kid {
        return Err(IdTokenError::BadSignature);
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
    let nonce = claims.get("nonce").and_then(Json::as_str);
    let nonce_ok = match nonce_rule {
        NonceRule::Equals(sent) => nonce == Some(sent),
        NonceRule::AbsentOrEquals(original) => nonce.is_none() || nonce == original,
    };
    if !nonce_ok {
        return Err(IdTokenError::NonceMismatch);
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

fn string_claim<'a>(claims: &'a Object, name: &'static str) -> Result<&'a str, IdTokenError> {
    match claims.get(name) {
        None => Err(IdTokenError::MissingClaim(name)),
        Some(Json::String(s)) => Ok(s),
        Some(_) => Err(IdTokenError::InvalidClaim(name)),
    }
}

fn int_claim(claims: &Object, name: &'static str) -> Result<i64, IdTokenError> {
    match claims.get(name) {
        None => Err(IdTokenError::MissingClaim(name)),
        // NumericDate may be fractional (RFC 7519 §2); whole seconds are enough here.
        Some(Json::Number(n)) => Ok(n.whole_part()),
        Some(_) => Err(IdTokenError::InvalidClaim(name)),
    }
}

fn audiences(claims: &Object) -> Result<Vec<String>, IdTokenError> {
    match claims.get("aud") {
        None => Err(IdTokenError::MissingClaim("aud")),
        Some(Json::String(aud)) => Ok(vec![aud.clone()]),
        Some(Json::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or(IdTokenError::InvalidClaim("aud")))
            .collect(),
        Some(_) => Err(IdTokenError::InvalidClaim("aud")),
    }
}

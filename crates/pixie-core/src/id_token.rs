//! ID token validation, numbered after OIDC Core §3.1.3.7.

use core::future::Future;

use crate::json::{Json, Object};

use crate::jwks::{Jwk, SignatureAlgorithm};
use crate::jwt::{decode_jws, DecodedJws, JoseHeader, JwtError};
use crate::secret::{IdToken, Nonce};

/// How far the device clock may be off when `exp` and `iat` are checked.
pub const DEFAULT_CLOCK_SKEW_SECS: i64 = 60;

/// The proof that an ID token's JWS signature verified: the algorithm and the
/// JWKS key id. Only [`verify_signature`] makes one, after the caller's
/// [`SignatureVerifier`] said yes (and a session restored from storage, which
/// held one); there is no other constructor, so the claim checks cannot be
/// reached with an unchecked signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    algorithm: SignatureAlgorithm,
    kid: Option<String>,
}

impl VerifiedSignature {
    /// The algorithm that verified.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    /// The `kid` of the key that verified, if the header named one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// A proof kept with a session that earned it when it was received.
    pub(crate) fn restored(algorithm: SignatureAlgorithm, kid: Option<String>) -> Self {
        Self { algorithm, kid }
    }
}

/// The cryptography behind a signature check, supplied by the caller: the
/// browser's WebCrypto in `pixie`. The core cannot check RSA or ECDSA itself.
pub trait SignatureVerifier {
    /// True only if `signature` is a valid `algorithm` signature over
    /// `signing_input` by `key`. Any failure (a key that will not import, an
    /// algorithm the platform lacks) must be `false`: fail closed.
    fn verify(
        &self,
        algorithm: SignatureAlgorithm,
        key: &Jwk,
        signing_input: &[u8],
        signature: &[u8],
    ) -> impl Future<Output = bool>;
}

/// OIDC Core §3.1.3.7 steps 6–8: check the JWS signature with `key` (chosen by
/// [`crate::jwks::select_key`]) through `verifier`. The signature's shape is
/// checked first (ES256 must be the raw 64-byte `r || s`).
pub async fn verify_signature(
    verifier: &impl SignatureVerifier,
    jws: &DecodedJws,
    key: &Jwk,
    algorithm: SignatureAlgorithm,
) -> Result<VerifiedSignature, IdTokenError> {
    if !algorithm.signature_length_ok(&jws.signature) {
        return Err(IdTokenError::BadSignature);
    }
    if verifier.verify(algorithm, key, jws.signing_input.as_bytes(), &jws.signature).await {
        Ok(VerifiedSignature { algorithm, kid: jws.header.kid.clone() })
    } else {
        Err(IdTokenError::BadSignature)
    }
}

/// OIDC Core §3.1.3.7 steps 6–8 before any key is fetched: the header's `alg`
/// must be one Pixie verifies. Refuses `none` and HS* outright.
pub fn signing_algorithm(header: &JoseHeader) -> Result<SignatureAlgorithm, IdTokenError> {
    SignatureAlgorithm::from_jose(&header.alg)
        .ok_or_else(|| IdTokenError::AlgorithmNotAllowed(header.alg.clone()))
}

/// What the ID token of a login must say.
pub struct IdTokenExpectations<'a> {
    /// The discovered issuer.
    pub issuer: &'a str,
    /// This client.
    pub client_id: &'a str,
    /// The nonce sent in the authorization request.
    pub nonce: &'a Nonce,
    /// Seconds since the epoch, from the injected clock.
    pub now_secs: i64,
    /// How far the clock may be off.
    pub skew_secs: i64,
}

/// An ID token that passed every check, with its claims.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidatedIdToken {
    /// The JOSE header.
    pub header: JoseHeader,
    /// The subject: who logged in.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Every claim, for display.
    pub claims: Object,
    /// How its signature was verified.
    pub signature: VerifiedSignature,
}

impl ValidatedIdToken {
    /// A string claim, e.g. `name` or `email`.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Json::as_str)
    }
}

/// Why an ID token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a compact JWS.
    Malformed(JwtError),
    /// A required claim is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong type or value.
    InvalidClaim(&'static str),
    /// Step 2: `iss` is not the discovered issuer.
    IssuerMismatch {
        /// The discovered issuer.
        expected: String,
        /// The token's `iss`.
        found: String,
    },
    /// Step 3: `aud` does not contain this client.
    AudienceMismatch,
    /// Step 4: several audiences and no `azp`.
    MissingAzp,
    /// Step 5: `azp` is not this client.
    AzpMismatch,
    /// Steps 6–8: an algorithm Pixie does not accept (`none`, HS*, …).
    AlgorithmNotAllowed(String),
    /// No JWKS key fits the header's `kid`/`alg`, even after one refetch.
    UnknownKey,
    /// No `kid`, and more than one key could have signed.
    AmbiguousKey,
    /// The signature does not verify.
    BadSignature,
    /// Step 9: past `exp`.
    Expired {
        /// The token's `exp`.
        exp: i64,
        /// The clock.
        now: i64,
    },
    /// Step 10: `iat` is in the future.
    IssuedInFuture {
        /// The token's `iat`.
        iat: i64,
        /// The clock.
        now: i64,
    },
    /// Step 11: not this login's nonce.
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
pub(crate) fn restore_validated_id_token(
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

//! ID token validation, numbered after OIDC Core §3.1.3.7.

use core::future::Future;

use crate::json::{Json, Object};

use crate::jwks::{Jwk, SignatureAlgorithm};
use crate::jwt::{decode_jws, DecodedJws, JoseHeader, JwtError};
use crate::presets::{entra_tenant_issuer, IssuerRule};
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
    /// How `iss` is compared with it: exactly, but for Entra ID's tenant template.
    pub issuer_rule: IssuerRule,
    /// This client.
    pub client_id: &'a str,
    /// The nonce sent in the authorization request.
    pub nonce: &'a Nonce,
    /// Seconds since the epoch, from the injected clock.
    pub now_secs: i64,
    /// How far the clock may be off.
    pub skew_secs: i64,
    /// The `max_age` sent, if any: `auth_time` must be no older (step 13).
    pub max_age: Option<u32>,
    /// The `acr_values` sent, if any (space-separated): `acr` must be one of them (step 12).
    pub acr_values: Option<&'a str>,
    /// A `prompt=none` resume must bring back this user (the `sub` before the reload).
    pub expected_sub: Option<&'a str>,
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
    /// RFC 7515 §4.1.11: the header marks extensions as critical, and Pixie understands none.
    UnsupportedCritical(Vec<String>),
    /// RFC 8725 §3.11: the header's `typ` says this is another kind of JWT (an access token, a logout token…).
    WrongType(String),
    /// Step 3: `aud` lists an audience besides this client, which Pixie does not trust.
    UntrustedAudience(String),
    /// RFC 7519 §4.1.5: not valid before `nbf`, which is in the future.
    NotYetValid {
        /// The token's `nbf`.
        nbf: i64,
        /// The clock.
        now: i64,
    },
    /// Step 12: `acr` values were requested and the token's `acr` is none of them.
    AcrNotSatisfied {
        /// The `acr_values` sent.
        requested: String,
        /// The token's `acr`, if any.
        found: Option<String>,
    },
    /// A resume after a reload found someone else signed in at the provider.
    DifferentUser,
    /// Step 13: `max_age` was requested and the authentication is older.
    AuthTooOld {
        /// The token's `auth_time`.
        auth_time: i64,
        /// The `max_age` sent.
        max_age: u32,
        /// The clock.
        now: i64,
    },
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
    // max_age and acr were checked at login; auth_time must not move (below).
    let expected = IdTokenExpectations {
        issuer,
        // The original's own `iss`, tenant included: the refreshed one must be the same.
        issuer_rule: IssuerRule::Exact,
        client_id,
        nonce: &unused_nonce,
        now_secs,
        skew_secs,
        max_age: None,
        acr_values: None,
        expected_sub: None,
    };
    let refreshed =
        validate(token, signature, &expected, NonceRule::AbsentOrEquals(original.claim_str("nonce")))?;
    same_as_original(&refreshed, original)?;
    Ok(refreshed)
}

/// OIDC Core §12.2: the same user, audience and authentication as the original.
fn same_as_original(refreshed: &ValidatedIdToken, original: &ValidatedIdToken) -> Result<(), IdTokenError> {
    if refreshed.sub != original.sub {
        return Err(IdTokenError::RefreshChanged("sub"));
    }
    // `aud` is compared as a set: "c" and ["c"] are the same audience.
    let set = |claims| {
        audiences(claims).map(|mut audiences| {
            audiences.sort_unstable();
            audiences.dedup();
            audiences
        })
    };
    if set(&original.claims)? != set(&refreshed.claims)? {
        return Err(IdTokenError::RefreshChanged("aud"));
    }
    for claim in ["azp", "auth_time"] {
        let (before, after) = (original.claims.get(claim), refreshed.claims.get(claim));
        // auth_time may be absent from the new token; when present it must not move.
        let may_be_dropped = claim == "auth_time" && after.is_none();
        if before != after && !may_be_dropped {
            return Err(IdTokenError::RefreshChanged(claim));
        }
    }
    Ok(())
}

/// Another tab's ID token for this tab's session (restored from its record,
/// so its signature proof is the record's): it must describe the same login
/// as this tab's, header and claims alike. Times are not checked: the other
/// tab checked them when the token arrived, and a session outlives its ID token.
pub fn same_login(
    candidate: &ValidatedIdToken,
    original: &ValidatedIdToken,
    client_id: &str,
) -> Result<(), IdTokenError> {
    check_header(&candidate.header)?;
    let issuer = original.claim_str("iss").ok_or(IdTokenError::MissingClaim("iss"))?;
    match candidate.claim_str("iss") {
        Some(iss) if iss == issuer => {}
        found => {
            return Err(IdTokenError::IssuerMismatch {
                expected: issuer.to_owned(),
                found: found.unwrap_or_default().to_owned(),
            })
        }
    }
    check_audience(&candidate.claims, client_id)?;
    let nonce = candidate.claim_str("nonce");
    if nonce.is_some() && nonce != original.claim_str("nonce") {
        return Err(IdTokenError::NonceMismatch);
    }
    same_as_original(candidate, original)
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

    check_header(&header)?;

    // 2. `iss` must exactly match the issuer from discovery.
    let iss = string_claim(&claims, "iss")?;
    let issuer_ok = match expected.issuer_rule {
        IssuerRule::Exact => iss == expected.issuer,
        // The signature was verified before this call, so `tid` is the provider's word.
        IssuerRule::EntraTenant => entra_tenant_issuer(expected.issuer, &claims).is_some_and(|i| i == iss),
    };
    if !issuer_ok {
        return Err(IdTokenError::IssuerMismatch {
            expected: expected.issuer.to_owned(),
            found: iss.to_owned(),
        });
    }

    // 3–5. The audience is this client alone, and `azp`, if present, too.
    check_audience(&claims, expected.client_id)?;

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
    // RFC 7519 §4.1.5: nor may `nbf`, when the provider sends one.
    if claims.get("nbf").is_some() {
        let nbf = int_claim(&claims, "nbf")?;
        if nbf > expected.now_secs.saturating_add(expected.skew_secs) {
            return Err(IdTokenError::NotYetValid { nbf, now: expected.now_secs });
        }
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

    // 12. When `acr_values` were requested, `acr` must be one of them.
    if let Some(requested) = expected.acr_values {
        let acr = claims.get("acr").and_then(Json::as_str);
        if !acr.is_some_and(|acr| requested.split(' ').any(|value| value == acr)) {
            return Err(IdTokenError::AcrNotSatisfied {
                requested: requested.to_owned(),
                found: acr.map(str::to_owned),
            });
        }
    }

    // 13. When `max_age` was requested, `auth_time` must be present and recent enough.
    if let Some(max_age) = expected.max_age {
        let auth_time = int_claim(&claims, "auth_time")?;
        let oldest = expected.now_secs.saturating_sub(i64::from(max_age)).saturating_sub(expected.skew_secs);
        if auth_time < oldest {
            return Err(IdTokenError::AuthTooOld { auth_time, max_age, now: expected.now_secs });
        }
    }

    // OIDC Core §2: `sub` is required, at most 255 ASCII characters.
    let sub = string_claim(&claims, "sub")?;
    if sub.is_empty() || sub.len() > 255 || !sub.is_ascii() {
        return Err(IdTokenError::InvalidClaim("sub"));
    }
    let sub = sub.to_owned();
    if expected.expected_sub.is_some_and(|previous| previous != sub) {
        return Err(IdTokenError::DifferentUser);
    }

    Ok(ValidatedIdToken { header, sub, exp, iat, claims, signature })
}

fn check_header(header: &JoseHeader) -> Result<(), IdTokenError> {
    // RFC 7515 §4.1.11: an extension marked critical must be understood; Pixie understands none.
    if let Some(critical) = &header.crit {
        return Err(IdTokenError::UnsupportedCritical(critical.clone()));
    }
    // RFC 8725 §3.11: explicit typing keeps other JWTs (`at+jwt`, `logout+jwt`, …) from passing as ID tokens.
    if let Some(typ) = header.typ.as_deref() {
        let typ_ok = typ.eq_ignore_ascii_case("JWT") || typ.eq_ignore_ascii_case("application/jwt");
        if !typ_ok {
            return Err(IdTokenError::WrongType(typ.to_owned()));
        }
    }
    Ok(())
}

fn check_audience(claims: &Object, client_id: &str) -> Result<(), IdTokenError> {
    // 3. `aud` must contain our client_id, and no audience Pixie does not trust (any other).
    let audiences = audiences(claims)?;
    if !audiences.iter().any(|aud| aud == client_id) {
        return Err(IdTokenError::AudienceMismatch);
    }
    if let Some(other) = audiences.iter().find(|aud| *aud != client_id) {
        return Err(IdTokenError::UntrustedAudience(other.clone()));
    }

    // 4. With several audiences, `azp` must be present …
    let azp = claims.get("azp");
    if audiences.len() > 1 && azp.is_none() {
        return Err(IdTokenError::MissingAzp);
    }
    // 5. … and when present it must be our client_id.
    if let Some(azp) = azp {
        if azp.as_str() != Some(client_id) {
            return Err(IdTokenError::AzpMismatch);
        }
    }

    Ok(())
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

//! JSON Web Key Sets (RFC 7517) and choosing the key that must have signed a JWS.
//! The signature itself is checked by the caller's [`crate::id_token::SignatureVerifier`].

use crate::http::{HttpRequest, HttpResponse};
use crate::json::{FieldError, Json};
use crate::jwt::JoseHeader;

/// The algorithms Pixie verifies. `none` and every HS* are absent on purpose:
/// a public client has no shared secret to check an HMAC with (RFC 8725 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl SignatureAlgorithm {
    /// From the JOSE `alg` name; `None` for anything not accepted.
    pub fn from_jose(alg: &str) -> Option<Self> {
        match alg {
            "RS256" => Some(Self::Rs256),
            "PS256" => Some(Self::Ps256),
            "ES256" => Some(Self::Es256),
            "EdDSA" => Some(Self::EdDsa),
            _ => None,
        }
    }

    /// The JOSE `alg` name.
    pub fn jose_name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Ps256 => "PS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
        }
    }

    fn key_type(self) -> &'static str {
        match self {
            Self::Rs256 | Self::Ps256 => "RSA",
            Self::Es256 => "EC",
            Self::EdDsa => "OKP",
        }
    }

    fn curve(self) -> Option<&'static str> {
        match self {
            Self::Es256 => Some("P-256"),
            Self::EdDsa => Some("Ed25519"),
            Self::Rs256 | Self::Ps256 => None,
        }
    }

    /// The WebCrypto algorithm, as plain data: (name, hash, namedCurve, saltLength).
    pub fn webcrypto(self) -> WebCryptoAlgorithm {
        match self {
            Self::Rs256 => WebCryptoAlgorithm {
                name: "RSASSA-PKCS1-v1_5",
                hash: Some("SHA-256"),
                named_curve: None,
                salt_length: None,
            },
            // RFC 7518 §3.5: the salt is as long as the hash.
            Self::Ps256 => WebCryptoAlgorithm {
                name: "RSA-PSS",
                hash: Some("SHA-256"),
                named_curve: None,
                salt_length: Some(32),
            },
            Self::Es256 => WebCryptoAlgorithm {
                name: "ECDSA",
                hash: Some("SHA-256"),
                named_curve: Some("P-256"),
                salt_length: None,
            },
            Self::EdDsa => {
                WebCryptoAlgorithm { name: "Ed25519", hash: None, named_curve: None, salt_length: None }
            }
        }
    }

    /// JWS signatures have a fixed shape per algorithm. ES256 is the raw
    /// `r || s` (RFC 7518 §3.4), which is what WebCrypto's ECDSA expects; a
    /// DER-encoded signature is a different length and is refused here.
    pub fn signature_length_ok(self, signature: &[u8]) -> bool {
        match self {
            Self::Es256 | Self::EdDsa => signature.len() == 64,
            Self::Rs256 | Self::Ps256 => signature.len() >= 256,
        }
    }
}

/// A WebCrypto algorithm's parameters, as plain data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebCryptoAlgorithm {
    /// `name`, e.g. `RSASSA-PKCS1-v1_5`.
    pub name: &'static str,
    /// `hash`, e.g. `SHA-256`.
    pub hash: Option<&'static str>,
    /// `namedCurve`, for ECDSA.
    pub named_curve: Option<&'static str>,
    /// `saltLength`, for RSA-PSS.
    pub salt_length: Option<u32>,
}

/// A public JSON Web Key (RFC 7517 §4), only the members Pixie reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jwk {
    /// Key type: `RSA`, `EC` or `OKP`.
    pub kty: String,
    /// Key id.
    pub kid: Option<String>,
    /// The algorithm the key is for, if stated.
    pub alg: Option<String>,
    /// `use`
    pub use_: Option<String>,
    /// `key_ops`
    pub key_ops: Option<Vec<String>>,
    /// Curve, for EC and OKP keys.
    pub crv: Option<String>,
    /// RSA modulus.
    pub n: Option<String>,
    /// RSA exponent.
    pub e: Option<String>,
    /// EC or OKP x coordinate.
    pub x: Option<String>,
    /// EC y coordinate.
    pub y: Option<String>,
}

impl Jwk {
    fn from_json(key: &Json) -> Result<Self, FieldError> {
        let key = key
            .as_object()
            .ok_or_else(|| FieldError { field: "keys".to_owned(), problem: "must hold objects" })?;
        Ok(Self {
            kty: key.str("kty")?.to_owned(),
            kid: key.opt_string("kid")?,
            alg: key.opt_string("alg")?,
            use_: key.opt_string("use")?,
            key_ops: key.opt_strings("key_ops")?,
            crv: key.opt_string("crv")?,
            n: key.opt_string("n")?,
            e: key.opt_string("e")?,
            x: key.opt_string("x")?,
            y: key.opt_string("y")?,
        })
    }

    /// Only the public members, so a provider that publishes a private key by
    /// mistake (`d`, `p`, …) cannot make us import it.
    pub fn public_members(&self) -> Vec<(&'static str, &str)> {
        let mut members = vec![("kty", self.kty.as_str())];
        let optional = [("crv", &self.crv), ("n", &self.n), ("e", &self.e), ("x", &self.x), ("y", &self.y)];
        members.extend(optional.into_iter().filter_map(|(name, value)| value.as_deref().map(|v| (name, v))));
        members
    }

    fn can_verify(&self, algorithm: SignatureAlgorithm) -> bool {
        self.kty == algorithm.key_type()
            && self.crv.as_deref() == algorithm.curve()
            && self.use_.as_deref().is_none_or(|u| u == "sig")
            && self.key_ops.as_ref().is_none_or(|ops| ops.iter().any(|op| op == "verify"))
            && self.alg.as_deref().is_none_or(|alg| alg == algorithm.jose_name())
            && match self.kty.as_str() {
                "RSA" => self.n.is_some() && self.e.is_some(),
                "EC" => self.x.is_some() && self.y.is_some(),
                _ => self.x.is_some(),
            }
    }
}

/// A JSON Web Key Set (RFC 7517 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwkSet {
    /// Its keys, in document order.
    pub keys: Vec<Jwk>,
}

/// Why a key set was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwksError {
    /// Not a 200.
    Http {
        /// The status received.
        status: u16,
    },
    /// Not JSON.
    NotJson,
    /// JSON, but not a key set.
    Invalid(String),
}

/// The request for the provider's key set.
pub fn jwks_request(jwks_uri: &str) -> HttpRequest {
    HttpRequest::get_json(jwks_uri)
}

/// The key set response: a 200 with `application/json` (or `application/jwk-set+json`) and a `keys` array.
pub fn parse_jwks_response(response: &HttpResponse) -> Result<JwkSet, JwksError> {
    if response.status != 200 {
        return Err(JwksError::Http { status: response.status });
    }
    // RFC 7517 §8.5 registers application/jwk-set+json; plain JSON is common.
    if !response.is_json() && !response.has_media_type("application/jwk-set+json") {
        return Err(JwksError::NotJson);
    }
    let invalid = |e: &dyn core::fmt::Display| JwksError::Invalid(e.to_string());
    let document = Json::parse_object(&response.body).map_err(|e| invalid(&e))?;
    let keys =
        document.opt_array("keys").map_err(|e| invalid(&e))?.ok_or_else(|| invalid(&"`keys` is missing"))?;
    let keys = keys.iter().map(Jwk::from_json).collect::<Result<_, _>>().map_err(|e| invalid(&e))?;
    Ok(JwkSet { keys })
}

/// Why no key was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySelectionError {
    /// No key fits: after a refetch (key rotation) this is final.
    NoMatchingKey,
    /// No `kid` and several keys fit, so the choice would be a guess.
    Ambiguous,
}

/// RFC 7515 §6: pick by `kid` (and the key type, curve and `alg` the algorithm
/// needs). Without a `kid`, only an unambiguous single candidate is used.
pub fn select_key<'a>(
    jwks: &'a JwkSet,
    header: &JoseHeader,
    algorithm: SignatureAlgorithm,
) -> Result<&'a Jwk, KeySelectionError> {
    let mut candidates = jwks
        .keys
        .iter()
        .filter(|key| key.can_verify(algorithm))
        .filter(|key| header.kid.is_none() || key.kid == header.kid);
    let first = candidates.next().ok_or(KeySelectionError::NoMatchingKey)?;
    if candidates.next().is_some() {
        return Err(KeySelectionError::Ambiguous);
    }
    Ok(first)
}

//! DPoP (RFC 9449): proofs of possession that bind the tokens to a key pair
//! the page can use but never read. The core builds and checks everything
//! but the signature, which the caller makes with WebCrypto (ECDSA P-256,
//! `extractable: false`); it also keeps the servers' nonces and decides when a
//! request must be sent again with one.

use sha2::{Digest, Sha256};

use crate::config::{ClientConfig, DpopMode, TokenStorage};
use crate::discovery::ProviderMetadata;
use crate::encoding::{base64url, base64url_decode, HttpUrl};
use crate::http::{HttpRequest, HttpResponse};
use crate::json::{Json, Object};
use crate::secret::AccessToken;

/// The only algorithm Pixie signs proofs with: ECDSA on P-256 with SHA-256.
pub const DPOP_ALG: &str = "ES256";

/// The proof's media type (RFC 9449 §4.2).
pub const DPOP_TYP: &str = "dpop+jwt";

/// The public half of a DPoP key: an EC P-256 JWK's coordinates (base64url).
/// The private half stays in the browser as a non-extractable `CryptoKey`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DpopPublicKey {
    /// `x`
    pub x: String,
    /// `y`
    pub y: String,
}

impl DpopPublicKey {
    /// The public JWK, as it goes in a proof's header: `kty`, `crv`, `x`, `y` only.
    pub fn jwk(&self) -> Object {
        Object::new()
            .with("kty", "EC")
            .with("crv", "P-256")
            .with("x", self.x.as_str())
            .with("y", self.y.as_str())
    }

    /// RFC 7638: the SHA-256 thumbprint of the required members in
    /// lexicographic order, no white space; base64url. It is `dpop_jkt` in the
    /// authorization request and `cnf.jkt` in a bound token.
    pub fn thumbprint(&self) -> String {
        let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#, self.x, self.y);
        base64url(&Sha256::digest(canonical.as_bytes()))
    }

    /// Read `x` and `y` from an exported public JWK; `None` unless it is an EC P-256 key.
    pub fn from_jwk(jwk: &Object) -> Option<Self> {
        let ok = jwk.str("kty").ok()? == "EC" && jwk.str("crv").ok()? == "P-256";
        let coordinate = |name| {
            let value = jwk.str(name).ok()?;
            (base64url_decode(value)?.len() == 32).then(|| value.to_owned())
        };
        ok.then_some(())?;
        Some(Self { x: coordinate("x")?, y: coordinate("y")? })
    }
}

/// RFC 9449 §4.2 `ath`: base64url(SHA-256(access token)), binding a resource
/// request's proof to the token it goes with.
pub fn access_token_hash(access_token: &AccessToken) -> String {
    base64url(&Sha256::digest(access_token.secret().as_bytes()))
}

/// RFC 9449 §4.2 `htu`: the request's URL without query and fragment.
pub fn htu(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    url[..end].to_owned()
}

/// Everything a proof says, before it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofClaims {
    /// A unique id for this proof (from injected randomness).
    pub jti: String,
    /// The request's method.
    pub htm: String,
    /// The request's URL, without query and fragment.
    pub htu: String,
    /// When it was made (seconds since the epoch).
    pub iat: i64,
    /// The server's nonce, when it asked for one.
    pub nonce: Option<String>,
    /// The access token's hash, on resource requests.
    pub ath: Option<String>,
}

/// A proof ready for the signature: the JWS signing input
/// `BASE64URL(header) || '.' || BASE64URL(claims)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedProof {
    /// The bytes to sign with ECDSA P-256 / SHA-256.
    pub signing_input: String,
}

impl UnsignedProof {
    /// The compact JWS, with the raw 64-byte `r || s` signature WebCrypto returns.
    pub fn signed(self, signature: &[u8]) -> Option<String> {
        (signature.len() == 64).then(|| format!("{}.{}", self.signing_input, base64url(signature)))
    }
}

/// Build the proof for `request` (RFC 9449 §4.2): header `typ: dpop+jwt`,
/// `alg: ES256` and the public `jwk`; claims `jti`, `htm`, `htu`, `iat`, and
/// `nonce` and `ath` when given.
pub fn proof(key: &DpopPublicKey, claims: &ProofClaims) -> UnsignedProof {
    let header = Object::new().with("typ", DPOP_TYP).with("alg", DPOP_ALG).with("jwk", key.jwk());
    let mut body = Object::new()
        .with("jti", claims.jti.as_str())
        .with("htm", claims.htm.as_str())
        .with("htu", claims.htu.as_str())
        .with("iat", claims.iat);
    if let Some(nonce) = &claims.nonce {
        body.insert("nonce", nonce.as_str());
    }
    if let Some(ath) = &claims.ath {
        body.insert("ath", ath.as_str());
    }
    let signing_input = format!(
        "{}.{}",
        base64url(header.to_json_string().as_bytes()),
        base64url(body.to_json_string().as_bytes())
    );
    UnsignedProof { signing_input }
}

/// The claims for a proof of `request` at `now_secs`, with a fresh `jti` from
/// 16 random bytes, the origin's nonce, and `ath` for `access_token`.
pub fn proof_claims(
    request: &HttpRequest,
    jti_bytes: [u8; 16],
    now_secs: i64,
    nonce: Option<&str>,
    access_token: Option<&AccessToken>,
) -> ProofClaims {
    ProofClaims {
        jti: base64url(&jti_bytes),
        htm: request.method.to_owned(),
        htu: htu(&request.url),
        iat: now_secs,
        nonce: nonce.map(str::to_owned),
        ath: access_token.map(access_token_hash),
    }
}

/// A decoded proof, for the walkthrough (and tests): its header and claims.
/// There is no private key anywhere in it: a proof carries only the public JWK.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedProof {
    /// The JOSE header.
    pub header: Object,
    /// The claims.
    pub claims: Object,
}

/// Read a proof back (never trusted: Pixie only reads its own, to show them).
pub fn decode_proof(proof: &str) -> Option<DecodedProof> {
    let mut parts = proof.split('.');
    let (header, claims, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || base64url_decode(signature)?.len() != 64 {
        return None;
    }
    let object = |part: &str| match Json::parse_bytes(&base64url_decode(part)?).ok()? {
        Json::Object(object) => Some(object),
        _ => None,
    };
    Some(DecodedProof { header: object(header)?, claims: object(claims)? })
}

/// Whether this login uses DPoP, from the configuration and what the provider
/// supports (`dpop_signing_alg_values_supported` listing ES256).
pub fn use_dpop(config: &ClientConfig, metadata: &ProviderMetadata) -> Result<bool, DpopError> {
    let supported = metadata
        .dpop_signing_alg_values_supported
        .as_ref()
        .is_some_and(|algs| algs.iter().any(|a| a == DPOP_ALG));
    match config.dpop {
        DpopMode::Off => Ok(false),
        DpopMode::Auto => Ok(supported),
        DpopMode::Required if supported => Ok(true),
        DpopMode::Required => Err(DpopError::Unsupported),
    }
}

/// Whether the key is kept across page loads (IndexedDB, as a `CryptoKey`):
/// with `token_storage: "session"`, so reloads and the session's tabs can
/// use the tokens. In memory mode it lives in memory only, made at the
/// callback; the code is then bound by PKCE alone, not also by `dpop_jkt`.
pub fn key_persists(config: &ClientConfig) -> bool {
    config.token_storage == TokenStorage::Session
}

/// What went wrong with DPoP.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopError {
    /// `"dpop": "required"`, and the provider does not list ES256 in `dpop_signing_alg_values_supported`.
    Unsupported,
    /// `"dpop": "required"`, and the provider answered with a token that is not DPoP-bound.
    NotBound {
        /// The `token_type` it sent.
        token_type: String,
    },
    /// The browser could not make, keep or use the key (no WebCrypto, no IndexedDB, …).
    Key(String),
}

/// What the token type says about the binding, once a proof was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenBinding {
    /// `token_type: DPoP`: use `Authorization: DPoP <token>` and a proof with every call.
    Dpop,
    /// `token_type: Bearer`: the provider did not bind it (allowed with `"dpop": "auto"`).
    Bearer,
}

/// RFC 9449 §5: a response to a request with a proof must say `DPoP`; a
/// `Bearer` answer is accepted only when DPoP is not required.
pub fn token_binding(token_type: &str, proof_sent: bool, mode: DpopMode) -> Result<TokenBinding, DpopError> {
    if token_type.eq_ignore_ascii_case("dpop") {
        return Ok(TokenBinding::Dpop);
    }
    if proof_sent && mode == DpopMode::Required {
        return Err(DpopError::NotBound { token_type: token_type.to_owned() });
    }
    Ok(TokenBinding::Bearer)
}

/// The servers' DPoP nonces, one per origin, updated from every response (RFC 9449 §8, §9).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nonces(Vec<(String, String)>);

impl Nonces {
    /// The nonce to send to `url`'s origin, if it gave one.
    pub fn for_url(&self, url: &str) -> Option<&str> {
        let origin = HttpUrl::parse(url)?.origin();
        self.0.iter().find(|(o, _)| *o == origin).map(|(_, nonce)| nonce.as_str())
    }

    /// Keep the `DPoP-Nonce` a response from `url` carried (the newest wins).
    pub fn update(&mut self, url: &str, response: &HttpResponse) {
        let (Some(origin), Some(nonce)) =
            (HttpUrl::parse(url).map(|u| u.origin()), response.header("dpop-nonce"))
        else {
            return;
        };
        // RFC 9449 §8: NQCHAR, at least one.
        let valid = !nonce.is_empty() && nonce.bytes().all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e));
        if !valid {
            return;
        }
        match self.0.iter_mut().find(|(o, _)| *o == origin) {
            Some(entry) => entry.1 = nonce.to_owned(),
            None => self.0.push((origin, nonce.to_owned())),
        }
    }
}

/// The server asks for (another) nonce: a token endpoint's 400 with
/// `error: use_dpop_nonce` (§8), or a resource's 401 whose `WWW-Authenticate`
/// says `DPoP error="use_dpop_nonce"` (§9). The request is sent once more.
pub fn asks_for_nonce(response: &HttpResponse) -> bool {
    match response.status {
        400 => Json::parse_object(&response.body)
            .ok()
            .is_some_and(|body| body.str("error").ok() == Some("use_dpop_nonce")),
        401 => response.header("www-authenticate").is_some_and(|challenge| {
            // Bytes, not a str slice: the header may hold any UTF-8 (cutting it could panic).
            let challenge = challenge.trim_start();
            challenge.as_bytes().get(..5).is_some_and(|scheme| scheme[..4].eq_ignore_ascii_case(b"dpop"))
                && challenge.contains("error=\"use_dpop_nonce\"")
        }),
        _ => false,
    }
}

/// `request` with its proof in the `DPoP` header (and, for a bound access
/// token, `Authorization: DPoP <token>` instead of Bearer).
pub fn with_proof(
    mut request: HttpRequest,
    proof: String,
    access_token: Option<&AccessToken>,
) -> HttpRequest {
    request.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("dpop"));
    if let Some(token) = access_token {
        request.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("authorization"));
        request.headers.push(("Authorization", format!("DPoP {}", token.secret())));
    }
    request.headers.push(("DPoP", proof));
    request
}

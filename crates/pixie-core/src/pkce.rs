//! PKCE with S256 (RFC 7636). `plain` is never offered (RFC 9700 §2.1.1).

use sha2::{Digest, Sha256};

use crate::encoding::base64url;
use crate::secret::{CodeVerifier, Nonce, State};

/// 32 random bytes, injected so tests are deterministic and the core stays IO-free.
pub type RandomBytes = [u8; 32];

/// The verifier and the challenge sent in its place, made together so they cannot drift.
#[derive(Debug)]
pub struct PkcePair {
    /// Kept in the tab; sent only with the code.
    pub verifier: CodeVerifier,
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization request.
    pub challenge: String,
}

impl PkcePair {
    /// RFC 7636 §4.1: 32 octets → 43 base64url characters.
    pub fn from_random(bytes: RandomBytes) -> Self {
        let verifier = CodeVerifier::new(base64url(&bytes));
        let challenge = s256_challenge(&verifier);
        Self { verifier, challenge }
    }
}

/// RFC 7636 §4.2: `BASE64URL(SHA256(ASCII(code_verifier)))`.
pub fn s256_challenge(verifier: &CodeVerifier) -> String {
    base64url(&Sha256::digest(verifier.secret().as_bytes()))
}

/// RFC 7636 §4.1 syntax: 43–128 unreserved characters. Used to reject a
/// tampered or truncated verifier read back from storage.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// A `state` value from 32 random bytes.
pub fn state_from_random(bytes: RandomBytes) -> State {
    State::new(base64url(&bytes))
}

/// A `nonce` value from 32 random bytes.
pub fn nonce_from_random(bytes: RandomBytes) -> Nonce {
    Nonce::new(base64url(&bytes))
}

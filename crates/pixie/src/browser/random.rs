//! Randomness from `crypto.getRandomValues`, via getrandom.

use pixie_core::authorize::LoginRandomness;
use pixie_core::pkce::RandomBytes;

fn random_bytes() -> Result<RandomBytes, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

pub(crate) fn login_randomness() -> Result<LoginRandomness, getrandom::Error> {
    Ok(LoginRandomness { verifier: random_bytes()?, state: random_bytes()?, nonce: random_bytes()? })
}

pub(crate) fn state_bytes() -> Result<RandomBytes, getrandom::Error> {
    random_bytes()
}

/// A random id for a session, shared by its tabs. Not a credential.
pub(crate) fn session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(pixie_core::encoding::base64url(&bytes))
}

/// 16 random bytes for a DPoP proof's `jti`.
pub(crate) fn jti() -> Result<[u8; 16], getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

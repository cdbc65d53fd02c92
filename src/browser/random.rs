//! Randomness from `crypto.getRandomValues`, via getrandom.

use crate::oauth::authorize::LoginRandomness;
use crate::oauth::pkce::RandomBytes;

fn random_bytes() -> Result<RandomBytes, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes)
}

pub fn login_randomness() -> Result<LoginRandomness, getrandom::Error> {
    Ok(LoginRandomness { verifier: random_bytes()?, state: random_bytes()?, nonce: random_bytes()? })
}

/// A random id for a session, shared by its tabs. Not a credential.
pub fn session_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(crate::oauth::encoding::base64url(&bytes))
}

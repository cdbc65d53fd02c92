//! A signed-in session as JSON: for `token_storage: "session"` and for handing
//! refreshed tokens to other tabs of the same session.

use serde::{Deserialize, Serialize};

use super::id_token::VerifiedSignature;
use super::jwks::SignatureAlgorithm;
use super::secret::{AccessToken, IdToken, RefreshToken};

/// sessionStorage key of the record (token_storage = "session" only).
pub const SESSION_KEY: &str = "pixie.session";
/// sessionStorage key that says "this tab was signed in" (memory mode), so a reload can resume.
pub const RESUME_HINT_KEY: &str = "pixie.resume";

pub struct SessionRecord {
    /// Random, names the session across tabs; not a credential.
    pub session_id: String,
    /// Counts refreshes, so a tab can tell newer tokens from older ones.
    pub generation: u32,
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: IdToken,
    pub signature: VerifiedSignature,
    pub received_at_ms: f64,
    pub expires_at_ms: Option<f64>,
    pub scope: Option<String>,
}

impl core::fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("session_id", &self.session_id)
            .field("generation", &self.generation)
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("id_token", &self.id_token)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    v: u8,
    session_id: String,
    generation: u32,
    access_token: String,
    refresh_token: Option<String>,
    id_token: String,
    alg: String,
    kid: Option<String>,
    received_at_ms: f64,
    expires_at_ms: Option<f64>,
    scope: Option<String>,
}

const VERSION: u8 = 1;

impl SessionRecord {
    pub fn to_json(&self) -> String {
        let stored = Stored {
            v: VERSION,
            session_id: self.session_id.clone(),
            generation: self.generation,
            access_token: self.access_token.secret().to_owned(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.secret().to_owned()),
            id_token: self.id_token.secret().to_owned(),
            alg: self.signature.algorithm.jose_name().to_owned(),
            kid: self.signature.kid.clone(),
            received_at_ms: self.received_at_ms,
            expires_at_ms: self.expires_at_ms,
            scope: self.scope.clone(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// `None` for anything malformed: storage and messages are outside our control.
    pub fn from_json(json: &str) -> Option<Self> {
        let stored: Stored = serde_json::from_str(json).ok()?;
        if stored.v != VERSION || stored.access_token.is_empty() {
            return None;
        }
        Some(Self {
            session_id: stored.session_id,
            generation: stored.generation,
            access_token: AccessToken::new(stored.access_token),
            refresh_token: stored.refresh_token.map(RefreshToken::new),
            id_token: IdToken::new(stored.id_token),
            signature: VerifiedSignature {
                algorithm: SignatureAlgorithm::from_jose(&stored.alg)?,
                kid: stored.kid,
            },
            received_at_ms: stored.received_at_ms,
            expires_at_ms: stored.expires_at_ms,
            scope: stored.scope,
        })
    }
}

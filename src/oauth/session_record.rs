//! A signed-in session as JSON: for `token_storage: "session"` and for handing
//! refreshed tokens to other tabs of the same session.

use super::id_token::VerifiedSignature;
use super::json::{Json, Object};
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

const VERSION: u8 = 1;

impl SessionRecord {
    pub fn to_json(&self) -> String {
        Object::new()
            .with("v", u64::from(VERSION))
            .with("session_id", self.session_id.as_str())
            .with("generation", u64::from(self.generation))
            .with("access_token", self.access_token.secret())
            .with("refresh_token", self.refresh_token.as_ref().map(|t| t.secret()))
            .with("id_token", self.id_token.secret())
            .with("alg", self.signature.algorithm.jose_name())
            .with("kid", self.signature.kid.as_deref())
            .with("received_at_ms", Json::millis(self.received_at_ms))
            .with("expires_at_ms", self.expires_at_ms.map(Json::millis))
            .with("scope", self.scope.as_deref())
            .to_json_string()
    }

    /// `None` for anything malformed: storage and messages are outside our control.
    pub fn from_json(json: &str) -> Option<Self> {
        let stored = Json::parse_object(json).ok()?;
        let access_token = stored.str("access_token").ok()?;
        if stored.opt_u64("v").ok()? != Some(u64::from(VERSION)) || access_token.is_empty() {
            return None;
        }
        Some(Self {
            session_id: stored.str("session_id").ok()?.to_owned(),
            generation: u32::try_from(stored.opt_u64("generation").ok()??).ok()?,
            access_token: AccessToken::new(access_token.to_owned()),
            refresh_token: stored.opt_string("refresh_token").ok()?.map(RefreshToken::new),
            id_token: IdToken::new(stored.str("id_token").ok()?.to_owned()),
            signature: VerifiedSignature {
                algorithm: SignatureAlgorithm::from_jose(stored.str("alg").ok()?)?,
                kid: stored.opt_string("kid").ok()?,
            },
            received_at_ms: stored.opt_millis("received_at_ms").ok()??,
            expires_at_ms: stored.opt_millis("expires_at_ms").ok()?,
            scope: stored.opt_string("scope").ok()?,
        })
    }
}

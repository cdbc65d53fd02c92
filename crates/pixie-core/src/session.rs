//! A signed-in session, and the decisions about it: whether a failed refresh
//! ends it, whether another tab's tokens replace this tab's, and what tabs
//! tell each other. The browser layer stores, sends and schedules; it decides
//! nothing here.

use crate::error::AuthError;
use crate::id_token::{restore_validated_id_token, same_login, ValidatedIdToken, VerifiedSignature};
use crate::json::{Json, Object};
use crate::jwks::SignatureAlgorithm;
use crate::refresh::retry_delay_ms;
use crate::secret::{AccessToken, IdToken, RefreshToken};
use crate::token::{OAuthErrorCode, TokenError};

/// Storage key name (after the app's prefix) of the stored session (`token_storage: "session"` only).
pub const SESSION_NAME: &str = "session";
/// Storage key name of the marker that says "this tab was signed in" (memory mode), so a reload can resume.
pub const RESUME_HINT_NAME: &str = "resume";
/// localStorage key name (after the prefix) of the logout tombstone: when Log
/// out was last pressed in any tab of the origin. Not a secret.
pub const LOGGED_OUT_AT_NAME: &str = "logged-out-at";
/// localStorage key name start (after the prefix) of a session's marker:
/// `generation.<session id>`. Not a secret.
pub const MARKER_NAME_PREFIX: &str = "generation.";
/// How far ahead of this tab another tab's session may claim to be: a
/// message that says more is not believed (a generation of `u32::MAX` would
/// otherwise make this tab ignore every later refresh).
pub const MAX_GENERATION_STEP: u32 = 1024;

/// A signed-in session: the tokens, and who they are for. Tokens live here, in
/// memory (and, with `token_storage: "session"`, also in this tab's
/// sessionStorage, as [`Session::to_json`] writes it).
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Random; names the session across the tabs that share it. Not a credential.
    pub id: String,
    /// 0 at login, +1 per refresh: tells newer tokens from older ones across tabs.
    pub generation: u32,
    /// The issuer the tokens came from; a session for another provider is refused.
    pub issuer: String,
    /// The client the tokens were issued to.
    pub client_id: String,
    /// When the person signed in (ms since the epoch); kept across refreshes.
    pub signed_in_at_ms: f64,
    /// When the tokens arrived (ms since the epoch, by this device's clock).
    pub received_at_ms: f64,
    /// The access token.
    pub access_token: AccessToken,
    /// The refresh token, if the provider issued one.
    pub refresh_token: Option<RefreshToken>,
    /// The ID token, as received.
    pub id_token: IdToken,
    /// The ID token's checked claims.
    pub id_token_claims: ValidatedIdToken,
    /// Local deadline from `expires_in` and the receipt time, so a wrong device
    /// clock does not matter.
    pub access_token_expires_at_ms: Option<f64>,
    /// The scope granted, if the provider said.
    pub scope: Option<String>,
    /// The DPoP key's thumbprint when the tokens are bound to it (`token_type: DPoP`):
    /// every use of them then carries a proof from that key.
    pub dpop_jkt: Option<String>,
}

const VERSION: u64 = 4;

impl Session {
    /// Who is signed in.
    pub fn sub(&self) -> &str {
        &self.id_token_claims.sub
    }

    /// The session as stored, or as sent to another tab of it.
    pub fn to_json(&self) -> String {
        let signature = &self.id_token_claims.signature;
        Object::new()
            .with("v", VERSION)
            .with("session_id", self.id.as_str())
            .with("generation", u64::from(self.generation))
            .with("issuer", self.issuer.as_str())
            .with("client_id", self.client_id.as_str())
            .with("access_token", self.access_token.secret())
            .with("refresh_token", self.refresh_token.as_ref().map(|t| t.secret()))
            .with("id_token", self.id_token.secret())
            .with("alg", signature.algorithm().jose_name())
            .with("kid", signature.kid())
            .with("signed_in_at_ms", Json::millis(self.signed_in_at_ms))
            .with("received_at_ms", Json::millis(self.received_at_ms))
            .with("expires_at_ms", self.access_token_expires_at_ms.map(Json::millis))
            .with("scope", self.scope.as_deref())
            .with("dpop_jkt", self.dpop_jkt.as_deref())
            .to_json_string()
    }

    /// `None` for anything malformed: storage and messages are outside our control.
    /// The ID token is decoded, not re-verified: the record holds the proof it
    /// earned when it was received.
    pub fn from_json(json: &str) -> Option<Self> {
        let stored = Json::parse_object(json).ok()?;
        let access_token = stored.str("access_token").ok()?;
        if stored.opt_u64("v").ok()? != Some(VERSION) || access_token.is_empty() {
            return None;
        }
        let id_token = IdToken::new(stored.str("id_token").ok()?.to_owned());
        let signature = VerifiedSignature::restored(
            SignatureAlgorithm::from_jose(stored.str("alg").ok()?)?,
            stored.opt_string("kid").ok()?,
        );
        let id_token_claims = restore_validated_id_token(&id_token, signature).ok()?;
        Some(Self {
            id: stored.str("session_id").ok()?.to_owned(),
            generation: u32::try_from(stored.opt_u64("generation").ok()??).ok()?,
            issuer: stored.str("issuer").ok()?.to_owned(),
            client_id: stored.str("client_id").ok()?.to_owned(),
            signed_in_at_ms: stored.opt_millis("signed_in_at_ms").ok()??,
            received_at_ms: stored.opt_millis("received_at_ms").ok()??,
            access_token: AccessToken::new(access_token.to_owned()),
            refresh_token: stored.opt_string("refresh_token").ok()?.map(RefreshToken::new),
            id_token,
            id_token_claims,
            access_token_expires_at_ms: stored.opt_millis("expires_at_ms").ok()?,
            scope: stored.opt_string("scope").ok()?,
            dpop_jkt: stored.opt_string("dpop_jkt").ok()?,
        })
    }

    /// The session is for this provider and client.
    pub fn is_for(&self, issuer: &str, client_id: &str) -> bool {
        self.issuer == issuer && self.client_id == client_id
    }
}

/// What a failed refresh means for the session.
#[derive(Debug, Clone, PartialEq)]
pub enum RefreshFailure {
    /// The provider no longer accepts the refresh token (`invalid_grant`): sign
    /// out every tab of this session.
    EndSession,
    /// The network failed: try again after `delay_ms`; the session stays.
    RetryAfter {
        /// Which retry this will be (1 for the first).
        attempt: u32,
        /// When.
        delay_ms: f64,
    },
    /// Refused for a reason a retry will not fix: say so; the session stays until it expires.
    GiveUp,
}

/// Decide what a refresh failure means. `failed_attempts` counts the network
/// failures in a row before this one.
pub fn refresh_failure(error: &AuthError, failed_attempts: u32) -> RefreshFailure {
    match error.cause() {
        AuthError::Token(TokenError::OAuth { code: OAuthErrorCode::InvalidGrant, .. }) => {
            RefreshFailure::EndSession
        }
        // The tokens are bound to a key this browser no longer has: nothing can use them.
        AuthError::Dpop(crate::dpop::DpopError::Key(_)) => RefreshFailure::EndSession,
        AuthError::Network { .. } => RefreshFailure::RetryAfter {
            attempt: failed_attempts.saturating_add(1),
            delay_ms: retry_delay_ms(failed_attempts),
        },
        _ => RefreshFailure::GiveUp,
    }
}

/// A session's marker, where every tab of the origin can read it (localStorage):
/// the newest generation any tab reached, and whether the session has ended.
/// It holds no secret; it lets a stale copy of a tab (reopened, restored from
/// the back-forward cache, reloaded after a discard) know that it is stale.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionMarker {
    /// The newest generation refreshed to.
    pub generation: u32,
    /// The session was logged out, or the provider ended it.
    pub ended: bool,
    /// When it was last written (ms since the epoch), for pruning.
    pub at_ms: f64,
}

impl SessionMarker {
    /// As stored.
    pub fn to_json(&self) -> String {
        Object::new()
            .with("generation", u64::from(self.generation))
            .with("ended", self.ended)
            .with("at_ms", Json::millis(self.at_ms))
            .to_json_string()
    }

    /// `None` for anything malformed.
    pub fn from_json(json: &str) -> Option<Self> {
        let stored = Json::parse_object(json).ok()?;
        Some(Self {
            generation: u32::try_from(stored.opt_u64("generation").ok()??).ok()?,
            ended: stored.opt_bool("ended").ok()??,
            at_ms: stored.opt_millis("at_ms").ok()??,
        })
    }

    /// Markers of sessions untouched for this long are dropped.
    pub const KEPT_FOR_MS: f64 = 30.0 * 86_400_000.0;
}

/// What the markers say about a session this tab holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// The newest copy there is: use it, refresh with it.
    Current,
    /// Another tab refreshed it since: this copy's refresh token was rotated
    /// away. Ask the live tabs for the newest record; never refresh with this one.
    Stale {
        /// The generation the marker says is newest.
        newest: u32,
    },
    /// Logged out (here or in another tab) or ended by the provider since.
    Ended,
}

/// Decide from a session's marker and the origin's logout tombstone.
pub fn freshness(
    session: &Session,
    marker: Option<&SessionMarker>,
    logged_out_at_ms: Option<f64>,
) -> Freshness {
    if logged_out_at_ms.is_some_and(|logged_out| logged_out >= session.signed_in_at_ms) {
        return Freshness::Ended;
    }
    match marker {
        Some(marker) if marker.ended => Freshness::Ended,
        Some(marker) if marker.generation > session.generation => {
            Freshness::Stale { newest: marker.generation }
        }
        _ => Freshness::Current,
    }
}

/// What a memory-mode tab keeps so that a reload can resume: who was signed
/// in, and since when. No secret.
#[derive(Debug, Clone, PartialEq)]
pub struct ResumeHint {
    /// The `sub` signed in: the resume must bring back this person, nobody else.
    pub sub: String,
    /// When they signed in (ms since the epoch).
    pub signed_in_at_ms: f64,
}

impl ResumeHint {
    /// As stored.
    pub fn to_json(&self) -> String {
        Object::new()
            .with("sub", self.sub.as_str())
            .with("signed_in_at_ms", Json::millis(self.signed_in_at_ms))
            .to_json_string()
    }

    /// `None` for anything malformed.
    pub fn from_json(json: &str) -> Option<Self> {
        let stored = Json::parse_object(json).ok()?;
        Some(Self {
            sub: stored.str("sub").ok()?.to_owned(),
            signed_in_at_ms: stored.opt_millis("signed_in_at_ms").ok()??,
        })
    }

    /// A reload may resume only a session no Log out has ended since.
    pub fn may_resume(&self, logged_out_at_ms: Option<f64>) -> bool {
        logged_out_at_ms.is_none_or(|logged_out| logged_out < self.signed_in_at_ms)
    }
}

/// What tabs of one origin tell each other over their channel.
#[derive(Debug, Clone, PartialEq)]
pub enum TabMessage {
    /// New tokens for the session the record names (its JSON, as [`Session::to_json`] writes it).
    /// Sent only by tabs that keep tokens in sessionStorage, to the tabs sharing that session.
    Refreshed {
        /// The refreshed session's record.
        record: String,
    },
    /// A stale copy of a session asks the live tabs for the newest record. No secret.
    LatestWanted {
        /// The session's id.
        session_id: String,
        /// The generation the asker holds.
        generation: u32,
    },
    /// Log out was pressed: every tab follows.
    Logout,
    /// The provider refused this session's refresh token: its tabs are signed out.
    SessionEnded {
        /// The ended session's id.
        session_id: String,
    },
}

impl TabMessage {
    /// As posted: `{"type": "refreshed" | "latest_wanted" | "logout" | "session_ended", …}`.
    pub fn to_json(&self) -> String {
        let message = match self {
            Self::Refreshed { record } => {
                Object::new().with("type", "refreshed").with("record", record.as_str())
            }
            Self::LatestWanted { session_id, generation } => Object::new()
                .with("type", "latest_wanted")
                .with("session_id", session_id.as_str())
                .with("generation", u64::from(*generation)),
            Self::Logout => Object::new().with("type", "logout"),
            Self::SessionEnded { session_id } => {
                Object::new().with("type", "session_ended").with("session_id", session_id.as_str())
            }
        };
        message.to_json_string()
    }

    /// `None` for anything else: other tabs, or other code on the origin, may post anything.
    pub fn from_json(text: &str) -> Option<Self> {
        let message = Json::parse_object(text).ok()?;
        let field = |name| message.str(name).ok().map(str::to_owned);
        match message.str("type").ok()? {
            "refreshed" => Some(Self::Refreshed { record: field("record")? }),
            "latest_wanted" => Some(Self::LatestWanted {
                session_id: field("session_id")?,
                generation: u32::try_from(message.opt_u64("generation").ok()??).ok()?,
            }),
            "logout" => Some(Self::Logout),
            "session_ended" => Some(Self::SessionEnded { session_id: field("session_id")? }),
            _ => None,
        }
    }
}

/// What a tab does with a message from another tab.
#[derive(Debug, Clone, PartialEq)]
pub enum TabAction {
    /// Nothing: not for this tab, stale, or not believable.
    Ignore,
    /// Take these tokens: another tab of this session refreshed them.
    Adopt(Box<Session>),
    /// Post this tab's record: a stale copy of its session asked for the newest.
    SendLatest,
    /// Sign this tab out: another tab logged out.
    SignOutElsewhere,
    /// Sign this tab out: the provider ended its session.
    SessionEnded,
}

/// What this tab brings to a message: its session, and what it checks against.
#[derive(Debug, Clone, Copy)]
pub struct Receiver<'a> {
    /// This tab's session, if signed in.
    pub current: Option<&'a Session>,
    /// Tokens are shared with other tabs only with `token_storage: "session"`.
    pub shares_tokens: bool,
    /// The configured client.
    pub client_id: &'a str,
}

/// Decide what to do with `message`. Another tab's message is untrusted input:
/// tokens are taken only in session mode, only for the same session and
/// provider, only newer (and not absurdly newer), and only with an ID token
/// whose claims still describe the same login (OIDC Core §12.2).
pub fn on_tab_message(message: TabMessage, receiver: Receiver<'_>) -> TabAction {
    let Some(current) = receiver.current else { return TabAction::Ignore };
    match message {
        TabMessage::Logout => TabAction::SignOutElsewhere,
        // Tabs with their own grant (memory mode) keep their session.
        TabMessage::SessionEnded { session_id } if session_id == current.id => TabAction::SessionEnded,
        TabMessage::SessionEnded { .. } => TabAction::Ignore,
        TabMessage::LatestWanted { session_id, generation }
            if receiver.shares_tokens && session_id == current.id && current.generation > generation =>
        {
            TabAction::SendLatest
        }
        TabMessage::LatestWanted { .. } => TabAction::Ignore,
        TabMessage::Refreshed { .. } if !receiver.shares_tokens => TabAction::Ignore,
        TabMessage::Refreshed { record } => match Session::from_json(&record) {
            Some(incoming) if should_adopt(current, &incoming, receiver.client_id) => {
                TabAction::Adopt(Box::new(incoming))
            }
            _ => TabAction::Ignore,
        },
    }
}

/// Another tab's session replaces this tab's only if it is the same session
/// (same id, provider, client and user), newer by at most
/// [`MAX_GENERATION_STEP`], and its ID token describes the same login as this
/// tab's (same `iss`, `sub`, `aud`, `azp`, `auth_time`; OIDC Core §12.2).
pub fn should_adopt(current: &Session, incoming: &Session, client_id: &str) -> bool {
    let newer = incoming.generation > current.generation
        && incoming.generation - current.generation <= MAX_GENERATION_STEP;
    newer
        && incoming.id == current.id
        && incoming.is_for(&current.issuer, &current.client_id)
        && current.client_id == client_id
        && incoming.signed_in_at_ms == current.signed_in_at_ms
        && incoming.dpop_jkt == current.dpop_jkt
        && same_login(&incoming.id_token_claims, &current.id_token_claims, client_id).is_ok()
}

use std::sync::Arc;

use crate::oauth::config::ClientConfig;
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::error::FlowError;
use crate::oauth::id_token::ValidatedIdToken;
use crate::oauth::json::Object;
use crate::oauth::secret::{AccessToken, IdToken, RefreshToken};

/// The configured client and its provider's metadata, loaded once at start.
#[derive(Debug)]
pub struct Provider {
    pub config: ClientConfig,
    pub metadata: ProviderMetadata,
}

/// A signed-in session. Tokens live here, in memory (and, with
/// `token_storage: "session"`, also in this tab's sessionStorage).
#[derive(Debug)]
pub struct Session {
    /// Random; names the session across tabs. Not a credential.
    pub id: String,
    /// 0 at login, +1 per refresh: tells newer tokens from older ones across tabs.
    pub generation: u32,
    pub received_at_ms: f64,
    pub access_token: AccessToken,
    pub refresh_token: Option<RefreshToken>,
    pub id_token: IdToken,
    pub id_token_claims: ValidatedIdToken,
    /// Local deadline from `expires_in` and the receipt time, so a wrong device
    /// clock does not matter.
    pub access_token_expires_at_ms: Option<f64>,
    pub scope: Option<String>,
}

/// Where the login is. `Redirecting` and `Exchanging` are the in-between states
/// that keep the Log in button from flashing while a flow is under way.
#[derive(Debug, Clone)]
pub enum AuthState {
    SignedOut,
    Redirecting,
    Exchanging,
    SignedIn(Arc<Session>),
    Error(FlowError),
}

impl AuthState {
    /// The `data-state` of `#status`: a public contract for tests and tools.
    pub fn status(&self) -> &'static str {
        match self {
            Self::SignedOut => "signed-out",
            Self::Redirecting => "redirecting",
            Self::Exchanging => "exchanging",
            Self::SignedIn(_) => "signed-in",
            Self::Error(_) => "error",
        }
    }
}

#[derive(Debug, Clone)]
pub enum UserinfoState {
    /// The provider has no userinfo endpoint, or nobody is signed in.
    NotAvailable,
    Loading,
    Loaded(Arc<Object>),
    Failed(FlowError),
}

/// A one-line message above the page, about something that just happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    SessionEnded,
    SignedOutElsewhere,
    SignedOutAtProvider,
    SignedOutLocally,
    ResumeFailed,
    LogoutStateMismatch,
}

impl Notice {
    /// `data-kind` of `#notice`: a public contract.
    pub fn kind(self) -> &'static str {
        match self {
            Self::SessionEnded => "session-ended",
            Self::SignedOutElsewhere => "signed-out-elsewhere",
            Self::SignedOutAtProvider => "signed-out-at-provider",
            Self::SignedOutLocally => "signed-out-locally",
            Self::ResumeFailed => "resume-failed",
            Self::LogoutStateMismatch => "logout-state-mismatch",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Self::SessionEnded => "Your session ended: the provider no longer accepts its refresh token. Log in again.",
            Self::SignedOutElsewhere => "You were signed out in another tab.",
            Self::SignedOutAtProvider => "You are signed out, here and at the provider.",
            Self::SignedOutLocally => {
                "You are signed out of Pixie. The provider has no end-session endpoint, so your session there may continue."
            }
            Self::ResumeFailed => "There was no session at the provider to resume after the reload. Log in again.",
            Self::LogoutStateMismatch => {
                "You are signed out here, but the provider's logout answer did not carry our state, so it was not confirmed."
            }
        }
    }
}

#[derive(Debug, Clone)]
pub enum RefreshStatus {
    Idle,
    Refreshing,
    /// A network failure; the next try is scheduled with back-off.
    Retrying {
        attempt: u32,
        error: FlowError,
    },
    /// Refused for a reason a retry will not fix; the session stays until it expires.
    Failed(FlowError),
}

impl RefreshStatus {
    pub fn state(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Refreshing => "refreshing",
            Self::Retrying { .. } => "retrying",
            Self::Failed(_) => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub enum ApiState {
    Idle,
    Loading,
    /// Any HTTP answer, with its status and body.
    Loaded {
        status: u16,
        body: String,
    },
    Failed(FlowError),
}

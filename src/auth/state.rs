use std::sync::Arc;

use serde_json::{Map, Value};

use crate::oauth::config::ClientConfig;
use crate::oauth::discovery::ProviderMetadata;
use crate::oauth::error::FlowError;
use crate::oauth::id_token::ValidatedIdToken;
use crate::oauth::secret::{AccessToken, IdToken, RefreshToken};

/// The configured client and its provider's metadata, loaded once at start.
#[derive(Debug)]
pub struct Provider {
    pub config: ClientConfig,
    pub metadata: ProviderMetadata,
}

/// A signed-in session. Tokens live here, in memory only.
#[derive(Debug)]
pub struct Session {
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
    Loaded(Arc<Map<String, Value>>),
    Failed(FlowError),
}

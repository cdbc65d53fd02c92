//! Leptos-aware auth state: what the UI renders, and the flow that drives it.

mod context;
pub mod flow;
#[cfg(feature = "walkthrough")]
pub mod lab;
pub mod session;
mod state;
pub mod trace;

pub use context::{provide_auth, try_use_auth, use_auth, AuthCtx};
pub use state::{ApiState, AuthState, Notice, Provider, RefreshStatus, Session, UserinfoState};

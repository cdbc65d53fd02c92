//! Leptos-aware auth state: what the UI renders, and the flow that drives it.

mod context;
pub mod flow;
mod state;

pub use context::{provide_auth, try_use_auth, use_auth, AuthCtx};
pub use state::{AuthState, Provider, Session, UserinfoState};

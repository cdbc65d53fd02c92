//! Pixie: secretless login for Leptos apps.
//!
//! OAuth 2.0 Authorization Code with PKCE (RFC 7636) as a public client, with
//! OpenID Connect: no client secret anywhere. The browser keeps the
//! code_verifier in sessionStorage, goes to the provider, takes the code on
//! the way back and exchanges it from the page itself; the ID token's
//! signature is verified with WebCrypto, and the session refreshes itself,
//! follows other tabs and ends cleanly.
//!
//! Wrap the app in [`AuthProvider`], read and drive the login with
//! [`use_auth`], and show pages with [`SignedIn`], [`SignedOut`] and
//! [`RequireAuth`]:
//!
//! ```no_run
//! use leptos::prelude::*;
//! use pixie::{use_auth, AuthConfig, AuthProvider, SignedIn, SignedOut};
//!
//! #[component]
//! fn App() -> impl IntoView {
//!     let auth = use_auth();
//!     view! {
//!         <SignedOut><button on:click=move |_| auth.login()>"Log in"</button></SignedOut>
//!         <SignedIn>
//!             <p>{move || auth.sub()}</p>
//!             <button on:click=move |_| auth.logout()>"Log out"</button>
//!         </SignedIn>
//!     }
//! }
//!
//! fn main() {
//!     mount_to_body(|| view! {
//!         <AuthProvider config=AuthConfig::from_url("/config.json")><App/></AuthProvider>
//!     });
//! }
//! ```
//!
//! The protocol itself is [`pixie_core`], re-exported as [`protocol`]: pure
//! functions, tested natively. This crate does the IO (storage, fetch,
//! WebCrypto, navigation, Web Locks, the tab channel) and the Leptos side.
//!
//! Performance marks, for tools: `app:ready` (the page for the start state is
//! drawn and [`Auth::login`] works: see [`Auth::is_ready`]), `app:signed-in`,
//! `app:userinfo`, `app:refreshed`.
//!
//! Feature `split`: the signed-in half of the library (the token exchange,
//! the ID token's checks, the session, refresh, other tabs, logout, DPoP and
//! PAR) becomes a part of the WebAssembly module of its own, fetched once the
//! signed-out page is usable, so a first visit downloads only what the Log in
//! button needs. The app's build must then cut the module at its split points:
//! the repository's `dev/split.mjs` does it as a Trunk post-build hook. Off,
//! the module is one piece and any build works.
//!
//! Feature `trace`: the flow records what each step sent and received (secrets
//! masked) for a walkthrough ([`Auth::trace`]). Without it nothing is recorded
//! and none of its code is in the bundle.
#![deny(missing_docs)]

mod browser;
mod components;
mod config;
mod dpop;
mod events;
mod flow;
mod handle;
mod keys;
mod parts;
mod provider;
mod session;
mod state;
#[cfg(feature = "trace")]
mod trace;

pub use pixie_core as protocol;

pub use components::{RequireAuth, SignedIn, SignedOut};
pub use config::AuthConfig;
pub use events::AuthEvent;
pub use handle::{try_use_auth, use_auth, Auth};
pub use pixie_core::config::{ClientConfig, ConfigBuilder, ConfigError, TokenStorage};
pub use pixie_core::http::{HttpRequest, HttpResponse};
pub use pixie_core::json::{Json, Object};
pub use pixie_core::provider::Provider;
pub use pixie_core::secret::{AccessToken, IdToken};
pub use pixie_core::session::Session;
pub use pixie_core::AuthError;
pub use provider::AuthProvider;
pub use state::{AuthState, Notice, RefreshStatus, UserinfoState};
#[cfg(feature = "trace")]
pub use trace::ForgeInputs;

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;

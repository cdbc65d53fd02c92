//! The sans-IO protocol core of Pixie: OAuth 2.0 Authorization Code + PKCE
//! (RFC 7636) and OpenID Connect for a public browser client.
//!
//! Everything here is a pure function or a plain type. Randomness and time come
//! in as arguments; HTTP goes out as an [`http::HttpRequest`] value and comes
//! back as an [`http::HttpResponse`] value, which the caller sends and receives
//! however it likes. Signatures are checked through a [`id_token::SignatureVerifier`]
//! the caller supplies (the browser's WebCrypto, in `pixie`). Nothing in this
//! crate touches a browser API, so every decision is tested natively.
//!
//! One login, step by step:
//!
//! | step | request | response |
//! | --- | --- | --- |
//! | load the configuration | [`config::config_request`] | [`config::parse_config_response`] |
//! | discover the provider | [`discovery::discovery_request`] | [`discovery::parse_discovery_response`] |
//! | send the browser to it | [`authorize::authorization_request`] (or [`authorize::login_request`] with DPoP's `dpop_jkt`) | [`callback::parse_callback`], [`callback::validate_callback`] |
//! | push it first (PAR, RFC 9126) | [`par::par_request`] | [`par::parse_par_response`], then [`par::par_redirect_url`] |
//! | prove the key (DPoP, RFC 9449) | [`dpop::proof_claims`], [`dpop::proof`], [`dpop::with_proof`] | [`dpop::asks_for_nonce`], [`dpop::Nonces::update`], [`dpop::token_binding`] |
//! | exchange the code | [`token::token_request`] | [`token::parse_token_response`] |
//! | fetch the provider's keys | [`jwks::jwks_request`] | [`jwks::parse_jwks_response`] |
//! | check the ID token | [`id_token::verify_signature`] | [`id_token::validate_id_token`] |
//! | ask who it is | [`userinfo::userinfo_request`] | [`userinfo::parse_userinfo_response`] |
//! | refresh | [`refresh::refresh_request`] | [`token::parse_token_response`] |
//! | log out | [`logout::revocation_request`], [`logout::end_session_request`] | [`logout::check_logout_return`] |
//!
//! The session's decisions (when to refresh, what a failure means, what to make
//! of another tab's message, what to do at start-up) are pure functions in
//! [`session`] and [`startup`].
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod api;
pub mod authorize;
pub mod callback;
pub mod check;
pub mod config;
pub mod discovery;
pub mod dpop;
pub mod encoding;
pub mod error;
pub mod http;
pub mod id_token;
pub mod json;
pub mod jwks;
pub mod jwt;
pub mod logout;
pub mod par;
pub mod pkce;
pub mod presets;
pub mod provider;
pub mod refresh;
pub mod secret;
pub mod session;
pub mod startup;
pub mod token;
pub mod trace;
pub mod userinfo;

pub use error::AuthError;

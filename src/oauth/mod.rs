//! The protocol core: pure functions and types, no browser APIs.
//! Randomness and time come in as arguments; HTTP comes in and goes out as values.

pub mod api;
pub mod authorize;
pub mod callback;
pub mod config;
pub mod discovery;
pub mod encoding;
pub mod error;
pub mod http;
pub mod id_token;
pub mod json;
pub mod jwks;
pub mod jwt;
pub mod lab;
pub mod logout;
pub mod pkce;
pub mod refresh;
pub mod secret;
pub mod session_record;
pub mod token;
pub mod trace;
pub mod userinfo;

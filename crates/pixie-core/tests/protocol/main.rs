//! Native tests for the sans-IO protocol core in `src/oauth`.
//!
//! One integration-test binary, one module per protocol step:
//! `cargo test --test protocol`.

mod support;

mod authorize;
mod callback;
mod check;
mod config;
mod discovery;
mod dpop;
mod error;
mod id_token;
mod json;
mod jwks;
mod jwt;
mod pkce;
mod presets;
mod provider;
mod review;
mod secret;
mod session;
mod startup;
mod token;
mod trace;
mod userinfo;

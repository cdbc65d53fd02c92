//! Bench peer: the smallest Leptos 0.8 CSR app that logs in with leptos_oidc
//! 0.9.0, written as its README and its example show
//! (https://gitlab.com/kerkmann/leptos_oidc, examples/simple/src/simple.rs):
//! `Auth::signal()` provided as context and `Auth::init(AuthParameters {..})`
//! in a component inside <Router>; <AuthLoaded>, <Authenticated
//! unauthenticated=..>, <LoginLink>, <LogoutLink>. Built for its bundle size
//! (`make bench`).
//!
//! The crate keeps the tokens but exposes no claims: the documented way to
//! read them is `decoded_id_token`, which checks the ID token's signature
//! against the provider's JWKS (plus `exp` and `aud`) each time it is called.
//!
//! Against the local provider (dev/provider): logging in should work (it always
//! issues a refresh token, which this crate requires). Logout is refused: the
//! crate appends `?destroy_session=true` to the post-logout redirect URI, which
//! then no longer equals the registered `http://127.0.0.1:8080/`.

use leptos::prelude::*;
use leptos_oidc::{
    Algorithm, Auth, AuthLoaded, AuthParameters, AuthSignal, Authenticated, Challenge, LoginLink,
    LogoutLink,
};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use serde::Deserialize;

fn main() {
    mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <AppWithRouter/>
        </Router>
    }
}

#[component]
pub fn AppWithRouter() -> impl IntoView {
    let parameters = AuthParameters {
        // Without `/.well-known/openid-configuration` and without a trailing slash.
        issuer: "http://127.0.0.1:9000".to_string(),
        client_id: "pixie-demo".to_string(),
        redirect_uri: "http://127.0.0.1:8080/callback".to_string(),
        post_logout_redirect_uri: "http://127.0.0.1:8080/".to_string(),
        challenge: Challenge::S256,
        // Put into the URL as is (the crate encodes nothing), like its example's
        // "openid%20profile%20email"; the same scope as the other peers.
        scope: Some("openid%20profile%20email%20offline_access".to_string()),
        audience: None,
    };
    let auth: AuthSignal = Auth::signal();
    provide_context(auth);

    let _ = Auth::init(parameters);

    view! {
        <Routes fallback=|| view! { "Page not found." }>
            <Route path=path!("/") view=Home/>
            // The redirect comes back here; Auth::init exchanges the code when
            // the path is the redirect_uri's.
            <Route path=path!("/callback") view=Home/>
        </Routes>
    }
}

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <AuthLoaded>
            <Authenticated unauthenticated=SignedOut>
                <SignedIn/>
            </Authenticated>
        </AuthLoaded>
    }
}

#[component]
pub fn SignedOut() -> impl IntoView {
    view! { <LoginLink>"Log in"</LoginLink> }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

#[component]
pub fn SignedIn() -> impl IntoView {
    let auth = expect_context::<AuthSignal>();
    let sub = move || {
        auth.get()
            .authenticated()
            .and_then(|data| data.decoded_id_token::<Claims>(Algorithm::RS256, &["pixie-demo"]))
            .map(|token| token.claims.sub)
    };
    view! {
        <p>"Signed in as " <strong>{sub}</strong></p>
        <LogoutLink>"Log out"</LogoutLink>
    }
}

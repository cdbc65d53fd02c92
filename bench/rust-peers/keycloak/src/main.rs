//! Bench peer: the smallest Leptos 0.8 CSR app that logs in with
//! leptos-keycloak-auth 0.14.1, written as its README's "Usage" shows
//! (https://github.com/lpotthast/leptos-keycloak-auth#usage): <Router>, then
//! <AuthProvider>, then <Routes>; <MaybeAuthenticated>; login and logout links
//! from `use_keycloak_auth()`. Built for its bundle size (`make bench`).
//!
//! Against the local provider (dev/provider): the crate only speaks
//! Keycloak's URL layout, `<server>/realms/<realm>/.well-known/...`, and
//! expects the issuer `<server>/realms/<realm>`. Logging in works only when the
//! provider runs with `ISSUER=http://127.0.0.1:9000/realms/pixie` (it then
//! serves under that path); with its default issuer, discovery is a 404 and
//! the login link stays empty. Logout is refused by the provider either way:
//! the crate appends `?destroy_session=true` to the post-logout redirect URI,
//! which then no longer equals the registered `http://127.0.0.1:8080/`.

use leptos::prelude::*;
use leptos_keycloak_auth::components::*;
use leptos_keycloak_auth::url::Url;
use leptos_keycloak_auth::use_keycloak_auth;
use leptos_router::{components::*, path};

fn main() {
    mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <AuthProvider
                keycloak_server_url=Url::parse("http://127.0.0.1:9000").unwrap()
                realm="pixie"
                client="pixie-demo"
                // Default: the current page. The provider only accepts these two
                // (the same as Pixie's and the oidc-client-ts peer's).
                post_login_redirect_url=Url::parse("http://127.0.0.1:8080/callback").unwrap()
                post_logout_redirect_url=Url::parse("http://127.0.0.1:8080/").unwrap()
                // `openid` is always added; the same scope as the other peers.
                scope=vec!["profile".to_string(), "email".to_string(), "offline_access".to_string()]
            >
                <Routes fallback=|| view! { "Page not found." }>
                    <Route path=path!("/") view=HomePage/>
                    // The redirect comes back here; the crate exchanges the code
                    // wherever <AuthProvider> is, then navigates to this URL again.
                    <Route path=path!("/callback") view=HomePage/>
                </Routes>
            </AuthProvider>
        </Router>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <MaybeAuthenticated
            authenticated=|auth| view! {
                <p>"Signed in as " <strong>{ auth.id_token_claims.read().subject_identifier.clone() }</strong></p>
                <LogoutButton/>
            }
            unauthenticated=|_| view! {
                <LoginButton/>
            }
        />
    }
}

#[component]
pub fn LoginButton() -> impl IntoView {
    let auth = use_keycloak_auth();
    let login_url = move || auth.login_url.get().map(|url: Url| url.to_string()).unwrap_or_default();
    let login_url_unavailable = move || auth.login_url.get().is_none();
    view! {
        <a href=login_url aria-disabled=login_url_unavailable>"Log In"</a>
    }
}

#[component]
pub fn LogoutButton() -> impl IntoView {
    let auth = use_keycloak_auth();
    let logout_url = move || auth.logout_url.get().map(|url: Url| url.to_string()).unwrap_or_default();
    let logout_url_unavailable = move || auth.logout_url.get().is_none();
    view! {
        <a href=logout_url aria-disabled=logout_url_unavailable>"Log out"</a>
    }
}

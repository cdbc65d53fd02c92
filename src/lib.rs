//! Pixie: secretless browser login (OAuth 2.0 Authorization Code + PKCE, public client).
//!
//! - `oauth`: the sans-IO protocol core (no browser APIs; tested natively).
//! - `browser`: the thin layer over web_sys (storage, fetch, randomness, navigation).
//! - `auth`: Leptos state and the flow that sequences the two.
//! - `components`, `pages`: the UI, one component per file.

pub mod auth;
pub mod browser;
pub mod components;
pub mod format;
pub mod oauth;
pub mod pages;

use leptos::prelude::*;

use auth::flow::{self, CALLBACK_PATH};
use components::{NoticeBanner, StatusBadge};
use pages::{Home, NotFound};

#[component]
pub fn App() -> impl IntoView {
    let known_path = matches!(browser::navigation::pathname().as_str(), "/" | CALLBACK_PATH);
    let entry = flow::entry_from_location();
    let auth = auth::provide_auth(flow::initial_state(&entry));
    flow::start(auth, entry);

    view! {
        <header class="masthead">
            <h1 class="masthead__title">"Pixie"</h1>
            <p class="masthead__tagline">"Secretless login in the browser: OAuth 2.0 + PKCE, no client secret."</p>
        </header>
        <main class="page">
            <StatusBadge/>
            <NoticeBanner/>
            {if known_path {
                view! { <Home/> {walkthrough()} }.into_any()
            } else {
                view! { <NotFound/> }.into_any()
            }}
        </main>
        <footer class="footer">
            "Nothing is sent anywhere but your provider. No client secret exists."
        </footer>
    }
}

#[cfg(feature = "walkthrough")]
fn walkthrough() -> impl IntoView {
    view! { <components::Walkthrough/> }
}

/// Built without the walkthrough: the login alone.
#[cfg(not(feature = "walkthrough"))]
fn walkthrough() -> impl IntoView {}

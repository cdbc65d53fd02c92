//! The Pixie demo: the login, and a walkthrough that shows it step by step.
//! It uses only the public API of the `pixie` crate.
//!
//! - `components`, `pages`: the UI, one component per file.
//! - `walkthrough`: the sequence diagram, step cards, JWT viewer and attack lab
//!   (feature `walkthrough`, which turns on `pixie/trace`).
//! - `dom`: the demo's own page needs (clipboard, focus, clock, a note in storage).

pub mod components;
pub mod dom;
pub mod format;
pub mod pages;
pub mod parts;
#[cfg(feature = "walkthrough")]
pub mod walkthrough;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pixie::{use_auth, AuthConfig, AuthProvider, AuthState};

use components::{provide_api_state, NoticeBanner, StatusBadge};
use pages::{Home, NotFound};

/// `performance.mark("app:start")`: the first thing the module does.
pub fn mark_start() {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark("app:start");
    }
}

/// The demo: one build for every deployment, configured by `config.json`.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <AuthProvider config=AuthConfig::from_url("/config.json")>
            <Shell/>
        </AuthProvider>
    }
}

#[component]
fn Shell() -> impl IntoView {
    // The provider has already taken a callback out of the address bar.
    let known_path = matches!(dom::pathname().as_str(), "/" | "/callback");
    provide_api_state();
    let auth = use_auth();
    // A latch: the page for the start state is usable and the provider has
    // loaded, so nothing here competes with the login path (it stays set
    // through a later login or refresh).
    let settled = Memo::new(move |before: Option<&bool>| {
        before == Some(&true) || (!auth.is_loading() && auth.provider().is_some())
    });
    // The pages' part: at once on a callback (beside the token request), else once settled.
    let exchanging = untrack(|| matches!(auth.state(), AuthState::Exchanging));
    // (`settled` is a latch: this prefetches once.)
    Effect::new(move |_| {
        if exchanging || settled.get() {
            spawn_local(parts::prefetch());
        }
    });
    view! {
        <header class="masthead">
            <h1 class="masthead__title">"Pixie"</h1>
            <p class="masthead__tagline">"Secretless login in the browser: OAuth 2.0 + PKCE, no client secret."</p>
        </header>
        <main class="page">
            <StatusBadge/>
            <NoticeBanner/>
            {if known_path {
                view! { <Home/> {walkthrough(settled)} }.into_any()
            } else {
                view! { <NotFound/> }.into_any()
            }}
        </main>
        <footer class="footer">
            "Nothing is sent anywhere but your provider. No client secret exists."
        </footer>
    }
}

/// The walkthrough is for learners, not for the login: it is drawn once the
/// page for the start state is settled (with `split`, fetched then, as a part
/// of the module of its own), so neither a first visit nor a callback waits for it.
#[cfg(feature = "walkthrough")]
fn walkthrough(settled: Memo<bool>) -> impl IntoView {
    view! { <Show when=move || settled.get()>{|| parts::from_part(parts::walkthrough())}</Show> }
}

/// Built without the walkthrough: the login alone.
#[cfg(not(feature = "walkthrough"))]
fn walkthrough(_settled: Memo<bool>) -> impl IntoView {}

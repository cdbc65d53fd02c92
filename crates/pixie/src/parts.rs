//! The doors into the signed-in half of the library.
//!
//! A first visit needs only the signed-out half: the configuration, discovery,
//! PKCE and the redirect. Everything after the provider's answer (the token
//! exchange and the ID token's signature, the session and its refresh, the
//! other tabs, authorized requests, logout, DPoP and PAR) is entered through
//! the functions here and nowhere else.
//!
//! With feature `split`, each is a split point (`wasm_split`) of one part of
//! the module, `pixie_signed_in`, which the app's build cuts out of the main
//! module (the repository's `dev/split.mjs`). The first call fetches the part;
//! [`prefetch`] fetches it once the signed-out page is usable, so a callback
//! finds it in the HTTP cache. Without the feature they are plain calls into
//! one module, and the app's build needs nothing special.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::Set;
use leptos::wasm_split::SplitLoaderError;
use pixie_core::http::{HttpRequest, HttpResponse};
use pixie_core::provider::Provider;
use pixie_core::AuthError;

use crate::flow::{self, Exchange};
use crate::session::{self, FetchPurpose, Restored};
use crate::Auth;

/// What a door hands back: the work, to await, once its part has loaded.
type Work<T> = Pin<Box<dyn Future<Output = T>>>;

/// Declares a door: its body runs in the signed-in part.
macro_rules! door {
    ($(#[$doc:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $out:ty $body:block) => {
        $(#[$doc])*
        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split(pixie_signed_in, wasm_split_path = ::leptos::wasm_split, fallible)
        )]
        fn $name($($arg: $ty),*) -> Result<Work<$out>, SplitLoaderError> {
            Ok(Box::pin(async move $body))
        }
    };
}

/// Goes through a door: loads the part if need be, then does the work.
macro_rules! enter {
    ($door:ident($($arg:expr),* $(,)?)) => {{
        #[cfg(feature = "split")]
        let opened = $door($($arg),*).await;
        #[cfg(not(feature = "split"))]
        let opened = $door($($arg),*);
        match opened {
            Ok(work) => Ok(work.await),
            Err(error) => Err(unavailable(error)),
        }
    }};
}

fn unavailable(error: SplitLoaderError) -> AuthError {
    AuthError::AppCodeUnavailable { part: "signed-in", detail: error.to_string() }
}

door! {
    /// Loads the part, and prunes other sessions' old markers.
    fn housekeeping_door(auth: Auth) -> () { session::housekeeping(auth) }
}

/// Fetch the signed-in part now (the signed-out page is usable), so the
/// callback finds it in the cache; and do the part's housekeeping.
pub(crate) async fn prefetch(auth: Auth) {
    // A failure here is not the user's problem yet: the callback tries again.
    let _ = enter!(housekeeping_door(auth));
}

door! {
    fn complete_login_door(auth: Auth, exchange: Exchange) -> Result<(), AuthError> {
        flow::complete_login(auth, exchange).await
    }
}

/// The token response, the ID token's checks and the session.
pub(crate) async fn complete_login(auth: Auth, exchange: Exchange) -> Result<(), AuthError> {
    enter!(complete_login_door(auth, exchange)).and_then(|done| done)
}

door! {
    fn load_userinfo_door(auth: Auth) -> () { session::load_userinfo(auth).await }
}

/// Userinfo, after the signed-in view.
pub(crate) async fn load_userinfo(auth: Auth) {
    if let Err(error) = enter!(load_userinfo_door(auth)) {
        auth.userinfo.set(crate::state::UserinfoState::Failed(error));
    }
}

door! {
    fn restore_door(auth: Auth, provider: Arc<Provider>, query: String) -> Restored {
        session::restore_at_start(auth, &provider, &query).await
    }
}

/// A page's start when this tab keeps something (a session, a resume hint, a logout under way).
pub(crate) async fn restore_at_start(auth: Auth, provider: Arc<Provider>, query: String) -> Result<Restored, AuthError> {
    enter!(restore_door(auth, provider, query))
}

door! {
    fn tab_message_door(auth: Auth, text: String) -> () { session::handle_tab_message(auth, &text) }
}

/// A message from another tab.
pub(crate) async fn on_tab_message(auth: Auth, text: String) {
    // Unloadable, the message is lost: this tab then acts on what it has, as if it came before.
    let _ = enter!(tab_message_door(auth, text));
}

#[cfg(feature = "trace")]
door! {
    fn failure_door(auth: Auth, error: AuthError) -> () { flow::record_failure(auth, &error) }
}

/// A failed login, in the walkthrough's trace.
#[cfg(feature = "trace")]
pub(crate) async fn record_failure(auth: Auth, error: AuthError) {
    let _ = enter!(failure_door(auth, error));
}

door! {
    fn page_restored_door(auth: Auth) -> () { session::on_page_restored(auth) }
}

/// Back from the back-forward cache.
pub(crate) async fn on_page_restored(auth: Auth) {
    let _ = enter!(page_restored_door(auth));
}

door! {
    fn refresh_door(auth: Auth) -> Result<(), AuthError> { session::refresh(auth).await }
}

/// Refresh now.
pub(crate) async fn refresh(auth: Auth) -> Result<(), AuthError> {
    enter!(refresh_door(auth)).and_then(|done| done)
}

door! {
    fn fetch_door(auth: Auth, request: HttpRequest) -> Result<HttpResponse, AuthError> {
        session::authorized_fetch(auth, request, FetchPurpose::Api).await
    }
}

/// An authorized request for the app.
pub(crate) async fn authorized_fetch(auth: Auth, request: HttpRequest) -> Result<HttpResponse, AuthError> {
    enter!(fetch_door(auth, request)).and_then(|done| done)
}

door! {
    fn logout_door(auth: Auth) -> () { session::logout(auth).await }
}

/// Log out. If the part cannot load, the tokens are still forgotten here.
pub(crate) async fn logout(auth: Auth) {
    if let Err(error) = enter!(logout_door(auth)) {
        session::sign_out_here(auth, crate::state::Notice::SignedOutLocally, crate::AuthEvent::SignedOut);
        auth.last_error.set(Some(error));
    }
}

door! {
    fn preflight_door(
        auth: Auth,
        provider: Arc<Provider>,
        dpop: bool,
        par: bool,
        resume_for: Option<String>,
        return_to: String,
    ) -> Result<(), AuthError> {
        flow::redirect_after_preflight(auth, &provider, dpop, par, resume_for.as_deref(), &return_to).await
    }
}

/// A login with DPoP's key first, or a pushed authorization request.
pub(crate) async fn redirect_after_preflight(
    auth: Auth,
    provider: Arc<Provider>,
    (dpop, par): (bool, bool),
    resume_for: Option<String>,
    return_to: String,
) -> Result<(), AuthError> {
    enter!(preflight_door(auth, provider, dpop, par, resume_for, return_to)).and_then(|done| done)
}

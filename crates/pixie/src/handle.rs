//! [`Auth`], the handle components use: read-only reactive state, and methods
//! that ask the provider to do things. Components never write auth state.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use pixie_core::config::ClientConfig;
use pixie_core::http::{HttpRequest, HttpResponse};
use pixie_core::json::Object;
use pixie_core::provider::Provider;
use pixie_core::secret::AccessToken;
use pixie_core::session::Session;
use pixie_core::AuthError;

use crate::browser::broadcast::Channel;
use crate::config::ConfigSource;
use crate::events::AuthEvent;
use crate::state::{AuthState, Notice, RefreshStatus, UserinfoState};
use crate::flow;

/// The handle to the login that [`crate::AuthProvider`] runs. It is `Copy`:
/// take it once with [`use_auth`] and move it into closures.
///
/// Readers are reactive (they track, like a signal's `get`), so a view that
/// calls them updates by itself. Methods ask the provider to act; their
/// outcome shows in the readers.
///
/// ```no_run
/// use leptos::prelude::*;
/// use pixie::use_auth;
///
/// #[component]
/// fn Greeting() -> impl IntoView {
///     let auth = use_auth();
///     view! {
///         <p>{move || auth.sub().map(|sub| format!("Hello, {sub}"))}</p>
///         <button on:click=move |_| auth.logout()>"Log out"</button>
///     }
/// }
/// ```
#[derive(Clone, Copy)]
pub struct Auth {
    pub(crate) state: RwSignal<AuthState>,
    /// `None` until the configuration and discovery have loaded.
    pub(crate) provider: RwSignal<Option<Arc<Provider>>>,
    /// The configuration, as soon as it is read (before discovery).
    pub(crate) config: RwSignal<Option<Arc<ClientConfig>>>,
    /// The page's start is decided and Log in can start (see [`Auth::is_ready`]).
    pub(crate) ready: RwSignal<bool>,
    pub(crate) userinfo: RwSignal<UserinfoState>,
    pub(crate) notice: RwSignal<Option<Notice>>,
    pub(crate) refresh: RwSignal<RefreshStatus>,
    /// Refreshes this tab performed or adopted from another tab.
    pub(crate) refresh_count: RwSignal<u32>,
    /// A `prompt=none` resume is under way.
    pub(crate) resuming: RwSignal<bool>,
    pub(crate) last_error: RwSignal<Option<AuthError>>,
    pub(crate) runtime: StoredValue<Runtime, LocalStorage>,
    #[cfg(feature = "trace")]
    pub(crate) trace: crate::trace::TraceState,
}

pub(crate) type Listener = Rc<dyn Fn(AuthEvent)>;

/// What the provider owns besides its signals: timers, the tab channel,
/// listeners. One per `<AuthProvider>`, so two providers (or a remount) never
/// share them.
pub(crate) struct Runtime {
    pub(crate) source: ConfigSource,
    pub(crate) origin: String,
    /// A callback is handled at most once per provider, whatever re-runs.
    pub(crate) callback_handled: Cell<bool>,
    pub(crate) refresh_timer: RefCell<Option<TimeoutHandle>>,
    /// Network failures of the refresh in a row.
    pub(crate) refresh_failures: Cell<u32>,
    pub(crate) channel: RefCell<Option<Channel>>,
    pub(crate) listeners: RefCell<Vec<(u64, Listener)>>,
    pub(crate) next_listener: Cell<u64>,
    /// +1 whenever this tab signs out: a result that arrives for an older
    /// epoch (a refresh racing a logout) is dropped.
    pub(crate) epoch: Cell<u32>,
    /// A protected page started a login at this page load (`RequireAuth` starts at most one).
    pub(crate) guard_started: Cell<bool>,
    /// A protected page's login came back without a sign-in: do not start another by itself.
    pub(crate) guard_blocked: Cell<bool>,
    /// The configuration's request, sent as the provider starts (before the page is built).
    pub(crate) config_fetch: RefCell<Option<crate::browser::fetch::InFlight>>,
    /// Logins asked for before the provider's discovery document had loaded: they go once it has.
    pub(crate) after_discovery: RefCell<Vec<Box<dyn FnOnce()>>>,
    /// A stale copy of this session, waiting for a live tab's newest record …
    pub(crate) catching_up: RefCell<Option<Session>>,
    /// … and that record, once it came.
    pub(crate) caught_up: RefCell<Option<Session>>,
    /// When the last timed refreshes ran, oldest first (a few at most).
    pub(crate) recent_refreshes: RefCell<Vec<f64>>,
    /// The DPoP key of this tab's session (or of the login under way).
    pub(crate) dpop_key: RefCell<Option<Rc<crate::browser::dpop_key::DpopKey>>>,
    /// The servers' DPoP nonces, one per origin.
    pub(crate) dpop_nonces: RefCell<pixie_core::dpop::Nonces>,
}

impl Auth {
    pub(crate) fn new(source: ConfigSource, origin: String) -> Self {
        Self {
            state: RwSignal::new(AuthState::SignedOut),
            provider: RwSignal::new(None),
            config: RwSignal::new(None),
            ready: RwSignal::new(false),
            userinfo: RwSignal::new(UserinfoState::NotAvailable),
            notice: RwSignal::new(None),
            refresh: RwSignal::new(RefreshStatus::Idle),
            refresh_count: RwSignal::new(0),
            resuming: RwSignal::new(false),
            last_error: RwSignal::new(None),
            runtime: StoredValue::new_local(Runtime {
                source,
                origin,
                callback_handled: Cell::new(false),
                refresh_timer: RefCell::new(None),
                refresh_failures: Cell::new(0),
                channel: RefCell::new(None),
                listeners: RefCell::new(Vec::new()),
                next_listener: Cell::new(0),
                epoch: Cell::new(0),
                guard_started: Cell::new(false),
                guard_blocked: Cell::new(false),
                config_fetch: RefCell::new(None),
                after_discovery: RefCell::new(Vec::new()),
                catching_up: RefCell::new(None),
                caught_up: RefCell::new(None),
                recent_refreshes: RefCell::new(Vec::new()),
                dpop_key: RefCell::new(None),
                dpop_nonces: RefCell::new(Default::default()),
            }),
            #[cfg(feature = "trace")]
            trace: crate::trace::TraceState::new(),
        }
    }

    /// Run `f` on the provider's runtime; `None` once the provider is gone.
    pub(crate) fn rt<T>(&self, f: impl FnOnce(&Runtime) -> T) -> Option<T> {
        self.runtime.try_with_value(f)
    }

    pub(crate) fn epoch(&self) -> u32 {
        self.rt(|rt| rt.epoch.get()).unwrap_or(u32::MAX)
    }

    pub(crate) fn emit(&self, event: AuthEvent) {
        let listeners: Vec<Listener> =
            self.rt(|rt| rt.listeners.borrow().iter().map(|(_, f)| f.clone()).collect()).unwrap_or_default();
        for listener in listeners {
            listener(event);
        }
    }

    pub(crate) fn session_untracked(&self) -> Option<Arc<Session>> {
        match self.state.get_untracked() {
            AuthState::SignedIn(session) => Some(session),
            _ => None,
        }
    }

    // ----- readers (reactive) -----

    /// Where the login is.
    pub fn state(&self) -> AuthState {
        self.state.get()
    }

    /// Someone is signed in.
    pub fn is_signed_in(&self) -> bool {
        self.state.with(|state| matches!(state, AuthState::SignedIn(_)))
    }

    /// The page's start is decided and [`Auth::login`] can start: on a page
    /// that keeps no session, as soon as the configuration is read (a login
    /// asked for before the provider's discovery document arrives goes once
    /// it has); with a session to restore, once that is done.
    pub fn is_ready(&self) -> bool {
        self.ready.get()
    }

    /// Nothing is decided yet: the provider is loading, or a login is under way.
    pub fn is_loading(&self) -> bool {
        match self.state.get() {
            AuthState::Redirecting | AuthState::Exchanging => true,
            AuthState::SignedOut => !self.is_ready(),
            AuthState::SignedIn(_) | AuthState::Error(_) => false,
        }
    }

    /// The signed-in session (its tokens are redacted types).
    pub fn session(&self) -> Option<Arc<Session>> {
        match self.state.get() {
            AuthState::SignedIn(session) => Some(session),
            _ => None,
        }
    }

    /// The signed-in user's `sub`.
    pub fn sub(&self) -> Option<String> {
        self.state.with(|state| match state {
            AuthState::SignedIn(session) => Some(session.sub().to_owned()),
            _ => None,
        })
    }

    /// The signed-in user's ID-token claims, as checked.
    pub fn claims(&self) -> Option<Object> {
        self.state.with(|state| match state {
            AuthState::SignedIn(session) => Some(session.id_token_claims.claims.clone()),
            _ => None,
        })
    }

    /// The userinfo response, once signed in.
    pub fn userinfo(&self) -> UserinfoState {
        self.userinfo.get()
    }

    /// The access token, for clients that set the header themselves. It is a
    /// redacted type: `Debug` and `Display` never show it; `.secret()` does.
    /// Prefer [`Auth::fetch`], which also refreshes on a 401.
    pub fn access_token(&self) -> Option<AccessToken> {
        self.state.with(|state| match state {
            AuthState::SignedIn(session) => Some(session.access_token.clone()),
            _ => None,
        })
    }

    /// A refresh is under way.
    pub fn is_refreshing(&self) -> bool {
        self.refresh.with(|status| matches!(status, RefreshStatus::Refreshing))
    }

    /// What the refresher is doing.
    pub fn refresh_status(&self) -> RefreshStatus {
        self.refresh.get()
    }

    /// Refreshes this tab performed or took from another tab of the session.
    pub fn refresh_count(&self) -> u32 {
        self.refresh_count.get()
    }

    /// The last error: a failed login, an unusable configuration, a failed refresh or userinfo.
    pub fn error(&self) -> Option<AuthError> {
        self.last_error.get()
    }

    /// A message about something that just happened (signed out elsewhere, session ended, …).
    pub fn notice(&self) -> Option<Notice> {
        self.notice.get()
    }

    /// The configuration and the provider's metadata, once loaded.
    pub fn provider(&self) -> Option<Arc<Provider>> {
        self.provider.get()
    }

    /// The configuration, once read (before the provider's metadata: see [`Auth::provider`]).
    pub fn config(&self) -> Option<Arc<ClientConfig>> {
        self.config.get()
    }

    /// A `prompt=none` resume after a reload is under way.
    pub fn is_resuming(&self) -> bool {
        self.resuming.get()
    }

    // ----- methods -----

    /// Log in, and come back to the current page. Synchronous up to the
    /// redirect: the pending login is in sessionStorage before the page unloads.
    /// Does nothing until [`Auth::is_ready`]; asked for before the provider's
    /// discovery document has loaded, it shows `Redirecting` and goes once it has.
    pub fn login(&self) {
        flow::begin_login(*self, None);
    }

    /// Log in, and come back to `return_to` (a path on this origin; anything else becomes `/`).
    pub fn login_with(&self, return_to: &str) {
        flow::begin_login(*self, Some(return_to));
    }

    /// Log out: revoke the refresh token, sign out every tab, and end the
    /// provider's session (or say it was only local).
    pub fn logout(&self) {
        leptos::task::spawn_local(crate::parts::logout(*self));
    }

    /// Refresh the tokens now (serialised across tabs).
    pub fn refresh(&self) {
        let auth = *self;
        leptos::task::spawn_local(async move {
            let _ = crate::parts::refresh(auth).await;
        });
    }

    /// Send `request` with the access token (`Authorization: Bearer …`). On a
    /// 401, refresh once and retry once. Any HTTP answer is `Ok`; read its status.
    ///
    /// ```no_run
    /// # async fn call(auth: pixie::Auth) -> Result<(), pixie::AuthError> {
    /// let response = auth.fetch(pixie::HttpRequest::get_json("https://api.example.com/me")).await?;
    /// if response.status == 200 { /* response.body */ }
    /// # Ok(()) }
    /// ```
    pub async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, AuthError> {
        crate::parts::authorized_fetch(*self, request).await
    }

    /// Back to a clean signed-out start in this tab: forget its tokens (without
    /// telling the provider), the error and the notice, and load the
    /// configuration again if that was what failed.
    pub fn reset(&self) {
        flow::reset(*self);
    }

    /// Dismiss the current notice.
    pub fn dismiss_notice(&self) {
        self.notice.set(None);
    }

    /// Call `listener` on every [`AuthEvent`] until the calling component (its
    /// reactive owner) is cleaned up.
    pub fn on_event(&self, listener: impl Fn(AuthEvent) + 'static) {
        let Some(id) = self.rt(|rt| {
            let id = rt.next_listener.get();
            rt.next_listener.set(id + 1);
            rt.listeners.borrow_mut().push((id, Rc::new(listener)));
            id
        }) else {
            return;
        };
        let auth = *self;
        on_cleanup(move || {
            auth.rt(|rt| rt.listeners.borrow_mut().retain(|(other, _)| *other != id));
        });
    }
}

/// The [`Auth`] of the enclosing [`crate::AuthProvider`]. Panics outside one:
/// that is a mistake in the app's code, not a runtime condition.
pub fn use_auth() -> Auth {
    try_use_auth().expect("use_auth() called outside <AuthProvider>; wrap the app in <AuthProvider config=…>")
}

/// The [`Auth`] of the enclosing [`crate::AuthProvider`], if there is one.
pub fn try_use_auth() -> Option<Auth> {
    use_context::<Auth>()
}

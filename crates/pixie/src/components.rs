//! `<SignedIn>`, `<SignedOut>` and `<RequireAuth>`: what to show for each state.

use leptos::prelude::*;

use crate::state::{AuthState, Notice};
use crate::{flow, use_auth};

/// Its children while someone is signed in; else `fallback` (nothing by default).
///
/// ```no_run
/// # use leptos::prelude::*;
/// # use pixie::SignedIn;
/// # fn profile() -> impl IntoView {
/// view! { <SignedIn fallback=|| "Not signed in">"Welcome back"</SignedIn> }
/// # }
/// ```
#[component]
pub fn SignedIn(
    /// Shown while signed in.
    children: ChildrenFn,
    /// Shown otherwise.
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let auth = use_auth();
    view! { <Show when=move || auth.is_signed_in() fallback=fallback>{children()}</Show> }
}

/// Its children while nobody is signed in and no login is under way (the
/// provider loaded, nothing being exchanged); else `fallback`.
#[component]
pub fn SignedOut(
    /// Shown while signed out.
    children: ChildrenFn,
    /// Shown otherwise.
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    let auth = use_auth();
    let signed_out = move || matches!(auth.state(), AuthState::SignedOut) && auth.is_ready();
    view! { <Show when=signed_out fallback=fallback>{children()}</Show> }
}

/// A guard for pages that need a signed-in user. Nobody signed in: it starts
/// one login (coming back to this page), at most one per page load, and
/// shows `loading` meanwhile. If the login fails, or the provider or network
/// is down, it shows the error with a way to try again, instead of
/// redirecting in a loop; if a login it started came back without signing in
/// (the back button at the provider), it says so and waits for a click.
#[component]
pub fn RequireAuth(
    /// The protected content.
    children: ChildrenFn,
    /// Shown while the provider loads or the login runs.
    #[prop(optional, into)]
    loading: ViewFn,
) -> impl IntoView {
    let auth = use_auth();
    Effect::new(move |_| {
        let signed_out = matches!(auth.state(), AuthState::SignedOut);
        if signed_out && auth.is_ready() && auth.notice().is_none() {
            let may_start =
                auth.rt(|rt| !rt.guard_started.replace(true) && !rt.guard_blocked.get()).unwrap_or(false);
            if may_start {
                // A router updates the address bar only once the new page is drawn:
                // start after that, so the login comes back to this page.
                set_timeout(move || flow::begin_guarded_login(auth), std::time::Duration::ZERO);
            }
        }
    });
    let waiting_for_click = move || {
        auth.rt(|rt| rt.guard_started.get() || rt.guard_blocked.get()).unwrap_or(false)
            || auth.notice().is_some()
    };
    move || match auth.state() {
        AuthState::SignedIn(_) => children().into_any(),
        AuthState::Error(error) => view! {
            <div class="pixie-error" role="alert" data-code=error.code()>
                <p>{error.message()}</p>
                <button type="button" on:click=move |_| auth.reset()>"Try again"</button>
            </div>
        }
        .into_any(),
        AuthState::SignedOut if auth.is_ready() && waiting_for_click() => {
            let notice = auth.notice().unwrap_or(Notice::LoginNotCompleted);
            view! {
                <div class="pixie-login-needed" role="status" data-kind=notice.kind()>
                    <p>{notice.text()}</p>
                    <button type="button" on:click=move |_| auth.login()>"Log in"</button>
                </div>
            }
            .into_any()
        }
        _ => loading.run(),
    }
}

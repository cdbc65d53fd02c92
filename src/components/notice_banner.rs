use leptos::prelude::*;
use pixie::use_auth;

/// `#notice`: what just happened to the session (ended, signed out elsewhere, …).
#[component]
pub fn NoticeBanner() -> impl IntoView {
    let auth = use_auth();
    move || {
        auth.notice().map(|notice| {
            view! {
                <p id="notice" class="notice" data-kind=notice.kind() role="status">
                    {notice.text()}
                    <button class="notice__close" aria-label="Dismiss" on:click=move |_| auth.dismiss_notice()>
                        "×"
                    </button>
                </p>
            }
        })
    }
}

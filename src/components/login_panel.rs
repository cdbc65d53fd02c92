use leptos::prelude::*;
use pixie::use_auth;

use super::ResumeStatus;

/// Signed out: who we would log in with, and the button.
#[component]
pub fn LoginPanel() -> impl IntoView {
    let auth = use_auth();
    let issuer =
        move || auth.config().map(|c| c.issuer.clone()).unwrap_or_else(|| "loading…".to_owned());
    let client_id =
        move || auth.config().map(|c| c.client_id.clone()).unwrap_or_else(|| "loading…".to_owned());
    view! {
        <section class="panel login">
            <h2 class="panel__title">"Sign in"</h2>
            <p class="panel__lead">
                "Pixie is a public client: there is no client secret. It proves it started the login with a PKCE code_verifier instead."
            </p>
            <dl class="facts">
                <dt>"Issuer"</dt>
                <dd id="issuer"><code>{issuer}</code></dd>
                <dt>"Client"</dt>
                <dd id="client-id"><code>{client_id}</code></dd>
                <dt>"After a reload"</dt>
                <dd><ResumeStatus/></dd>
            </dl>
            <button class="button button--primary" disabled=move || !auth.is_ready() on:click=move |_| auth.login()>
                "Log in"
            </button>
        </section>
    }
}

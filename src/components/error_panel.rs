use leptos::prelude::*;
use pixie::{use_auth, AuthError};

/// A provider, network or configuration error: code, explanation, a way out.
#[component]
pub fn ErrorPanel(error: AuthError) -> impl IntoView {
    let auth = use_auth();
    let description = error.provider_description().map(str::to_owned);
    let code = error.code();
    view! {
        <section class="panel panel--error" role="alert">
            <h2 class="panel__title">"Sign-in failed"</h2>
            {lab_result(&code)}
            <p class="error__code">"Error code: " <code id="error">{code.clone()}</code></p>
            <p id="error-message" class="error__message">{error.message()}</p>
            {description.map(|text| view! {
                <p class="error__description">
                    "Provider said: " <q id="error-description">{text}</q>
                </p>
            })}
            <button class="button button--primary" on:click=move |_| auth.reset()>
                "Try again"
            </button>
        </section>
    }
}

#[cfg(feature = "walkthrough")]
fn lab_result(code: &str) -> impl IntoView {
    view! { <crate::walkthrough::LabResult code=code.to_owned()/> }
}

#[cfg(not(feature = "walkthrough"))]
fn lab_result(_code: &str) -> impl IntoView {}

use leptos::prelude::*;

use crate::auth::flow;
use crate::auth::lab::take_launched_attack;
use crate::auth::use_auth;
use crate::oauth::error::FlowError;

/// A provider, network or configuration error: code, explanation, a way out.
#[component]
pub fn ErrorPanel(error: FlowError) -> impl IntoView {
    let auth = use_auth();
    let description = error.provider_description().map(str::to_owned);
    let code = error.code();
    let lab_result = take_launched_attack().map(|attack| {
        let (rfc_label, rfc_url) = attack.reference();
        let stopped_as_expected = attack.expected_code() == code;
        view! {
            <p class="callout" id="lab-result" data-attack=attack.slug() data-expected=stopped_as_expected.to_string()>
                "Attack lab — " <strong>{attack.label()}</strong> ": "
                {if stopped_as_expected { "refused, as expected. " } else { "refused, by another check than expected. " }}
                {attack.check()} " "
                <a href=rfc_url target="_blank" rel="noreferrer noopener">{rfc_label}</a>
            </p>
        }
    });
    view! {
        <section class="panel panel--error" role="alert">
            <h2 class="panel__title">"Sign-in failed"</h2>
            {lab_result}
            <p class="error__code">"Error code: " <code id="error">{code.clone()}</code></p>
            <p id="error-message" class="error__message">{error.message()}</p>
            {description.map(|text| view! {
                <p class="error__description">
                    "Provider said: " <q id="error-description">{text}</q>
                </p>
            })}
            <button class="button button--primary" on:click=move |_| flow::start_over(auth)>
                "Try again"
            </button>
        </section>
    }
}

use leptos::prelude::*;

use pixie::protocol::trace::{HttpTrace, Step, TraceEntry};
use pixie::use_auth;

use super::ValueTable;

/// One step: why it exists, its RFC, its exact HTTP exchange, values and checks.
#[component]
pub fn StepCard(index: usize) -> impl IntoView {
    let trace = use_auth().trace();
    move || {
        let (entry, started_at) = trace.with(|entries| {
            (entries.get(index).cloned(), entries.first().map(|first| first.at_ms).unwrap_or(0.0))
        });
        entry.map(|entry| card(entry, started_at))
    }
}

fn card(entry: TraceEntry, started_at: f64) -> impl IntoView {
    let step = entry.step;
    let (rfc_label, rfc_url) = step.reference();
    let timing = match entry.duration_ms {
        // Whole milliseconds, as integers: no float formatting in the bundle.
        Some(took) => format!("at +{} ms · took {} ms", whole_ms(entry.at_ms - started_at), whole_ms(took)),
        None => format!("at +{} ms", whole_ms(entry.at_ms - started_at)),
    };
    let no_secret = (step == Step::TokenRequest).then(|| {
        view! {
            <p class="callout callout--key" id="no-client-secret">
                "No " <code>"client_secret"</code> " is sent: a browser app cannot keep one. "
                "What replaces it is the " <code>"code_verifier"</code>
                ": only the tab that made the challenge can answer it."
            </p>
        }
    });
    view! {
        <article class="step-card" id="step-card" data-step=step.slug() aria-live="polite">
            <h3 class="step-card__title">{format!("{}. {}", step.number(), step.title())}</h3>
            <p class="step-card__why">{step.why()}</p>
            <p class="step-card__meta">
                <a href=rfc_url target="_blank" rel="noreferrer noopener">{rfc_label}</a>
                " · " {timing}
            </p>
            {entry.error.clone().map(|code| view! {
                <p class="callout callout--error">"The flow stopped here: " <code class="step-card__error">{code}</code></p>
            })}
            {no_secret}
            {entry.http.clone().map(http_exchange)}
            {(!entry.values.is_empty()).then(|| view! { <ValueTable values=entry.values.clone() caption="Values"/> })}
            {(!entry.checks.is_empty()).then(|| {
                let checks = entry.checks.iter().map(|check| view! {
                    <li class="check" class:check--failed=!check.passed>
                        <span aria-hidden="true">{if check.passed { "✓ " } else { "✗ " }}</span>
                        {check.label.clone()}
                        {(!check.detail.is_empty()).then(|| view! { <span class="check__detail">{check.detail.clone()}</span> })}
                    </li>
                }).collect_view();
                view! { <ul class="checks" aria-label="Checks">{checks}</ul> }
            })}
        </article>
    }
}

fn http_exchange(http: HttpTrace) -> impl IntoView {
    let request_line = format!("{} {}", http.method, http.url);
    view! {
        <div class="http">
            <h4 class="http__title">"Request"</h4>
            <pre class="code-block http__line">{request_line}</pre>
            {(!http.query.is_empty()).then(|| view! { <ValueTable values=http.query.clone() caption="Query (decoded)"/> })}
            {(!http.request_headers.is_empty()).then(|| view! { <ValueTable values=http.request_headers.clone() caption="Headers"/> })}
            {(!http.form.is_empty()).then(|| view! { <ValueTable values=http.form.clone() caption="Form body"/> })}
            {http.status.map(|status| view! {
                <h4 class="http__title">"Response"</h4>
                <pre class="code-block http__line">
                    {format!("HTTP {status}  {}", http.response_content_type.clone().unwrap_or_default())}
                </pre>
                {http.response_body.clone().map(|body| view! { <pre class="code-block http__body">{body}</pre> })}
            })}
        </div>
    }
}

fn whole_ms(ms: f64) -> i64 {
    ms.round() as i64
}

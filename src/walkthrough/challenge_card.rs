use leptos::prelude::*;

use pixie::protocol::pkce::s256_challenge;
use pixie::protocol::secret::CodeVerifier;
use pixie::protocol::trace::Step;
use pixie::use_auth;

use crate::components::CopyButton;

/// Recomputes BASE64URL(SHA256(verifier)) in the page, from the spent verifier,
/// and compares it with the challenge that went to the provider.
#[component]
pub fn ChallengeCard() -> impl IntoView {
    let trace = use_auth().trace();
    let find = move |step: Step, name_prefix: &'static str| {
        trace.with(|entries| {
            entries
                .iter()
                .filter(|e| e.step == step)
                .flat_map(|e| &e.values)
                .find_map(|v| (v.name.starts_with(name_prefix) && !v.masked).then(|| v.value.clone()))
        })
    };
    let sent = move || find(Step::ChallengeDerived, "code_challenge");
    let spent_verifier = move || find(Step::TokenRequest, "code_verifier");
    // The reader may edit the verifier to see the hash change.
    let edited = RwSignal::new(None::<String>);
    let verifier = move || edited.get().or_else(spent_verifier).unwrap_or_default();
    let recomputed = move || s256_challenge(&CodeVerifier::new(verifier()));
    let matches = move || sent().is_some_and(|sent| sent == recomputed());

    move || {
        spent_verifier().map(|_| {
            view! {
                <section class="explain" id="challenge-card" aria-labelledby="challenge-title">
                    <h3 id="challenge-title">"Explain the challenge"</h3>
                    <p>
                        "The verifier is spent now, so it can be shown. Recomputed here, in your browser: "
                        <code>"BASE64URL(SHA256(code_verifier))"</code>
                    </p>
                    <label class="explain__field">
                        "code_verifier"
                        <input
                            id="challenge-verifier"
                            type="text"
                            spellcheck="false"
                            prop:value=verifier
                            on:input=move |ev| edited.set(Some(event_target_value(&ev)))
                        />
                    </label>
                    <dl class="facts">
                        <dt>"Recomputed"</dt>
                        <dd>
                            <code id="challenge-recomputed">{recomputed}</code>
                            <CopyButton text=Signal::derive(recomputed) label="recomputed challenge"/>
                        </dd>
                        <dt>"Sent in step 3"</dt>
                        <dd>
                            <code id="challenge-sent">{move || sent().unwrap_or_default()}</code>
                            <CopyButton text=Signal::derive(move || sent().unwrap_or_default()) label="challenge sent"/>
                        </dd>
                    </dl>
                    <p class="explain__verdict" data-match=move || matches().to_string()>
                        {move || if matches() {
                            "✓ They are equal: the token endpoint did this same computation to accept the code."
                        } else {
                            "✗ Different: the provider would refuse this verifier."
                        }}
                    </p>
                </section>
            }
        })
    }
}

use leptos::prelude::*;

use super::launch::take_launched_attack;

/// On the error page a forged callback from the attack lab led to: which
/// attack it was, and whether the check expected to refuse it did.
#[component]
pub fn LabResult(code: String) -> impl IntoView {
    take_launched_attack().map(|attack| {
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
    })
}

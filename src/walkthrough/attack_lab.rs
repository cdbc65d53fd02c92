use leptos::prelude::*;

use pixie::use_auth;

use super::lab::ATTACKS;
use super::launch::launch;

/// Real attacks on the callback this page just handled, each with the check that stops it.
/// Shown only while signed in from that callback.
#[component]
pub fn AttackLab() -> impl IntoView {
    let auth = use_auth();
    // Only after a real sign-in: its callback is what the attacks are built from.
    let signed_in = move || auth.is_signed_in();
    move || {
        auth.last_callback_query().filter(|_| signed_in()).map(|_| {
            let attacks = ATTACKS
                .into_iter()
                .map(|attack| {
                    let (rfc_label, rfc_url) = attack.reference();
                    view! {
                        <li class="attack" data-attack=attack.slug()>
                            <button class="button button--danger" type="button" on:click=move |_| launch(auth, attack)>
                                {attack.label()}
                            </button>
                            <p class="attack__check">
                                "Stopped by: " {attack.check()} " Expect " <code>{attack.expected_code()}</code> ". "
                                <a href=rfc_url target="_blank" rel="noreferrer noopener">{rfc_label}</a>
                            </p>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="explain" id="attack-lab" aria-labelledby="attack-lab-title">
                    <h3 id="attack-lab-title">"Attack lab"</h3>
                    <p>"Each button really sends your browser to a forged callback built from the one this page received. Watch which check refuses it."</p>
                    <ul class="attacks">{attacks}</ul>
                </section>
            }
        })
    }
}

//! The live walkthrough: the flow's own trace (from `pixie`'s `trace`
//! feature), drawn as a sequence diagram with a card per step, the challenge
//! recomputed, the JWTs decoded, and an attack lab.

mod attack_lab;
mod challenge_card;
mod jwt_viewer;
mod lab;
mod lab_result;
mod launch;
mod sequence_diagram;
mod step_card;
mod value_table;

pub use attack_lab::AttackLab;
pub use challenge_card::ChallengeCard;
pub use jwt_viewer::JwtViewer;
pub use lab::{Attack, ATTACKS};
pub use lab_result::LabResult;
pub use sequence_diagram::SequenceDiagram;
pub use step_card::StepCard;
pub use value_table::ValueTable;

use leptos::prelude::*;
use pixie::use_auth;

#[component]
pub fn Walkthrough() -> impl IntoView {
    let auth = use_auth();
    let trace = auth.trace();
    // Follows the newest step until the reader picks one.
    let picked = RwSignal::new(None::<usize>);
    let selected = Memo::new(move |_| {
        let count = trace.with(Vec::len);
        picked.get().filter(|i| *i < count).or(count.checked_sub(1))
    });
    let has_trace = move || trace.with(|t| !t.is_empty());

    view! {
        <section class="panel walkthrough" id="walkthrough" aria-labelledby="walkthrough-title">
            <div class="walkthrough__header">
                <h2 class="panel__title" id="walkthrough-title">"Walkthrough: the flow, as it just ran"</h2>
                <button class="button" type="button" on:click=move |_| { picked.set(None); auth.reset() }>
                    "Start over"
                </button>
            </div>
            <Show
                when=move || auth.trace_published()
                fallback=|| view! { <p class="panel__lead">"The steps appear as soon as the login completes."</p> }
            >
                <Show
                    when=has_trace
                    fallback=|| view! {
                        <p class="panel__lead">
                            "Log in, and every step of the PKCE flow appears here with the real values from your browser."
                        </p>
                    }
                >
                    <div class="walkthrough__body">
                        <SequenceDiagram selected=selected on_select=move |i| picked.set(Some(i))/>
                        {move || selected.get().map(|index| view! { <StepCard index=index/> })}
                    </div>
                    <ChallengeCard/>
                </Show>
                <JwtViewer/>
                <AttackLab/>
            </Show>
        </section>
    }
}

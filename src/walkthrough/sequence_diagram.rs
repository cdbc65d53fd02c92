use leptos::prelude::*;

use pixie::protocol::trace::Lane;
use pixie::use_auth;

use crate::dom;

// Whole pixels: integer attributes keep float formatting out of the bundle.
const LANES: [(Lane, &str, i32); 3] = [
    (Lane::Browser, "Browser (Pixie)", 90),
    (Lane::Authorize, "Authorize endpoint", 300),
    (Lane::Token, "Token endpoint", 510),
];
const TOP: i32 = 56;
const ROW: i32 = 34;

fn lane_x(lane: Lane) -> i32 {
    LANES.iter().find(|(l, _, _)| *l == lane).map_or(0, |(_, _, x)| *x)
}

/// Three lanes, one arrow per step, lit as the flow reaches it. Each step is a
/// focusable list item: click, Enter or Space opens its card, arrows move.
#[component]
pub fn SequenceDiagram(
    selected: Memo<Option<usize>>,
    on_select: impl Fn(usize) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let trace = use_auth().trace();
    let height = move || TOP + ROW * trace.with(Vec::len) as i32 + 16;
    let lanes = LANES
        .iter()
        .map(|(_, name, x)| {
            view! {
                <g class="sequence__lane" aria-hidden="true">
                    <text x=*x y="20" text-anchor="middle" class="sequence__lane-title">{*name}</text>
                    <line x1=*x y1="30" x2=*x y2=height class="sequence__lifeline"/>
                </g>
            }
        })
        .collect_view();

    let steps = move || {
        trace.with(|entries| {
            let count = entries.len();
            entries
                .iter()
                .enumerate()
                .map(|(index, entry)| {
                    let (from, to) = entry.step.lanes();
                    let (x1, x2) = (lane_x(from), lane_x(to));
                    let y = TOP + ROW * index as i32;
                    let label = format!("{}. {}", entry.step.number(), entry.step.title());
                    let aria_label = label.clone();
                    let failed = entry.error.is_some();
                    let class = move || {
                        let mut class = String::from("flow-step");
                        if selected.get() == Some(index) {
                            class.push_str(" flow-step--active");
                        }
                        if failed {
                            class.push_str(" flow-step--failed");
                        }
                        class
                    };
                    let arrow = if from == to {
                        // A step inside one party: a small loop on its lifeline.
                        format!("M {x1} {} h 28 v 14 h -28", y - 7)
                    } else {
                        format!("M {x1} {y} L {x2} {y}")
                    };
                    let (text_x, anchor) =
                        if from == to { (x1 + 34, "start") } else { ((x1 + x2) / 2, "middle") };
                    let marker = move || {
                        let kind = if failed {
                            "failed"
                        } else if selected.get() == Some(index) {
                            "active"
                        } else {
                            "plain"
                        };
                        format!("url(#arrowhead-{kind})")
                    };
                    let on_key = move |ev: leptos::ev::KeyboardEvent| {
                        let target = match ev.key().as_str() {
                            "Enter" | " " => Some(index),
                            "ArrowDown" | "ArrowRight" => Some((index + 1).min(count - 1)),
                            "ArrowUp" | "ArrowLeft" => Some(index.saturating_sub(1)),
                            _ => None,
                        };
                        if let Some(target) = target {
                            ev.prevent_default();
                            on_select(target);
                            dom::focus(&format!("[data-step-index=\"{target}\"]"));
                        }
                    };
                    view! {
                        <g
                            class=class
                            role="listitem"
                            tabindex=move || if selected.get() == Some(index) { "0" } else { "-1" }
                            data-step=entry.step.slug()
                            data-step-index=index
                            aria-label=aria_label
                            aria-current=move || (selected.get() == Some(index)).then_some("step")
                            on:click=move |_| on_select(index)
                            on:keydown=on_key
                        >
                            <rect x="4" y=y - 15 width="592" height="30" rx="6" class="flow-step__hit"/>
                            <path d=arrow class="flow-step__arrow" marker-end=marker/>
                            <text x=text_x y=y - 6 text-anchor=anchor class="flow-step__label">{label}</text>
                        </g>
                    }
                })
                .collect_view()
        })
    };

    // One marker per state: a marker cannot take its colour from the arrow using it.
    let markers = ["plain", "active", "failed"]
        .into_iter()
        .map(|kind| {
            view! {
                <marker id=format!("arrowhead-{kind}") viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class=format!("sequence__arrowhead sequence__arrowhead--{kind}")/>
                </marker>
            }
        })
        .collect_view();
    view! {
        <p class="sequence-hint">"Scroll the diagram sideways to see all three lanes."</p>
        <div class="sequence-frame">
        <svg
            class="sequence"
            viewBox=move || format!("0 0 600 {}", height())
            role="list"
            aria-label="Sequence diagram of the login: Browser, authorize endpoint, token endpoint"
        >
            <defs>{markers}</defs>
            {lanes}
            {steps}
        </svg>
        </div>
    }
}

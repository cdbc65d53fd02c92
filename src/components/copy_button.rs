use leptos::prelude::*;

use crate::dom;

/// A small "Copy" button for a value; says "Copied" for a moment.
#[component]
pub fn CopyButton(#[prop(into)] text: Signal<String>, #[prop(into)] label: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            class="copy-button"
            type="button"
            aria-label=format!("Copy {label}")
            on:click=move |_| {
                dom::copy(&text.get_untracked());
                copied.set(true);
                set_timeout(move || copied.set(false), std::time::Duration::from_millis(1200));
            }
        >
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="panel">
            <h2 class="panel__title">"Page not found"</h2>
            <p>"There is nothing here. " <a href="/">"Go to the start page"</a>"."</p>
        </section>
    }
}

use leptos::prelude::*;

use pixie::protocol::trace::TraceValue;

use crate::components::CopyButton;

/// Name/value rows, each value with a copy button. Masked values say so.
#[component]
pub fn ValueTable(values: Vec<TraceValue>, #[prop(into)] caption: String) -> impl IntoView {
    let rows = values
        .into_iter()
        .map(|value| {
            let (name, label) = (value.name.clone(), value.name.clone());
            let text = value.value.clone();
            view! {
                <tr data-name=value.name.clone()>
                    <th scope="row"><code>{name}</code></th>
                    <td>
                        <code class="value" class:value--masked=value.masked>{text.clone()}</code>
                        {value.masked.then(|| view! { <span class="value__note">" masked"</span> })}
                        <CopyButton text=Signal::derive(move || text.clone()) label=label/>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="values">
            <caption>{caption}</caption>
            <tbody>{rows}</tbody>
        </table>
    }
}

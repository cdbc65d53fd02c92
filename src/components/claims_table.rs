use leptos::prelude::*;
use pixie::{Json, Object};

use crate::components::CopyButton;
use crate::format::utc_datetime;

/// Claims as a table; NumericDate claims also shown as UTC times.
#[component]
pub fn ClaimsTable(claims: Object) -> impl IntoView {
    const TIME_CLAIMS: &[&str] = &["exp", "iat", "auth_time", "nbf", "updated_at"];
    let rows = claims
        .iter()
        .map(|(name, value)| {
            let human = TIME_CLAIMS
                .contains(&name)
                .then(|| value.as_number().and_then(|n| n.as_i64()).map(utc_datetime))
                .flatten();
            let name = name.to_owned();
            let copy_label = name.clone();
            let shown = match value {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            view! {
                <tr>
                    <th scope="row"><code>{name}</code></th>
                    <td>
                        <code>{shown.clone()}</code>
                        <CopyButton text=Signal::derive(move || shown.clone()) label=copy_label/>
                        {human.map(|h| view! { <span class="claims__time">{h}</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="claims">
            <tbody>{rows}</tbody>
        </table>
    }
}

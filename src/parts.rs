//! What a first visit does not need, as parts of the module of their own
//! (feature `split`, cut by Trunk.toml's hook, `dev/split.mjs`): the signed-in
//! page and the error page, and the walkthrough. Each part is fetched when the
//! page first needs it, or earlier, once the page is usable ([`prefetch`]);
//! without `split` these are plain calls.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use pixie::{AuthError, Session};

/// A view from a part: drawn as soon as the part has loaded (at once, if it has).
#[cfg(feature = "split")]
pub fn from_part(
    part: impl std::future::Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
) -> AnyView {
    Suspend::new(send_wrapper::SendWrapper::new(async move { or_unavailable(part.await) })).into_any()
}

/// A view from a part (built without `split`: already here).
#[cfg(not(feature = "split"))]
pub fn from_part(part: Result<AnyView, SplitLoaderError>) -> AnyView {
    or_unavailable(part)
}

fn or_unavailable(part: Result<AnyView, SplitLoaderError>) -> AnyView {
    part.unwrap_or_else(|_| {
        view! {
            <section class="panel notice" id="part-unavailable" role="alert">
                "This part of the page could not be loaded (the network failed). Reload the page to try again."
            </section>
        }
        .into_any()
    })
}

/// The signed-in page.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        demo_pages,
        wasm_split_path = ::leptos::wasm_split,
        fallible,
        preload(preload_pages)
    )
)]
pub fn session_panel(session: Arc<Session>) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::components::SessionPanel session=session/> }.into_any())
}

/// The error page.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(demo_pages, wasm_split_path = ::leptos::wasm_split, fallible)
)]
pub fn error_panel(error: AuthError) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::components::ErrorPanel error=error/> }.into_any())
}

/// The walkthrough.
#[cfg(feature = "walkthrough")]
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(walkthrough, wasm_split_path = ::leptos::wasm_split, fallible)
)]
pub fn walkthrough() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::walkthrough::Walkthrough/> }.into_any())
}

/// Fetch the pages' part now, so the page that needs it finds it in the cache.
pub async fn prefetch() {
    #[cfg(feature = "split")]
    let _ = preload_pages().await;
}

//! Browser tests of the demo's components in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown --test browser`).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use pixie::{AuthConfig, AuthProvider, ClientConfig};
use pixie_demo::components::{LoginPanel, StatusBadge};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn wait_for(host: &web_sys::HtmlElement, selector: &str) -> web_sys::Element {
    for _ in 0..200 {
        if let Some(element) = host.query_selector(selector).unwrap() {
            return element;
        }
        leptos::task::tick().await;
        let pause = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 25)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(pause).await.unwrap();
    }
    panic!("{selector} never appeared");
}

#[wasm_bindgen_test]
async fn log_in_waits_for_the_provider_and_an_unreachable_one_is_an_error() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    // Nothing listens on port 9: discovery fails.
    let config = AuthConfig::new(ClientConfig::builder("http://127.0.0.1:9", "pixie-demo"));
    leptos::mount::mount_to(host.clone(), move || {
        view! { <AuthProvider config=config.clone()><StatusBadge/><LoginPanel/></AuthProvider> }
    })
    .forget();

    let status = wait_for(&host, "#status").await;
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("signed-out"));
    let button = host.query_selector("button").unwrap().expect("the Log in button");
    assert_eq!(button.text_content().as_deref(), Some("Log in"));
    assert!(button.has_attribute("disabled"), "disabled until the configuration is read");

    wait_for(&host, "#status[data-state=error]").await;
    host.remove();
}

//! Sends the core's `HttpRequest` values with fetch (gloo-net).

use std::time::Duration;

use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::{set_timeout_with_handle, TimeoutHandle};
use pixie_core::http::{HttpRequest, HttpResponse};
use wasm_bindgen::JsCast;
use web_sys::{AbortController, ReferrerPolicy, RequestCache, RequestCredentials, RequestRedirect};

/// Why a fetch failed before any response arrived. The browser does not say
/// whether it was offline, DNS, CORS or a refused redirect, so neither can we.
pub(crate) struct NetworkFailure(pub String);

/// Send `request`. No cookies, no caching, no Referer; a request that carries
/// a credential never follows a redirect; it gives up after `timeout_secs`.
pub(crate) async fn send(request: &HttpRequest, timeout_secs: u32) -> Result<HttpResponse, NetworkFailure> {
    begin(request, timeout_secs).finish().await
}

/// A request already handed to the browser: `begin` sends it at once (not at
/// the first poll, as an async fn would), so it can run while the page is built.
pub(crate) struct InFlight {
    started: Result<(js_sys::Promise, AbortController, Option<TimeoutHandle>), NetworkFailure>,
    timeout_secs: u32,
}

/// Start `request` now; await it with [`InFlight::finish`].
pub(crate) fn begin(request: &HttpRequest, timeout_secs: u32) -> InFlight {
    InFlight { started: start(request, timeout_secs, false), timeout_secs }
}

/// Start a GET of one of the app's own files (`config.json`) as the page's
/// `<link rel="preload" as="fetch" crossorigin>` fetches it: same-origin
/// credentials and the default cache mode, so the browser can hand over the
/// preloaded answer instead of asking again. The file is served `no-cache`
/// (or `no-store`), so it is never used stale.
pub(crate) fn begin_own_file(request: &HttpRequest, timeout_secs: u32) -> InFlight {
    InFlight { started: start(request, timeout_secs, true), timeout_secs }
}

fn start(
    request: &HttpRequest,
    timeout_secs: u32,
    own_file: bool,
) -> Result<(js_sys::Promise, AbortController, Option<TimeoutHandle>), NetworkFailure> {
    let method = Method::from_bytes(request.method.as_bytes()).map_err(|e| NetworkFailure(e.to_string()))?;
    let controller =
        AbortController::new().map_err(|_| NetworkFailure("fetch cannot be aborted".to_owned()))?;
    let redirect =
        if request.carries_credentials() { RequestRedirect::Error } else { RequestRedirect::Follow };
    // A GET (userinfo, an API) must not be kept in the HTTP cache. A POST never
    // is (and the token endpoint says `no-store`); its default mode lets the
    // browser reuse a cached CORS preflight, which `no-store` would bypass, so
    // a DPoP refresh is one request, not two.
    let cache =
        if request.method == "GET" && !own_file { RequestCache::NoStore } else { RequestCache::Default };
    let credentials = if own_file { RequestCredentials::SameOrigin } else { RequestCredentials::Omit };
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        .credentials(credentials)
        .cache(cache)
        .referrer_policy(ReferrerPolicy::NoReferrer)
        .redirect(redirect)
        .abort_signal(Some(&controller.signal()));
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let prepared = match &request.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    }
    .map_err(|e| NetworkFailure(e.to_string()))?;
    let window = web_sys::window().ok_or_else(|| NetworkFailure("no window".to_owned()))?;
    let raw: web_sys::Request = prepared.into();
    let promise = window.fetch_with_request(&raw);
    let abort = controller.clone();
    let timer =
        set_timeout_with_handle(move || abort.abort(), Duration::from_secs(u64::from(timeout_secs))).ok();
    Ok((promise, controller, timer))
}

impl InFlight {
    /// The response, or why none came.
    pub(crate) async fn finish(self) -> Result<HttpResponse, NetworkFailure> {
        let timeout_secs = self.timeout_secs;
        let (promise, controller, timer) = self.started?;
        let result = receive(promise).await;
        if let Some(timer) = timer {
            timer.clear();
        }
        result.map_err(|detail| {
            if controller.signal().aborted() {
                NetworkFailure(format!("no answer within {timeout_secs} s"))
            } else {
                NetworkFailure(detail)
            }
        })
    }
}

async fn receive(promise: js_sys::Promise) -> Result<HttpResponse, String> {
    let response = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(describe)?;
    let response = gloo_net::http::Response::from(
        response.dyn_into::<web_sys::Response>().map_err(|_| "fetch did not return a Response".to_owned())?,
    );
    let status = response.status();
    let headers: Vec<(String, String)> = response.headers().entries().collect();
    let content_type = headers.iter().find(|(name, _)| name == "content-type").map(|(_, v)| v.clone());
    let body = response.text().await.map_err(|e| e.to_string())?;
    Ok(HttpResponse { status, content_type, body, headers })
}

/// The browser's reason, e.g. `TypeError: Failed to fetch`.
fn describe(error: wasm_bindgen::JsValue) -> String {
    error
        .unchecked_into::<js_sys::Error>()
        .to_string()
        .as_string()
        .unwrap_or_else(|| "the request failed".to_owned())
}

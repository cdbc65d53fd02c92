//! Sends the core's `HttpRequest` values with fetch (gloo-net).

use std::time::Duration;

use gloo_net::http::{Method, RequestBuilder};
use pixie_core::http::{HttpRequest, HttpResponse, REQUEST_TIMEOUT_MS};
use web_sys::{AbortController, ReferrerPolicy, RequestCache, RequestCredentials, RequestRedirect};

/// Why a fetch failed before any response arrived. The browser does not say
/// whether it was offline, DNS, CORS or a refused redirect, so neither can we.
pub(crate) struct NetworkFailure(pub String);

/// Send `request`. No cookies, no caching, no Referer; a request that carries
/// a credential never follows a redirect; every request gives up after
/// `REQUEST_TIMEOUT_MS`.
pub(crate) async fn send(request: &HttpRequest) -> Result<HttpResponse, NetworkFailure> {
    let method = Method::from_bytes(request.method.as_bytes()).map_err(|e| NetworkFailure(e.to_string()))?;
    let controller =
        AbortController::new().map_err(|_| NetworkFailure("fetch cannot be aborted".to_owned()))?;
    let redirect =
        if request.carries_credentials() { RequestRedirect::Error } else { RequestRedirect::Follow };
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore)
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

    let abort = controller.clone();
    let timer = leptos::prelude::set_timeout_with_handle(
        move || abort.abort(),
        Duration::from_millis(u64::from(REQUEST_TIMEOUT_MS)),
    )
    .ok();
    let result = receive(prepared).await;
    if let Some(timer) = timer {
        timer.clear();
    }
    result.map_err(|detail| {
        if controller.signal().aborted() {
            NetworkFailure(format!("no answer within {} s", REQUEST_TIMEOUT_MS / 1000))
        } else {
            NetworkFailure(detail)
        }
    })
}

async fn receive(request: gloo_net::http::Request) -> Result<HttpResponse, String> {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let headers: Vec<(String, String)> = response.headers().entries().collect();
    let content_type = headers.iter().find(|(name, _)| name == "content-type").map(|(_, v)| v.clone());
    let body = response.text().await.map_err(|e| e.to_string())?;
    Ok(HttpResponse { status, content_type, body, headers })
}

//! Sends the core's `HttpRequest` values with fetch (gloo-net).

use gloo_net::http::{Method, RequestBuilder};
use web_sys::{ReferrerPolicy, RequestCache, RequestCredentials};

use crate::oauth::http::{HttpRequest, HttpResponse};

/// Why a fetch failed before any response arrived. The browser does not say
/// whether it was offline, DNS or CORS, so neither can we.
pub struct NetworkFailure(pub String);

pub async fn send(request: &HttpRequest) -> Result<HttpResponse, NetworkFailure> {
    let method = match request.method {
        "POST" => Method::POST,
        _ => Method::GET,
    };
    let mut builder = RequestBuilder::new(&request.url)
        .method(method)
        // No cookies to the provider's API endpoints, no caching of tokens, no Referer.
        .credentials(RequestCredentials::Omit)
        .cache(RequestCache::NoStore)
        .referrer_policy(ReferrerPolicy::NoReferrer);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    let prepared = match &request.body {
        Some(body) => builder.body(body.as_str()),
        None => builder.build(),
    }
    .map_err(|e| NetworkFailure(e.to_string()))?;

    let response = prepared.send().await.map_err(|e| NetworkFailure(e.to_string()))?;
    let status = response.status();
    let content_type = response.headers().get("content-type");
    let body = response.text().await.map_err(|e| NetworkFailure(e.to_string()))?;
    Ok(HttpResponse { status, content_type, body })
}

/// GET a same-origin or public JSON document.
pub async fn get(url: &str) -> Result<HttpResponse, NetworkFailure> {
    send(&HttpRequest {
        method: "GET",
        url: url.to_owned(),
        headers: vec![("Accept", "application/json".to_owned())],
        body: None,
    })
    .await
}

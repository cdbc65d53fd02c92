//! Plain request and response values. The browser layer sends them; the core
//! only builds and judges them, so every check is testable without a network.

/// An HTTP request to send, as data. Its `Debug` hides headers and body, which
/// carry codes, verifiers and tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// The absolute URL, query included.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(&'static str, String)>,
    /// The body, for `POST` and the like.
    pub body: Option<String>,
}

impl core::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HttpRequest({} {} [headers and body redacted])", self.method, self.url)
    }
}

/// An HTTP response as received. Its `Debug` hides the body.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body as text.
    pub body: String,
    /// The response headers the caller could read (names in lower case).
    pub headers: Vec<(String, String)>,
}

impl core::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HttpResponse({} {:?} [body redacted])", self.status, self.content_type)
    }
}

impl HttpResponse {
    /// A response with no headers besides its content type.
    pub fn new(status: u16, content_type: Option<&str>, body: impl Into<String>) -> Self {
        Self { status, content_type: content_type.map(str::to_owned), body: body.into(), headers: Vec::new() }
    }

    /// `application/json`, with or without parameters such as `charset`.
    pub fn is_json(&self) -> bool {
        self.has_media_type("application/json")
    }

    /// The content type's essence (before any `;` parameters) is `media_type`.
    pub fn has_media_type(&self, media_type: &str) -> bool {
        self.content_type.as_deref().is_some_and(|ct| {
            let essence = ct.split(';').next().unwrap_or("").trim();
            essence.eq_ignore_ascii_case(media_type)
        })
    }

    /// The first header named `name` (compared without regard to case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

impl HttpRequest {
    /// A `GET` of `url` that asks for JSON.
    pub fn get_json(url: &str) -> Self {
        Self {
            method: "GET",
            url: url.to_owned(),
            headers: vec![("Accept", "application/json".to_owned())],
            body: None,
        }
    }

    /// A request with no headers and no body.
    pub fn new(method: &'static str, url: impl Into<String>) -> Self {
        Self { method, url: url.into(), headers: Vec::new(), body: None }
    }

    /// The same request with one more header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The same request with a body.
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// A form-encoded POST that asks for JSON: the token, refresh and revocation requests.
    pub fn form_post(url: &str, body: String) -> Self {
        Self {
            method: "POST",
            url: url.to_owned(),
            headers: vec![
                ("Content-Type", "application/x-www-form-urlencoded".to_owned()),
                ("Accept", "application/json".to_owned()),
            ],
            body: Some(body),
        }
    }

    /// The first header named `name` (compared without regard to case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// True when the request carries a code, verifier, token or other
    /// credential: it has a body, or an `Authorization` or `DPoP` header. Such
    /// a request must never follow a redirect, which would resend the secret
    /// to wherever the redirect points (a 307 or 308 keeps the body).
    pub fn carries_credentials(&self) -> bool {
        self.body.is_some() || self.header("authorization").is_some() || self.header("dpop").is_some()
    }
}

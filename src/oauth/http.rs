//! Plain request and response values. The browser layer sends them; the core
//! only builds and judges them, so every check is testable without a network.

#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

impl core::fmt::Debug for HttpRequest {
    // Bodies and headers carry codes, verifiers and bearer tokens.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HttpRequest({} {} [headers and body redacted])", self.method, self.url)
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

impl core::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "HttpResponse({} {:?} [body redacted])", self.status, self.content_type)
    }
}

impl HttpResponse {
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
}

impl HttpRequest {
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
}

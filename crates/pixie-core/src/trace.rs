//! The flow trace: what each protocol step sent and received, as the flow
//! really ran it, with secrets masked. The walkthrough draws from it; it is
//! kept in sessionStorage across the redirect, so only masked values go in.

use crate::encoding::parse_query;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::{Json, Object};

/// Storage key name (after the app's prefix) of the trace; removed on logout and "start over".
pub const TRACE_NAME: &str = "trace";

/// The most entries a trace keeps: the oldest go first, so a long session
/// cannot grow it (or its stored copy) without bound.
pub const MAX_ENTRIES: usize = 64;

/// Parameters, headers and JSON members whose values are masked.
const SECRET_NAMES: &[&str] = &[
    "code",
    "code_verifier",
    "state",
    "nonce",
    "access_token",
    "refresh_token",
    "id_token",
    "id_token_hint",
    "token",
    "client_secret",
    "authorization",
    "dpop",
];

/// The swim lanes of the sequence diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The browser: Pixie itself.
    Browser,
    /// The provider's authorization endpoint (the pages the person sees).
    Authorize,
    /// The provider's back end: token, userinfo, revocation, APIs.
    Token,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// One step of the flow, as the walkthrough numbers it.
pub enum Step {
    /// 1. The code_verifier is made.
    VerifierMade,
    /// 2. The code_challenge is derived.
    ChallengeDerived,
    /// 2. A DPoP key pair is made (RFC 9449), when the provider supports DPoP.
    DpopKey,
    /// 3. The authorization request is pushed (RFC 9126), when PAR is used.
    PushedRequest,
    /// 3. The browser goes to the authorization endpoint.
    AuthorizationRequest,
    /// 4. The person signs in at the provider.
    UserAtProvider,
    /// 5. The provider redirects back.
    Callback,
    /// 6. The callback is checked.
    CallbackValidated,
    /// 7. The code is exchanged.
    TokenRequest,
    /// 8. The tokens arrive.
    TokenResponse,
    /// 9. The ID token is verified.
    IdTokenValidated,
    /// 10. UserInfo is fetched.
    Userinfo,
    /// 10. An API is called.
    ApiCall,
    /// 10. The tokens are refreshed.
    Refresh,
    /// 11. Logout.
    Logout,
}

const ALL_STEPS: [Step; 15] = [
    Step::VerifierMade,
    Step::ChallengeDerived,
    Step::DpopKey,
    Step::PushedRequest,
    Step::AuthorizationRequest,
    Step::UserAtProvider,
    Step::Callback,
    Step::CallbackValidated,
    Step::TokenRequest,
    Step::TokenResponse,
    Step::IdTokenValidated,
    Step::Userinfo,
    Step::ApiCall,
    Step::Refresh,
    Step::Logout,
];

impl Step {
    /// The name stored in the trace record: its slug, e.g. `"token-request"`.
    fn stored_name(self) -> &'static str {
        self.slug()
    }

    fn from_stored_name(name: &str) -> Option<Self> {
        ALL_STEPS.into_iter().find(|step| step.stored_name() == name)
    }

    /// The number shown in the diagram.
    pub fn number(self) -> u8 {
        match self {
            Self::VerifierMade => 1,
            Self::ChallengeDerived | Self::DpopKey => 2,
            Self::PushedRequest | Self::AuthorizationRequest => 3,
            Self::UserAtProvider => 4,
            Self::Callback => 5,
            Self::CallbackValidated => 6,
            Self::TokenRequest => 7,
            Self::TokenResponse => 8,
            Self::IdTokenValidated => 9,
            Self::Userinfo | Self::ApiCall | Self::Refresh => 10,
            Self::Logout => 11,
        }
    }

    /// `data-step` in the page: a stable name for tests and tools.
    pub fn slug(self) -> &'static str {
        match self {
            Self::VerifierMade => "verifier",
            Self::ChallengeDerived => "challenge",
            Self::DpopKey => "dpop-key",
            Self::PushedRequest => "pushed-authorization-request",
            Self::AuthorizationRequest => "authorization-request",
            Self::UserAtProvider => "user-at-provider",
            Self::Callback => "callback",
            Self::CallbackValidated => "callback-validation",
            Self::TokenRequest => "token-request",
            Self::TokenResponse => "token-response",
            Self::IdTokenValidated => "id-token-validation",
            Self::Userinfo => "userinfo",
            Self::ApiCall => "api-call",
            Self::Refresh => "refresh",
            Self::Logout => "logout",
        }
    }

    /// A short title.
    pub fn title(self) -> &'static str {
        match self {
            Self::VerifierMade => "A secret code_verifier is made",
            Self::ChallengeDerived => "The code_challenge is derived",
            Self::DpopKey => "A DPoP key pair is made, that no one can read",
            Self::PushedRequest => "The authorization request is pushed to the provider",
            Self::AuthorizationRequest => "Redirect to the authorization endpoint",
            Self::UserAtProvider => "You sign in at the provider",
            Self::Callback => "The provider redirects back with a code",
            Self::CallbackValidated => "The callback is checked",
            Self::TokenRequest => "The code is exchanged, with the verifier",
            Self::TokenResponse => "Tokens arrive",
            Self::IdTokenValidated => "The ID token is verified",
            Self::Userinfo => "UserInfo is fetched with the access token",
            Self::ApiCall => "An API is called with the access token",
            Self::Refresh => "Tokens are refreshed",
            Self::Logout => "Logout",
        }
    }

    /// One sentence on why the step exists.
    pub fn why(self) -> &'static str {
        match self {
            Self::VerifierMade => "A public client cannot keep a client secret, so it makes a fresh one-time secret for every login instead, and keeps it in this tab.",
            Self::ChallengeDerived => "Only a SHA-256 hash of the verifier travels through the browser's address bar, so whoever sees the redirect cannot redeem the code.",
            Self::DpopKey => "The tokens will be bound to this key: WebCrypto makes it non-extractable, so the page can sign with it but no script can copy it. A stolen token is useless without it.",
            Self::PushedRequest => "The parameters go to the provider in a direct POST, with a DPoP proof, instead of through the address bar; the browser then carries only a one-time request_uri.",
            Self::AuthorizationRequest => "The browser goes to the provider with the challenge, a state that binds the answer to this tab, and a nonce that binds the ID token to this login.",
            Self::UserAtProvider => "Only the provider ever sees your password; Pixie waits for its answer.",
            Self::Callback => "The provider answers through the browser with a short-lived, single-use code, the state, and its own name (iss).",
            Self::CallbackValidated => "Before the code is used, the state must match a login this tab started, and iss must be the provider it started at, which defeats CSRF and mix-up attacks.",
            Self::TokenRequest => "The code is worth nothing alone: the token endpoint also wants the verifier whose hash it saw earlier. This replaces the client secret.",
            Self::TokenResponse => "The provider returns the tokens straight to this page over a CORS fetch, never through the address bar.",
            Self::IdTokenValidated => "The ID token says who logged in; it counts only after its signature, issuer, audience, times and nonce are all checked.",
            Self::Userinfo => "The access token is a bearer credential: it is sent only to the provider's own endpoints and the API it is meant for.",
            Self::ApiCall => "A protected API accepts the access token; when it has expired, one refresh and one retry follow.",
            Self::Refresh => "A new access token without a new login; with rotation, each refresh token works once.",
            Self::Logout => "The refresh token is revoked and the provider's session ended, so the tokens are useless afterwards.",
        }
    }

    /// The specification section the step comes from.
    pub fn reference(self) -> (&'static str, &'static str) {
        match self {
            Self::VerifierMade => ("RFC 7636 §4.1", "https://www.rfc-editor.org/rfc/rfc7636#section-4.1"),
            Self::ChallengeDerived => ("RFC 7636 §4.2", "https://www.rfc-editor.org/rfc/rfc7636#section-4.2"),
            Self::DpopKey => ("RFC 9449 §10", "https://www.rfc-editor.org/rfc/rfc9449#section-10"),
            Self::PushedRequest => ("RFC 9126 §2", "https://www.rfc-editor.org/rfc/rfc9126#section-2"),
            Self::AuthorizationRequest => {
                ("RFC 6749 §4.1.1", "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1")
            }
            Self::UserAtProvider => {
                ("OIDC Core §3.1.2.3", "https://openid.net/specs/openid-connect-core-1_0.html#Authenticates")
            }
            Self::Callback => ("RFC 6749 §4.1.2", "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2"),
            Self::CallbackValidated => {
                ("RFC 9207 §2.4", "https://www.rfc-editor.org/rfc/rfc9207#section-2.4")
            }
            Self::TokenRequest => ("RFC 7636 §4.5", "https://www.rfc-editor.org/rfc/rfc7636#section-4.5"),
            Self::TokenResponse => ("RFC 6749 §5.1", "https://www.rfc-editor.org/rfc/rfc6749#section-5.1"),
            Self::IdTokenValidated => (
                "OIDC Core §3.1.3.7",
                "https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation",
            ),
            Self::Userinfo => {
                ("OIDC Core §5.3", "https://openid.net/specs/openid-connect-core-1_0.html#UserInfo")
            }
            Self::ApiCall => ("RFC 6750 §2.1", "https://www.rfc-editor.org/rfc/rfc6750#section-2.1"),
            Self::Refresh => ("RFC 6749 §6", "https://www.rfc-editor.org/rfc/rfc6749#section-6"),
            Self::Logout => ("RFC 7009", "https://www.rfc-editor.org/rfc/rfc7009"),
        }
    }

    /// Where the step's arrow starts and ends in the diagram.
    pub fn lanes(self) -> (Lane, Lane) {
        match self {
            Self::VerifierMade
            | Self::ChallengeDerived
            | Self::DpopKey
            | Self::CallbackValidated
            | Self::IdTokenValidated => (Lane::Browser, Lane::Browser),
            Self::AuthorizationRequest => (Lane::Browser, Lane::Authorize),
            Self::UserAtProvider => (Lane::Authorize, Lane::Authorize),
            Self::Callback => (Lane::Authorize, Lane::Browser),
            Self::PushedRequest
            | Self::TokenRequest
            | Self::Userinfo
            | Self::ApiCall
            | Self::Refresh
            | Self::Logout => (Lane::Browser, Lane::Token),
            Self::TokenResponse => (Lane::Token, Lane::Browser),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// A named value a step used, masked when it is a secret.
pub struct TraceValue {
    /// Its name, e.g. `code_challenge`.
    pub name: String,
    /// Its value, or its masked form.
    pub value: String,
    /// Shown as the masked form; the page may reveal the live value from memory.
    pub masked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// A check a step ran.
pub struct TraceCheck {
    /// What was checked.
    pub label: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was seen.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq)]
/// An HTTP exchange as the trace keeps it: secrets masked.
pub struct HttpTrace {
    /// The method.
    pub method: String,
    /// Without the query, which is in `query`, decoded.
    pub url: String,
    /// The query, decoded.
    pub query: Vec<TraceValue>,
    /// The request headers.
    pub request_headers: Vec<TraceValue>,
    /// The form body, decoded.
    pub form: Vec<TraceValue>,
    /// The response status, once answered.
    pub status: Option<u16>,
    /// The response's content type.
    pub response_content_type: Option<String>,
    /// The response body, secret members masked.
    pub response_body: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
/// One step as it ran.
pub struct TraceEntry {
    /// Which step.
    pub step: Step,
    /// Milliseconds since the epoch when the step started.
    pub at_ms: f64,
    /// How long it took, when it waited for something.
    pub duration_ms: Option<f64>,
    /// `None` when it went well, else the error code that stopped the flow.
    pub error: Option<String>,
    /// Its HTTP exchange, if it had one.
    pub http: Option<HttpTrace>,
    /// The values it used.
    pub values: Vec<TraceValue>,
    /// The checks it ran.
    pub checks: Vec<TraceCheck>,
}

impl TraceEntry {
    /// A step that started at `at_ms`.
    pub fn new(step: Step, at_ms: f64) -> Self {
        Self {
            step,
            at_ms,
            duration_ms: None,
            error: None,
            http: None,
            values: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Add a value (masked if its name is a secret's).
    pub fn value(mut self, name: &str, value: &str) -> Self {
        self.values.push(TraceValue::of(name, value));
        self
    }

    /// A value shown in full even though its name is secret: a spent verifier.
    pub fn spent_value(mut self, name: &str, value: &str) -> Self {
        self.values.push(TraceValue { name: name.to_owned(), value: value.to_owned(), masked: false });
        self
    }

    /// Add a check.
    pub fn check(mut self, label: &str, passed: bool, detail: impl Into<String>) -> Self {
        self.checks.push(TraceCheck { label: label.to_owned(), passed, detail: detail.into() });
        self
    }

    /// Record the request it sent (masked).
    pub fn request(mut self, request: &HttpRequest) -> Self {
        self.http = Some(HttpTrace::of_request(request));
        self
    }

    /// The DPoP proof `request` carries, decoded: its header (with the public
    /// key) and its claims, for the walkthrough. Nothing when it has none.
    pub fn dpop_proof(self, request: &HttpRequest) -> Self {
        let proof = request.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case("dpop"));
        let Some(decoded) = proof.and_then(|(_, proof)| crate::dpop::decode_proof(proof)) else {
            return self;
        };
        let header = decoded.header.to_json_string();
        let claims = decoded.claims.to_json_string();
        self.value("DPoP proof header", &header).value("DPoP proof claims", &claims)
    }

    /// Record the response it got (masked) and when.
    pub fn response(mut self, response: &HttpResponse, finished_at_ms: f64) -> Self {
        if let Some(http) = &mut self.http {
            http.status = Some(response.status);
            http.response_content_type = response.content_type.clone();
            http.response_body = Some(mask_json_body(&response.body));
        }
        self.duration_ms = Some(finished_at_ms - self.at_ms);
        self
    }

    /// Mark the step as where the flow stopped, with the error code.
    pub fn failed(mut self, code: String) -> Self {
        self.error = Some(code);
        self
    }
}

impl TraceValue {
    /// Masked when the name says it is a secret.
    pub fn of(name: &str, value: &str) -> Self {
        let secret = is_secret_name(name);
        Self {
            name: name.to_owned(),
            value: if secret { mask(value) } else { value.to_owned() },
            masked: secret,
        }
    }
}

fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.iter().any(|secret| secret.eq_ignore_ascii_case(name))
}

/// `eyJh…(812 chars)`: enough to recognise a value, not enough to use it.
pub fn mask(value: &str) -> String {
    let shown: String = value.chars().take(4).collect();
    format!("{shown}…({} chars)", value.chars().count())
}

impl HttpTrace {
    /// The request, masked.
    pub fn of_request(request: &HttpRequest) -> Self {
        let (url, query) = request.url.split_once('?').unwrap_or((&request.url, ""));
        let pairs = |text: &str| -> Vec<TraceValue> {
            parse_query(text).unwrap_or_default().iter().map(|(k, v)| TraceValue::of(k, v)).collect()
        };
        let request_headers = request
            .headers
            .iter()
            .map(|(name, value)| match value.split_once(' ') {
                // Keep the scheme visible: "Bearer eyJh…(812 chars)".
                Some((scheme, credential)) if name.eq_ignore_ascii_case("authorization") => TraceValue {
                    name: (*name).to_owned(),
                    value: format!("{scheme} {}", mask(credential)),
                    masked: true,
                },
                _ => TraceValue::of(name, value),
            })
            .collect();
        Self {
            method: request.method.to_owned(),
            url: url.to_owned(),
            query: pairs(query),
            request_headers,
            form: request.body.as_deref().map(pairs).unwrap_or_default(),
            status: None,
            response_content_type: None,
            response_body: None,
        }
    }
}

/// A JSON body with its secret members masked; other bodies only by length.
pub fn mask_json_body(body: &str) -> String {
    match Json::parse(body) {
        Ok(Json::Object(members)) => {
            let mut masked = Object::new();
            for (name, value) in members.iter() {
                match value.as_str() {
                    Some(text) if is_secret_name(name) => masked.insert(name, mask(text)),
                    _ => masked.insert(name, value.clone()),
                }
            }
            Json::Object(masked).to_pretty()
        }
        Ok(other) => other.to_pretty(),
        Err(_) => format!("({} bytes, not JSON)", body.len()),
    }
}

/// Append `entry`, dropping the oldest entries beyond [`MAX_ENTRIES`].
pub fn push_bounded(entries: &mut Vec<TraceEntry>, entry: TraceEntry) {
    entries.push(entry);
    if entries.len() > MAX_ENTRIES {
        let excess = entries.len() - MAX_ENTRIES;
        entries.drain(..excess);
    }
}

/// The trace as stored.
pub fn trace_to_json(entries: &[TraceEntry]) -> String {
    Json::Array(entries.iter().map(TraceEntry::to_json).collect()).to_string()
}

/// Empty for anything malformed: storage is outside our control.
pub fn trace_from_json(json: &str) -> Vec<TraceEntry> {
    let entries = match Json::parse(json) {
        Ok(Json::Array(entries)) => entries,
        _ => return Vec::new(),
    };
    entries.iter().map(TraceEntry::from_json).collect::<Option<_>>().unwrap_or_default()
}

impl TraceEntry {
    fn to_json(&self) -> Json {
        Object::new()
            .with("step", self.step.stored_name())
            .with("at_ms", Json::millis(self.at_ms))
            .with("duration_ms", self.duration_ms.map(Json::millis))
            .with("error", self.error.clone())
            .with("http", self.http.as_ref().map(HttpTrace::to_json))
            .with("values", list_to_json(&self.values, TraceValue::to_json))
            .with("checks", list_to_json(&self.checks, TraceCheck::to_json))
            .into()
    }

    fn from_json(json: &Json) -> Option<Self> {
        let entry = json.as_object()?;
        Some(Self {
            step: Step::from_stored_name(entry.str("step").ok()?)?,
            at_ms: entry.opt_millis("at_ms").ok()??,
            duration_ms: entry.opt_millis("duration_ms").ok()?,
            error: entry.opt_string("error").ok()?,
            http: match entry.get("http") {
                None | Some(Json::Null) => None,
                Some(http) => Some(HttpTrace::from_json(http)?),
            },
            values: list_from_json(entry, "values", TraceValue::from_json)?,
            checks: list_from_json(entry, "checks", TraceCheck::from_json)?,
        })
    }
}

impl HttpTrace {
    fn to_json(&self) -> Json {
        Object::new()
            .with("method", self.method.as_str())
            .with("url", self.url.as_str())
            .with("query", list_to_json(&self.query, TraceValue::to_json))
            .with("request_headers", list_to_json(&self.request_headers, TraceValue::to_json))
            .with("form", list_to_json(&self.form, TraceValue::to_json))
            .with("status", self.status.map(u64::from))
            .with("response_content_type", self.response_content_type.clone())
            .with("response_body", self.response_body.clone())
            .into()
    }

    fn from_json(json: &Json) -> Option<Self> {
        let http = json.as_object()?;
        Some(Self {
            method: http.str("method").ok()?.to_owned(),
            url: http.str("url").ok()?.to_owned(),
            query: list_from_json(http, "query", TraceValue::from_json)?,
            request_headers: list_from_json(http, "request_headers", TraceValue::from_json)?,
            form: list_from_json(http, "form", TraceValue::from_json)?,
            status: match http.opt_u64("status").ok()? {
                Some(status) => Some(u16::try_from(status).ok()?),
                None => None,
            },
            response_content_type: http.opt_string("response_content_type").ok()?,
            response_body: http.opt_string("response_body").ok()?,
        })
    }
}

impl TraceValue {
    fn to_json(&self) -> Json {
        Object::new()
            .with("name", self.name.as_str())
            .with("value", self.value.as_str())
            .with("masked", self.masked)
            .into()
    }

    fn from_json(json: &Json) -> Option<Self> {
        let value = json.as_object()?;
        Some(Self {
            name: value.str("name").ok()?.to_owned(),
            value: value.str("value").ok()?.to_owned(),
            masked: value.opt_bool("masked").ok()??,
        })
    }
}

impl TraceCheck {
    fn to_json(&self) -> Json {
        Object::new()
            .with("label", self.label.as_str())
            .with("passed", self.passed)
            .with("detail", self.detail.as_str())
            .into()
    }

    fn from_json(json: &Json) -> Option<Self> {
        let check = json.as_object()?;
        Some(Self {
            label: check.str("label").ok()?.to_owned(),
            passed: check.opt_bool("passed").ok()??,
            detail: check.str("detail").ok()?.to_owned(),
        })
    }
}

fn list_to_json<T>(items: &[T], to_json: fn(&T) -> Json) -> Json {
    Json::Array(items.iter().map(to_json).collect())
}

fn list_from_json<T>(object: &Object, name: &str, from_json: fn(&Json) -> Option<T>) -> Option<Vec<T>> {
    object.opt_array(name).ok()??.iter().map(from_json).collect()
}

/// The step an error stopped the flow at, so the trace can show where.
pub fn step_for_error(error: &crate::error::AuthError) -> Step {
    use crate::error::AuthError;
    match error {
        AuthError::Callback(_) => Step::CallbackValidated,
        AuthError::IdToken(_) | AuthError::Jwks(_) => Step::IdTokenValidated,
        AuthError::Userinfo(_) => Step::Userinfo,
        _ => Step::TokenResponse,
    }
}

/// Step 6's checks, all passed once a callback validated.
pub fn callback_checks(entry: TraceEntry, iss: Option<&str>, issuer: &str) -> TraceEntry {
    entry
        .check("no tokens in the URL (RFC 9700 §2.1.2)", true, "only a code came back")
        .check("state matches a login started in this tab", true, "its pending record was taken, once")
        .check("the login is less than 10 minutes old", true, "")
        .check(
            "iss is the issuer the login started at (RFC 9207)",
            true,
            iss.map_or_else(|| "not sent; the provider does not promise it".to_owned(), str::to_owned),
        )
        .check("no error from the provider", true, "")
        .check("a code is present", true, format!("bound to {issuer}"))
}

/// Step 9's checks, numbered after OIDC Core §3.1.3.7, all passed.
pub fn id_token_checks(
    entry: TraceEntry,
    token: &crate::id_token::ValidatedIdToken,
    client_id: &str,
    now_secs: i64,
) -> TraceEntry {
    let claim = |name: &str| token.claims.get(name).map(Json::to_string).unwrap_or_else(|| "—".to_owned());
    let signature = &token.signature;
    entry
        .check("2. iss equals the discovered issuer", true, claim("iss"))
        .check("3. aud contains our client_id", true, format!("{} ∋ {client_id}", claim("aud")))
        .check("4–5. azp, if present, is our client_id", true, claim("azp"))
        .check(
            "6–8. signature verified with WebCrypto",
            true,
            format!(
                "{} with key {}",
                signature.algorithm().jose_name(),
                signature.kid().unwrap_or("(no kid)")
            ),
        )
        .check(
            "9. not expired (exp)",
            true,
            format!("exp {} is {} s from now", token.exp, token.exp.saturating_sub(now_secs)),
        )
        .check("10. not issued in the future (iat)", true, format!("iat {}", token.iat))
        .check("11. nonce matches the one sent", true, "")
}

/// The DPoP key step: the public half and its thumbprint; the private half
/// exists only as a non-extractable `CryptoKey`.
pub fn dpop_key_entry(key: &crate::dpop::DpopPublicKey, at_ms: f64) -> TraceEntry {
    TraceEntry::new(Step::DpopKey, at_ms)
        .value("public key (JWK)", &key.jwk().to_json_string())
        .value("dpop_jkt (RFC 7638 thumbprint)", &key.thumbprint())
        .value(
            "private key",
            "a WebCrypto CryptoKey made with extractable: false; it never leaves the browser",
        )
        .value("algorithm", "ES256 (ECDSA P-256, SHA-256)")
}

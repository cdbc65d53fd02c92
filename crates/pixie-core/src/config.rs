//! The client's configuration: from a deployment's `config.json` (one build,
//! many providers) or built in code with [`ClientConfig::builder`]. Both go
//! through the same checks, and a bad value is reported with its field's name.

use crate::encoding::{is_secure_url, HttpUrl};
use crate::error::AuthError;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::{Json, Object};
use crate::presets::{check_issuer, Preset};

/// The scope asked for when the configuration names none: least privilege. Ask
/// for `offline_access` too where a provider issues refresh tokens only with it.
pub const DEFAULT_SCOPE: &str = "openid profile email";

/// Where the provider sends the browser back, when the configuration does not say.
pub const DEFAULT_CALLBACK_PATH: &str = "/callback";

/// The prefix of every key Pixie keeps in web storage, unless configured.
pub const DEFAULT_STORAGE_KEY_PREFIX: &str = "pixie.";

/// Refresh this long before the access token expires, unless configured.
pub const DEFAULT_REFRESH_MARGIN_SECS: u32 = 60;

/// Parameters Pixie sets itself; `extra_auth_params` may not override them.
const RESERVED_AUTH_PARAMS: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "client_secret",
    "response_mode",
    "request",
    "request_uri",
    // Config fields of their own, so the answer is checked (OIDC Core §3.1.3.7 steps 12 and 13).
    "max_age",
    "acr_values",
    // Would need checks Pixie does not make (requested claims, their values).
    "claims",
    // Set from the DPoP key (RFC 9449 §10).
    "dpop_jkt",
];

const KNOWN_FIELDS: &[&str] = &[
    "issuer",
    "client_id",
    "scope",
    "redirect_uri",
    "callback_path",
    "post_logout_redirect_uri",
    "extra_auth_params",
    "token_storage",
    "resume_on_reload",
    "refresh_margin_secs",
    "api_url",
    "storage_key_prefix",
    "max_age",
    "acr_values",
    "request_timeout_secs",
    "logout_method",
    "dpop",
    "par",
    "provider",
];

/// How long a request may take, unless configured: a hung endpoint must not
/// leave the page exchanging, or hold the refresh lock, for ever.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u32 = 20;

/// Where tokens live between page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStorage {
    /// Memory only (the default): a reload loses them, and `resume_on_reload` gets new ones.
    Memory,
    /// sessionStorage of this tab: survives a reload, readable by any script on the origin.
    Session,
}

impl TokenStorage {
    /// The value as written in `config.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Memory => "memory",
            Self::Session => "session",
        }
    }
}

/// Whether tokens are bound to a DPoP key (RFC 9449): `config.json`'s `dpop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpopMode {
    /// When the provider lists ES256 in `dpop_signing_alg_values_supported` (the default).
    Auto,
    /// Always: refuse to sign in without DPoP-bound tokens.
    Required,
    /// Never send a proof.
    Off,
}

/// Whether the authorization request is pushed first (RFC 9126): `config.json`'s `par`.
/// A provider that requires it (`require_pushed_authorization_requests`) gets it in every mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParMode {
    /// Whenever the provider offers a PAR endpoint.
    Auto,
    /// Always: refuse to log in through a provider without a PAR endpoint.
    Required,
    /// Only when the provider requires it; otherwise the parameters go in the
    /// URL (the default: a push costs the click a round trip or two, and
    /// some providers that offer PAR do not open it to browsers through CORS).
    Off,
}

/// How the browser goes to the provider's end-session endpoint (RP-Initiated Logout §2).
/// Either way the ID token never appears in a URL, history or access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutMethod {
    /// A GET with `client_id`, `post_logout_redirect_uri` and `state`, and no
    /// `id_token_hint` (the default: every provider takes a GET; some, such as
    /// oidc-provider, take a cross-site POST only with `SameSite=None` cookies).
    /// The provider may ask the person to confirm, or which account to end.
    Get,
    /// A form POST that adds `id_token_hint`, in the body: for providers that
    /// accept POST there, so the provider knows whose session to end.
    Post,
}

/// A checked client configuration. Make one with [`ClientConfig::parse`] or
/// [`ClientConfig::builder`]; both fill the defaults and check every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Compared byte for byte with the discovery document's `issuer`.
    pub issuer: String,
    /// The public client's id at the provider.
    pub client_id: String,
    /// Space-separated scopes; always includes `openid`.
    pub scope: String,
    /// Where the provider sends the browser back with the code. On the app's origin.
    pub redirect_uri: String,
    /// The path of `redirect_uri`: the page load at this path with a response is the callback.
    pub callback_path: String,
    /// Where the provider sends the browser after logging out.
    pub post_logout_redirect_uri: String,
    /// Sent after Pixie's own parameters, in the order config.json lists them.
    pub extra_auth_params: Vec<(String, String)>,
    /// Where tokens live between page loads.
    pub token_storage: TokenStorage,
    /// After a reload without stored tokens, try a `prompt=none` redirect to resume.
    pub resume_on_reload: bool,
    /// Refresh this long before the access token expires.
    pub refresh_margin_secs: u32,
    /// A protected resource for the demo's "Call API" button.
    pub api_url: Option<String>,
    /// The prefix of every web-storage key, lock and tab channel, so two apps on one origin keep apart.
    pub storage_key_prefix: String,
    /// `max_age` to send: the provider must have authenticated the person at most this long ago.
    pub max_age: Option<u32>,
    /// `acr_values` to send (space-separated); the ID token's `acr` must be one of them.
    pub acr_values: Option<String>,
    /// How long any request may take before it is abandoned.
    pub request_timeout_secs: u32,
    /// How to reach the end-session endpoint.
    pub logout_method: LogoutMethod,
    /// DPoP: bind the tokens to a key the page cannot read.
    pub dpop: DpopMode,
    /// Pushed authorization requests.
    pub par: ParMode,
    /// The provider's preset: its quirks, and its settings' names in errors.
    pub provider: Preset,
}

/// A bad configuration, naming the field so the deployer can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The field's name, or empty when the document as a whole is wrong.
    pub field: String,
    /// What is wrong with it, and what it should be.
    pub problem: String,
}

impl ConfigError {
    pub(crate) fn new(field: &str, problem: impl Into<String>) -> Self {
        Self { field: field.to_owned(), problem: problem.into() }
    }
}

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.field.is_empty() {
            write!(f, "config.json: {}", self.problem)
        } else {
            write!(f, "config.json field `{}`: {}", self.field, self.problem)
        }
    }
}

/// The request for a configuration document at `url` (e.g. `https://app.example/config.json`).
pub fn config_request(url: &str) -> HttpRequest {
    HttpRequest::get_json(url)
}

/// The configuration document's response: it must be a 200, and the document
/// must be valid. `origin` (e.g. `http://127.0.0.1:8080`) is the app's own, and
/// fills the defaults.
pub fn parse_config_response(response: &HttpResponse, origin: &str) -> Result<ClientConfig, AuthError> {
    if response.status != 200 {
        return Err(AuthError::ConfigUnavailable { status: Some(response.status) });
    }
    Ok(ClientConfig::parse(&response.body, origin)?)
}

impl ClientConfig {
    /// Parse `config.json`. `origin` (e.g. `http://127.0.0.1:8080`) fills the defaults.
    pub fn parse(json: &str, origin: &str) -> Result<Self, ConfigError> {
        let value = Json::parse(json).map_err(|e| ConfigError::new("", format!("not valid JSON ({e})")))?;
        let Json::Object(fields) = value else {
            return Err(ConfigError::new("", "must be a JSON object"));
        };
        Self::from_fields(&fields, origin)
    }

    /// Start a configuration in code; the other fields take their defaults.
    ///
    /// ```
    /// use pixie_core::config::ClientConfig;
    /// let config = ClientConfig::builder("https://login.example.com", "my-spa")
    ///     .scope("openid email")
    ///     .build("https://app.example.com")
    ///     .unwrap();
    /// assert_eq!(config.redirect_uri, "https://app.example.com/callback");
    /// ```
    pub fn builder(issuer: &str, client_id: &str) -> ConfigBuilder {
        ConfigBuilder(Object::new().with("issuer", issuer).with("client_id", client_id))
    }

    fn from_fields(fields: &Object, origin: &str) -> Result<Self, ConfigError> {
        if let Some(unknown) = fields.keys().find(|k| !KNOWN_FIELDS.contains(k)) {
            return Err(ConfigError::new(
                unknown,
                format!("unknown field; expected one of {}", KNOWN_FIELDS.join(", ")),
            ));
        }

        let issuer = required_string(fields, "issuer")?;
        if !is_secure_url(&issuer) {
            return Err(ConfigError::new(
                "issuer",
                "must be an https:// URL (plain http is allowed only on 127.0.0.1, localhost or [::1])",
            ));
        }
        if issuer.contains(['?', '#']) {
            return Err(ConfigError::new("issuer", "must not contain a query or fragment"));
        }

        let provider = match optional_string(fields, "provider")? {
            None => Preset::Generic,
            Some(name) => Preset::parse(&name).ok_or_else(|| {
                let names: Vec<&str> = Preset::ALL.iter().map(|p| p.as_str()).collect();
                ConfigError::new("provider", format!("must be one of {}", names.join(", ")))
            })?,
        };
        check_issuer(provider, &issuer)?;

        let client_id = required_string(fields, "client_id")?;

        let scope = optional_string(fields, "scope")?.unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
        if !scope.split(' ').any(|s| s == "openid") {
            return Err(ConfigError::new("scope", "must include `openid`"));
        }

        let app = HttpUrl::parse(origin).ok_or_else(|| {
            ConfigError::new("", format!("the app's origin {origin} is not an http(s) origin"))
        })?;
        let app_origin = app.origin();
        let callback_path = optional_string(fields, "callback_path")?;
        if let Some(path) = &callback_path {
            check_path("callback_path", path)?;
        }
        let (redirect_uri, callback_path) = match optional_string(fields, "redirect_uri")? {
            None => {
                let path = callback_path.unwrap_or_else(|| DEFAULT_CALLBACK_PATH.to_owned());
                (format!("{app_origin}{path}"), path)
            }
            Some(uri) => {
                let parsed = check_uri("redirect_uri", &uri)?;
                if parsed.origin() != app_origin {
                    return Err(ConfigError::new(
                        "redirect_uri",
                        format!(
                            "must be on this app's origin ({app_origin}): the page that started the login handles the callback"
                        ),
                    ));
                }
                if parsed.rest.contains('?') {
                    return Err(ConfigError::new("redirect_uri", "must not contain a query"));
                }
                let path = parsed.path().to_owned();
                if callback_path.as_ref().is_some_and(|configured| *configured != path) {
                    return Err(ConfigError::new(
                        "callback_path",
                        format!("must be the path of redirect_uri ({path}), or be left out"),
                    ));
                }
                (uri, path)
            }
        };

        let post_logout_redirect_uri =
            optional_string(fields, "post_logout_redirect_uri")?.unwrap_or_else(|| format!("{app_origin}/"));
        check_uri("post_logout_redirect_uri", &post_logout_redirect_uri)?;

        let extra_auth_params = match fields.get("extra_auth_params") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Object(map)) => map
                .iter()
                .map(|(key, value)| {
                    if RESERVED_AUTH_PARAMS.contains(&key) {
                        return Err(ConfigError::new(
                            "extra_auth_params",
                            format!("`{key}` is set by Pixie and cannot be overridden"),
                        ));
                    }
                    match value {
                        Json::String(v) => Ok((key.to_owned(), v.clone())),
                        _ => Err(ConfigError::new(
                            "extra_auth_params",
                            format!("value of `{key}` must be a string"),
                        )),
                    }
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(ConfigError::new("extra_auth_params", "must be an object of strings")),
        };

        let token_storage = match optional_string(fields, "token_storage")?.as_deref() {
            None | Some("memory") => TokenStorage::Memory,
            Some("session") => TokenStorage::Session,
            Some(_) => return Err(ConfigError::new("token_storage", "must be \"memory\" or \"session\"")),
        };
        let resume_on_reload = match fields.get("resume_on_reload") {
            None | Some(Json::Null) => true,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err(ConfigError::new("resume_on_reload", "must be true or false")),
        };
        let refresh_margin_secs = match fields.get("refresh_margin_secs") {
            None | Some(Json::Null) => DEFAULT_REFRESH_MARGIN_SECS,
            Some(value) => {
                value.as_number().and_then(|n| n.as_u64()).and_then(|n| u32::try_from(n).ok()).ok_or_else(
                    || ConfigError::new("refresh_margin_secs", "must be a whole number of seconds"),
                )?
            }
        };
        let api_url = optional_string(fields, "api_url")?;
        if let Some(url) = &api_url {
            if !is_secure_url(url) {
                return Err(ConfigError::new(
                    "api_url",
                    "must be https:// (plain http only on 127.0.0.1, localhost or [::1])",
                ));
            }
        }
        let storage_key_prefix = optional_string(fields, "storage_key_prefix")?
            .unwrap_or_else(|| DEFAULT_STORAGE_KEY_PREFIX.to_owned());
        let prefix_ok = storage_key_prefix.len() <= 32
            && storage_key_prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !prefix_ok {
            return Err(ConfigError::new(
                "storage_key_prefix",
                "must be at most 32 letters, digits, `.`, `_` or `-` (for example \"myapp.\")",
            ));
        }

        let whole_seconds =
            |field: &str, range: core::ops::RangeInclusive<u64>| -> Result<Option<u32>, ConfigError> {
                match fields.get(field) {
                    None | Some(Json::Null) => Ok(None),
                    Some(value) => value
                        .as_number()
                        .and_then(|n| n.as_u64())
                        .filter(|n| range.contains(n))
                        .and_then(|n| u32::try_from(n).ok())
                        .map(Some)
                        .ok_or_else(|| {
                            ConfigError::new(
                                field,
                                format!(
                                    "must be a whole number of seconds from {} to {}",
                                    range.start(),
                                    range.end()
                                ),
                            )
                        }),
                }
            };
        let max_age = whole_seconds("max_age", 0..=u64::from(u32::MAX))?;
        let acr_values = optional_string(fields, "acr_values")?;
        if acr_values.as_deref().is_some_and(|values| values.split(' ').any(str::is_empty)) {
            return Err(ConfigError::new("acr_values", "must be values separated by single spaces"));
        }
        let request_timeout_secs =
            whole_seconds("request_timeout_secs", 1..=300)?.unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECS);
        let logout_method = match optional_string(fields, "logout_method")?.as_deref() {
            None | Some("get") => LogoutMethod::Get,
            Some("post") => LogoutMethod::Post,
            Some(_) => return Err(ConfigError::new("logout_method", "must be \"get\" or \"post\"")),
        };
        let dpop = match optional_string(fields, "dpop")?.as_deref() {
            None | Some("auto") => DpopMode::Auto,
            Some("required") => DpopMode::Required,
            Some("off") => DpopMode::Off,
            Some(_) => return Err(ConfigError::new("dpop", "must be \"auto\", \"required\" or \"off\"")),
        };
        let par = match optional_string(fields, "par")?.as_deref() {
            Some("auto") => ParMode::Auto,
            Some("required") => ParMode::Required,
            None | Some("off") => ParMode::Off,
            Some(_) => return Err(ConfigError::new("par", "must be \"auto\", \"required\" or \"off\"")),
        };

        Ok(Self {
            issuer,
            client_id,
            scope,
            redirect_uri,
            callback_path,
            post_logout_redirect_uri,
            extra_auth_params,
            token_storage,
            resume_on_reload,
            refresh_margin_secs,
            api_url,
            storage_key_prefix,
            max_age,
            acr_values,
            request_timeout_secs,
            logout_method,
            dpop,
            par,
            provider,
        })
    }

    /// The web-storage key for `name` (`pending.<state>`, `session`, …) under this app's prefix.
    pub fn storage_key(&self, name: &str) -> String {
        format!("{}{name}", self.storage_key_prefix)
    }

    /// The name shared by this app's tab channel and refresh lock: the prefix
    /// without its trailing `.` (`pixie` by default).
    pub fn channel_name(&self) -> &str {
        match self.storage_key_prefix.trim_end_matches(['.', '-', '_']) {
            "" => "pixie",
            name => name,
        }
    }
}

/// A configuration under construction in code, checked by [`ConfigBuilder::build`]
/// exactly as `config.json` is. Each setter names the `config.json` field it sets.
#[derive(Debug, Clone)]
#[must_use]
pub struct ConfigBuilder(Object);

impl ConfigBuilder {
    fn set(mut self, field: &str, value: impl Into<Json>) -> Self {
        self.0.insert(field, value);
        self
    }

    /// `scope`: space-separated, must include `openid`.
    pub fn scope(self, scope: &str) -> Self {
        self.set("scope", scope)
    }

    /// `redirect_uri`: absolute, on the app's origin.
    pub fn redirect_uri(self, uri: &str) -> Self {
        self.set("redirect_uri", uri)
    }

    /// `callback_path`: the redirect URI's path on the app's origin (`/callback` by default).
    pub fn callback_path(self, path: &str) -> Self {
        self.set("callback_path", path)
    }

    /// `post_logout_redirect_uri`.
    pub fn post_logout_redirect_uri(self, uri: &str) -> Self {
        self.set("post_logout_redirect_uri", uri)
    }

    /// One more of `extra_auth_params`, sent with the authorization request.
    pub fn extra_auth_param(mut self, name: &str, value: &str) -> Self {
        let mut params = match self.0.get("extra_auth_params") {
            Some(Json::Object(params)) => params.clone(),
            _ => Object::new(),
        };
        params.insert(name, value);
        self.0.insert("extra_auth_params", params);
        self
    }

    /// `token_storage`.
    pub fn token_storage(self, storage: TokenStorage) -> Self {
        self.set("token_storage", storage.as_str())
    }

    /// `resume_on_reload`.
    pub fn resume_on_reload(self, resume: bool) -> Self {
        self.set("resume_on_reload", resume)
    }

    /// `refresh_margin_secs`.
    pub fn refresh_margin_secs(self, secs: u32) -> Self {
        self.set("refresh_margin_secs", u64::from(secs))
    }

    /// `api_url`.
    pub fn api_url(self, url: &str) -> Self {
        self.set("api_url", url)
    }

    /// `storage_key_prefix`.
    pub fn storage_key_prefix(self, prefix: &str) -> Self {
        self.set("storage_key_prefix", prefix)
    }

    /// `max_age`, in seconds.
    pub fn max_age(self, secs: u32) -> Self {
        self.set("max_age", u64::from(secs))
    }

    /// `acr_values`, space-separated.
    pub fn acr_values(self, values: &str) -> Self {
        self.set("acr_values", values)
    }

    /// `request_timeout_secs`.
    pub fn request_timeout_secs(self, secs: u32) -> Self {
        self.set("request_timeout_secs", u64::from(secs))
    }

    /// `dpop`.
    pub fn dpop(self, mode: DpopMode) -> Self {
        self.set("dpop", mode_name(mode == DpopMode::Auto, mode == DpopMode::Required))
    }

    /// `par`.
    pub fn par(self, mode: ParMode) -> Self {
        self.set("par", mode_name(mode == ParMode::Auto, mode == ParMode::Required))
    }

    /// `provider`: the provider's preset.
    pub fn provider(self, preset: Preset) -> Self {
        self.set("provider", preset.as_str())
    }

    /// `logout_method`.
    pub fn logout_method(self, method: LogoutMethod) -> Self {
        self.set("logout_method", if method == LogoutMethod::Post { "post" } else { "get" })
    }

    /// Check every field and fill the defaults from the app's `origin`.
    pub fn build(self, origin: &str) -> Result<ClientConfig, ConfigError> {
        ClientConfig::from_fields(&self.0, origin)
    }

    /// The configuration as `config.json` would say it (before defaults).
    pub fn to_json(&self) -> String {
        self.0.to_json_string()
    }
}

fn mode_name(auto: bool, required: bool) -> &'static str {
    match (auto, required) {
        (true, _) => "auto",
        (_, true) => "required",
        _ => "off",
    }
}

fn required_string(fields: &Object, name: &str) -> Result<String, ConfigError> {
    optional_string(fields, name)?.ok_or_else(|| ConfigError::new(name, "is required"))
}

fn optional_string(fields: &Object, name: &str) -> Result<Option<String>, ConfigError> {
    match fields.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) if s.trim().is_empty() => Err(ConfigError::new(name, "must not be empty")),
        Some(Json::String(s)) if s.trim() != s => {
            Err(ConfigError::new(name, "must not have leading or trailing spaces"))
        }
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ConfigError::new(name, "must be a string")),
    }
}

fn check_uri<'a>(field: &str, uri: &'a str) -> Result<HttpUrl<'a>, ConfigError> {
    let parsed = HttpUrl::parse(uri)
        .ok_or_else(|| ConfigError::new(field, "must be an absolute http(s) URL, without user@ or spaces"))?;
    // Codes arrive on the redirect URI: never over plain http off this machine.
    if parsed.scheme != "https" && !parsed.is_loopback() {
        return Err(ConfigError::new(
            field,
            "must be https:// (plain http only on 127.0.0.1, localhost or [::1])",
        ));
    }
    if uri.contains('#') {
        return Err(ConfigError::new(field, "must not contain a fragment"));
    }
    Ok(parsed)
}

fn check_path(field: &str, path: &str) -> Result<(), ConfigError> {
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains(['?', '#', '\\'])
        && !path.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(field, "must be a path on the app's origin, such as \"/callback\""))
    }
}

//! The deployment's `config.json`: one build, many providers.

use super::json::{Json, Object};

use super::encoding::{is_absolute_http_url, is_secure_url};

pub const DEFAULT_SCOPE: &str = "openid profile email offline_access";

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
];

const KNOWN_FIELDS: &[&str] = &[
    "issuer",
    "client_id",
    "scope",
    "redirect_uri",
    "post_logout_redirect_uri",
    "extra_auth_params",
    "token_storage",
    "resume_on_reload",
    "refresh_margin_secs",
    "api_url",
];

pub const DEFAULT_REFRESH_MARGIN_SECS: u32 = 60;

/// Where tokens live between page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStorage {
    /// Memory only (the default): a reload loses them, and `resume_on_reload` gets new ones.
    Memory,
    /// sessionStorage of this tab: survives a reload, readable by any script on the origin.
    Session,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Compared byte for byte with the discovery document's `issuer`.
    pub issuer: String,
    pub client_id: String,
    pub scope: String,
    pub redirect_uri: String,
    pub post_logout_redirect_uri: String,
    /// Sent after Pixie's own parameters, in the order config.json lists them.
    pub extra_auth_params: Vec<(String, String)>,
    pub token_storage: TokenStorage,
    /// After a reload without stored tokens, try a `prompt=none` redirect to resume.
    pub resume_on_reload: bool,
    /// Refresh this long before the access token expires.
    pub refresh_margin_secs: u32,
    /// A protected resource for the "Call API" button.
    pub api_url: Option<String>,
}

/// A bad `config.json`, naming the field so the deployer can fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub field: String,
    pub problem: String,
}

impl ConfigError {
    fn new(field: &str, problem: impl Into<String>) -> Self {
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

impl ClientConfig {
    /// Parse `config.json`. `origin` (e.g. `http://127.0.0.1:8080`) fills the defaults.
    pub fn parse(json: &str, origin: &str) -> Result<Self, ConfigError> {
        let value = Json::parse(json).map_err(|e| ConfigError::new("", format!("not valid JSON ({e})")))?;
        let Json::Object(fields) = value else {
            return Err(ConfigError::new("", "must be a JSON object"));
        };
        if let Some(unknown) = fields.keys().find(|k| !KNOWN_FIELDS.contains(k)) {
            return Err(ConfigError::new(
                unknown,
                format!("unknown field; expected one of {}", KNOWN_FIELDS.join(", ")),
            ));
        }

        let issuer = required_string(&fields, "issuer")?;
        if !is_secure_url(&issuer) {
            return Err(ConfigError::new(
                "issuer",
                "must be an https:// URL (plain http is allowed only on 127.0.0.1, localhost or [::1])",
            ));
        }
        if issuer.contains(['?', '#']) {
            return Err(ConfigError::new("issuer", "must not contain a query or fragment"));
        }

        let client_id = required_string(&fields, "client_id")?;

        let scope = optional_string(&fields, "scope")?.unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
        if !scope.split(' ').any(|s| s == "openid") {
            return Err(ConfigError::new("scope", "must include `openid`"));
        }

        let redirect_uri =
            optional_string(&fields, "redirect_uri")?.unwrap_or_else(|| format!("{origin}/callback"));
        check_uri("redirect_uri", &redirect_uri)?;

        let post_logout_redirect_uri =
            optional_string(&fields, "post_logout_redirect_uri")?.unwrap_or_else(|| format!("{origin}/"));
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

        let token_storage = match optional_string(&fields, "token_storage")?.as_deref() {
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
        let api_url = optional_string(&fields, "api_url")?;
        if let Some(url) = &api_url {
            if !is_secure_url(url) {
                return Err(ConfigError::new(
                    "api_url",
                    "must be https:// (plain http only on 127.0.0.1, localhost or [::1])",
                ));
            }
        }

        Ok(Self {
            issuer,
            client_id,
            scope,
            redirect_uri,
            post_logout_redirect_uri,
            extra_auth_params,
            token_storage,
            resume_on_reload,
            refresh_margin_secs,
            api_url,
        })
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

fn check_uri(field: &str, uri: &str) -> Result<(), ConfigError> {
    if !is_absolute_http_url(uri) {
        return Err(ConfigError::new(field, "must be an absolute http(s) URL"));
    }
    // Codes arrive on the redirect URI: never over plain http off this machine.
    if !is_secure_url(uri) {
        return Err(ConfigError::new(
            field,
            "must be https:// (plain http only on 127.0.0.1, localhost or [::1])",
        ));
    }
    if uri.contains('#') {
        return Err(ConfigError::new(field, "must not contain a fragment"));
    }
    Ok(())
}

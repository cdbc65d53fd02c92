//! Where `<AuthProvider>` gets its configuration.

use pixie_core::config::ConfigBuilder;

/// The configuration of an [`crate::AuthProvider`]: fetched from a URL at run
/// time, so one build serves many deployments, or built in code.
///
/// ```
/// use pixie::{AuthConfig, ClientConfig};
/// // The deployment's config.json, next to index.html:
/// let from_deployment = AuthConfig::from_url("/config.json");
/// // Or fixed at build time:
/// let in_code = AuthConfig::new(ClientConfig::builder("https://login.example.com", "my-spa"));
/// ```
#[derive(Debug, Clone)]
pub struct AuthConfig(pub(crate) ConfigSource);

#[derive(Debug, Clone)]
pub(crate) enum ConfigSource {
    /// A `config.json` (absolute, or a path on the app's origin).
    Url(String),
    /// Built in code; checked when the provider starts, against the page's origin.
    Inline(ConfigBuilder),
}

impl AuthConfig {
    /// Fetch the configuration (the `config.json` fields) from `url` at every
    /// page load: a path on the app's origin such as `/config.json`, or an
    /// absolute URL.
    pub fn from_url(url: impl Into<String>) -> Self {
        Self(ConfigSource::Url(url.into()))
    }

    /// A configuration built in code with [`crate::ClientConfig::builder`].
    pub fn new(builder: ConfigBuilder) -> Self {
        Self(ConfigSource::Inline(builder))
    }
}

impl From<ConfigBuilder> for AuthConfig {
    fn from(builder: ConfigBuilder) -> Self {
        Self::new(builder)
    }
}

impl ConfigSource {
    /// The name the tab's provider cache is kept under: the absolute URL, or `inline`.
    pub(crate) fn name(&self, origin: &str) -> String {
        match self {
            Self::Url(url) if url.starts_with("https://") || url.starts_with("http://") => url.clone(),
            Self::Url(url) if url.starts_with('/') => format!("{origin}{url}"),
            Self::Url(url) => format!("{origin}/{url}"),
            Self::Inline(_) => "inline".to_owned(),
        }
    }
}

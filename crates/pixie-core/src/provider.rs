//! The configured client and its provider's metadata, and the tab's cache of
//! the discovery document.
//!
//! The cache holds the configuration text it was made for and the discovery
//! document as received. It is used only when the configuration read at this
//! page load is the same text, so a changed `config.json` takes effect at the
//! next page load, and a value planted in storage cannot outlive the deployed
//! configuration. Both documents are checked again when read back.

use crate::config::{ClientConfig, ConfigError};
use crate::discovery::{DiscoveryError, ProviderMetadata};
use crate::json::{Json, Object};

/// The configured client and its provider's metadata, once both are loaded and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// The client's configuration.
    pub config: ClientConfig,
    /// The provider's discovery document.
    pub metadata: ProviderMetadata,
}

/// The storage key name (after the prefix) of the provider cache.
pub const PROVIDER_CACHE_NAME: &str = "provider";

const CACHE_VERSION: u64 = 1;

/// One tab's cache of the provider: where the configuration came from, its
/// text, and the discovery document as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderCache {
    /// The configuration's source: its URL, or `inline` for one built in code.
    pub source: String,
    /// The configuration text the discovery document was fetched for.
    pub config_json: String,
    /// The discovery document, as received.
    pub discovery_json: String,
}

/// Why a cached provider could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheError {
    /// The cached configuration no longer passes its checks.
    Config(ConfigError),
    /// The cached discovery document no longer passes its checks.
    Discovery(DiscoveryError),
}

impl ProviderCache {
    /// The record to store.
    pub fn to_json(&self) -> String {
        Object::new()
            .with("v", CACHE_VERSION)
            .with("source", self.source.as_str())
            .with("config", self.config_json.as_str())
            .with("discovery", self.discovery_json.as_str())
            .to_json_string()
    }

    /// `None` for anything malformed or of another version: storage is outside our control.
    pub fn from_json(json: &str) -> Option<Self> {
        let cache = Json::parse_object(json).ok()?;
        if cache.opt_u64("v").ok()? != Some(CACHE_VERSION) {
            return None;
        }
        Some(Self {
            source: cache.str("source").ok()?.to_owned(),
            config_json: cache.str("config").ok()?.to_owned(),
            discovery_json: cache.str("discovery").ok()?.to_owned(),
        })
    }

    /// The provider from the cache, checked exactly as if both documents had just been fetched.
    pub fn provider(&self, origin: &str) -> Result<Provider, CacheError> {
        let config = ClientConfig::parse(&self.config_json, origin).map_err(CacheError::Config)?;
        let metadata =
            ProviderMetadata::for_config(&self.discovery_json, &config).map_err(CacheError::Discovery)?;
        Ok(Provider { config, metadata })
    }

    /// The cached discovery document, checked against `config` (already parsed from
    /// the same text) exactly as if it had just been fetched.
    pub fn metadata_for(&self, config: &ClientConfig) -> Result<ProviderMetadata, DiscoveryError> {
        ProviderMetadata::for_config(&self.discovery_json, config)
    }

    /// The cache may stand in for discovery only for exactly this configuration text.
    pub fn is_for(&self, source: &str, config_json: &str) -> bool {
        self.source == source && self.config_json == config_json
    }
}

//! sessionStorage, synchronously: the pending login is written before
//! `location.assign` can unload the page. Keys are the app's prefix plus a
//! name from `pixie_core` (`pixie.pending.<state>`, `pixie.session`, …).

use gloo_storage::{SessionStorage, Storage as _};
use pixie_core::authorize::{PendingLogin, PENDING_NAME_PREFIX};
use pixie_core::provider::{ProviderCache, PROVIDER_CACHE_NAME};

fn session_storage() -> Result<web_sys::Storage, String> {
    // gloo's `raw()` panics when storage is unavailable; ask the window first.
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .ok_or_else(|| "sessionStorage is disabled".to_owned())?;
    Ok(SessionStorage::raw())
}

pub(crate) fn get(key: &str) -> Option<String> {
    session_storage().ok()?.get_item(key).ok().flatten()
}

pub(crate) fn set(key: &str, value: &str) -> Result<(), String> {
    session_storage()?.set_item(key, value).map_err(|_| "sessionStorage is full or read-only".to_owned())
}

pub(crate) fn remove(key: &str) {
    if let Ok(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}

/// Read and remove in one go: a second take of the same key finds nothing,
/// which is what makes a replayed callback harmless.
pub(crate) fn take(key: &str) -> Option<String> {
    let storage = session_storage().ok()?;
    let value = storage.get_item(key).ok().flatten();
    let _ = storage.remove_item(key);
    value
}

fn keys() -> Vec<String> {
    let Ok(storage) = session_storage() else { return Vec::new() };
    let length = storage.length().unwrap_or(0);
    (0..length).filter_map(|i| storage.key(i).ok().flatten()).collect()
}

/// Drop the pending logins under `prefix` that are expired or unreadable.
pub(crate) fn purge_stale_pending(prefix: &str, now_ms: f64) {
    let pending_prefix = format!("{prefix}{PENDING_NAME_PREFIX}");
    for key in keys().into_iter().filter(|key| key.starts_with(&pending_prefix)) {
        let stale = get(&key)
            .and_then(|json| PendingLogin::from_storage_json(&json))
            .is_none_or(|pending| pending.is_expired(now_ms));
        if stale {
            remove(&key);
        }
    }
}

/// This tab's provider cache for configuration `source`, whatever the app's
/// prefix (it is in the configuration, which is what the cache holds).
pub(crate) fn find_provider_cache(source: &str) -> Option<(String, ProviderCache)> {
    keys().into_iter().filter(|key| key.ends_with(PROVIDER_CACHE_NAME)).find_map(|key| {
        let cache = ProviderCache::from_json(&get(&key)?)?;
        (cache.source == source).then_some((key, cache))
    })
}

/// localStorage, for the few non-secret markers every tab of the origin must
/// see (a session's newest generation, the logout tombstone). Never a token.
pub(crate) mod shared {
    use gloo_storage::{LocalStorage, Storage as _};

    fn local_storage() -> Option<web_sys::Storage> {
        web_sys::window().and_then(|w| w.local_storage().ok().flatten())?;
        Some(LocalStorage::raw())
    }

    pub(crate) fn get(key: &str) -> Option<String> {
        local_storage()?.get_item(key).ok().flatten()
    }

    pub(crate) fn set(key: &str, value: &str) {
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(key, value);
        }
    }

    pub(crate) fn remove(key: &str) {
        if let Some(storage) = local_storage() {
            let _ = storage.remove_item(key);
        }
    }

    /// The keys that start with `prefix`.
    pub(crate) fn keys_with(prefix: &str) -> Vec<String> {
        let Some(storage) = local_storage() else { return Vec::new() };
        let length = storage.length().unwrap_or(0);
        (0..length)
            .filter_map(|i| storage.key(i).ok().flatten())
            .filter(|key| key.starts_with(prefix))
            .collect()
    }
}

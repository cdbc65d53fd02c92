//! The pending-login record in sessionStorage. Writes are synchronous, so the record
//! is on disk before `location.assign` can unload the page.

use gloo_storage::{SessionStorage, Storage as _};

use crate::oauth::authorize::{PendingLogin, PENDING_KEY_PREFIX};
use crate::oauth::secret::State;

fn session_storage() -> Result<web_sys::Storage, String> {
    // gloo's `raw()` panics when storage is unavailable; ask the window first.
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .ok_or_else(|| "sessionStorage is disabled".to_owned())?;
    Ok(SessionStorage::raw())
}

pub fn save_pending(state: &State, pending: &PendingLogin) -> Result<(), String> {
    session_storage()?
        .set_item(&PendingLogin::storage_key(state), &pending.to_storage_json())
        .map_err(|_| "sessionStorage is full or read-only".to_owned())
}

/// Read and remove in one go: a second take of the same state finds nothing,
/// which is what makes a replayed callback harmless.
pub fn take_pending(state: &State) -> Option<PendingLogin> {
    let storage = session_storage().ok()?;
    let key = PendingLogin::storage_key(state);
    let json = storage.get_item(&key).ok().flatten();
    let _ = storage.remove_item(&key);
    PendingLogin::from_storage_json(&json?)
}

/// Drop pending logins that are expired or unreadable.
pub fn purge_stale_pending(now_ms: f64) {
    let Ok(storage) = session_storage() else { return };
    let length = storage.length().unwrap_or(0);
    let stale: Vec<String> = (0..length)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(PENDING_KEY_PREFIX))
        .filter(|key| {
            let record = storage.get_item(key).ok().flatten();
            record
                .and_then(|json| PendingLogin::from_storage_json(&json))
                .is_none_or(|pending| pending.is_expired(now_ms))
        })
        .collect();
    for key in stale {
        let _ = storage.remove_item(&key);
    }
}

/// Small sessionStorage helpers for the documented `pixie.*` keys.
pub fn get(key: &str) -> Option<String> {
    session_storage().ok()?.get_item(key).ok().flatten()
}

pub fn set(key: &str, value: &str) -> Result<(), String> {
    session_storage()?.set_item(key, value).map_err(|_| "sessionStorage is full or read-only".to_owned())
}

pub fn remove(key: &str) {
    if let Ok(storage) = session_storage() {
        let _ = storage.remove_item(key);
    }
}

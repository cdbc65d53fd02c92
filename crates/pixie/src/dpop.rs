//! DPoP in the browser: which key, where it lives, and sending a request with
//! a proof (and once more when the server asks for a nonce). What a proof
//! says, and what the answers mean, is `pixie_core::dpop`'s.
//!
//! One key per issuer and client. With `token_storage: "session"` it lives
//! in IndexedDB as a non-extractable `CryptoKey`, for the reloads and tabs of
//! the session; in memory mode it lives in memory only, made at the callback.
//! Logout and the end of the session delete it.

use std::rc::Rc;

use pixie_core::config::ClientConfig;
use pixie_core::dpop::{asks_for_nonce, key_persists, proof, proof_claims, with_proof, DpopError};
use pixie_core::http::{HttpRequest, HttpResponse};
use pixie_core::secret::AccessToken;
use pixie_core::AuthError;

use crate::browser::clock;
use crate::browser::dpop_key::DpopKey;
use crate::browser::fetch::{self, NetworkFailure};
use crate::Auth;

fn database(config: &ClientConfig) -> String {
    config.storage_key("dpop")
}

/// The one key per issuer and client.
fn key_id(config: &ClientConfig) -> String {
    format!("{} {}", config.issuer, config.client_id)
}

fn key_error(why: String) -> AuthError {
    AuthError::Dpop(DpopError::Key(why))
}

fn keep_in_memory(auth: Auth, key: &Rc<DpopKey>) {
    auth.rt(|rt| *rt.dpop_key.borrow_mut() = Some(key.clone()));
}

/// sessionStorage mode: the issuer and client's key from IndexedDB, made on
/// first use. Two tabs making one at once agree on the first one kept.
pub(crate) async fn persistent_key(auth: Auth, config: &ClientConfig) -> Result<Rc<DpopKey>, AuthError> {
    let (database, id) = (database(config), key_id(config));
    let key = match DpopKey::load(&database, &id).await.map_err(key_error)? {
        Some(key) => key,
        None => {
            let fresh = DpopKey::generate().await.map_err(key_error)?;
            match fresh.add(&database, &id).await {
                Ok(()) => fresh,
                // Another tab kept one first: use that one.
                Err(_) => DpopKey::load(&database, &id)
                    .await
                    .map_err(key_error)?
                    .ok_or_else(|| key_error("IndexedDB would not keep the key".to_owned()))?,
            }
        }
    };
    keep_in_memory(auth, &key);
    Ok(key)
}

/// Memory mode: a fresh key that lives in this page's memory only.
pub(crate) async fn memory_key(auth: Auth) -> Result<Rc<DpopKey>, AuthError> {
    let key = DpopKey::generate().await.map_err(key_error)?;
    keep_in_memory(auth, &key);
    Ok(key)
}

/// The key whose thumbprint is `jkt`: from memory, else from IndexedDB (a
/// callback, a reload in sessionStorage mode, another tab of the session).
pub(crate) async fn key_for(auth: Auth, config: &ClientConfig, jkt: &str) -> Result<Rc<DpopKey>, AuthError> {
    let in_memory = auth.rt(|rt| rt.dpop_key.borrow().clone()).flatten();
    let key = match in_memory.filter(|key| key.public.thumbprint() == jkt) {
        Some(key) => key,
        None if key_persists(config) => DpopKey::load(&database(config), &key_id(config))
            .await
            .map_err(key_error)?
            .filter(|key| key.public.thumbprint() == jkt)
            .ok_or_else(|| key_error("the key the tokens are bound to is gone".to_owned()))?,
        None => return Err(key_error("the key the tokens are bound to is gone".to_owned())),
    };
    keep_in_memory(auth, &key);
    Ok(key)
}

/// Logout, or the session ended: every key goes, from memory and IndexedDB.
/// Awaited before a logout leaves the page, so the deletion is not cut short.
pub(crate) async fn forget(auth: Auth, config: &ClientConfig) {
    auth.rt(|rt| {
        *rt.dpop_key.borrow_mut() = None;
        *rt.dpop_nonces.borrow_mut() = Default::default();
    });
    // Memory mode never keeps a key there (and opening would create the database).
    if key_persists(config) {
        let _ = DpopKey::delete_all(&database(config)).await;
    }
}

/// `request` as sent with a proof from `key` (with `ath` and `Authorization:
/// DPoP` for `access_token`), the response, and the request as it finally
/// went. The server's nonce is kept from every answer; when it asks for one
/// (`use_dpop_nonce`), the request goes exactly once more, with it.
pub(crate) async fn send(
    auth: Auth,
    key: &DpopKey,
    request: &HttpRequest,
    access_token: Option<&AccessToken>,
    timeout_secs: u32,
) -> Result<(HttpResponse, HttpRequest), NetworkFailure> {
    let mut retried = false;
    loop {
        let nonce = auth.rt(|rt| rt.dpop_nonces.borrow().for_url(&request.url).map(str::to_owned)).flatten();
        let jti = crate::browser::random::jti().map_err(|e| NetworkFailure(e.to_string()))?;
        let claims = proof_claims(request, jti, clock::now_secs(), nonce.as_deref(), access_token);
        let unsigned = proof(&key.public, &claims);
        let signature = key.sign(unsigned.signing_input.as_bytes()).await.map_err(NetworkFailure)?;
        let proof = unsigned
            .signed(&signature)
            .ok_or_else(|| NetworkFailure("the signature is not 64 bytes".to_owned()))?;
        let sent = with_proof(request.clone(), proof, access_token);
        let response = fetch::send(&sent, timeout_secs).await?;
        auth.rt(|rt| rt.dpop_nonces.borrow_mut().update(&request.url, &response));
        if !retried && asks_for_nonce(&response) {
            retried = true;
            continue;
        }
        return Ok((response, sent));
    }
}

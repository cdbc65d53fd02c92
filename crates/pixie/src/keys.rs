//! The provider's keys: fetching its JWKS, choosing the key that signed an ID
//! token, and verifying the signature with WebCrypto.

use pixie_core::id_token::{signing_algorithm, IdTokenError, VerifiedSignature};
use pixie_core::jwks::{jwks_request, parse_jwks_response, select_key, JwkSet, JwksError, KeySelectionError};
use pixie_core::jwt::decode_jws;
use pixie_core::provider::Provider;
use pixie_core::secret::IdToken;
use pixie_core::AuthError;

use crate::browser::crypto::WebCrypto;
use crate::browser::fetch;

/// OIDC Core §3.1.3.7 steps 6–8: the `alg` must be allowed, the key must be in
/// the provider's JWKS (one refetch for rotation), and WebCrypto must verify.
pub(crate) async fn verify_id_token_signature(
    provider: &Provider,
    id_token: &IdToken,
    prefetched_jwks: Result<JwkSet, AuthError>,
) -> Result<VerifiedSignature, AuthError> {
    let jws = decode_jws(id_token.secret()).map_err(IdTokenError::Malformed)?;
    let algorithm = signing_algorithm(&jws.header)?;
    let key = match select_key(&prefetched_jwks?, &jws.header, algorithm) {
        Ok(key) => key.clone(),
        // An unknown kid may mean the provider rotated its keys: refetch once, then give up.
        Err(KeySelectionError::NoMatchingKey) => {
            select_key(&fetch_jwks(provider).await?, &jws.header, algorithm)
                .map_err(|_| IdTokenError::UnknownKey)?
                .clone()
        }
        Err(KeySelectionError::Ambiguous) => return Err(IdTokenError::AmbiguousKey.into()),
    };
    Ok(pixie_core::id_token::verify_signature(&WebCrypto, &jws, &key, algorithm).await?)
}

pub(crate) async fn fetch_jwks(provider: &Provider) -> Result<JwkSet, AuthError> {
    fetch_jwks_at(provider.metadata.jwks_uri.as_deref(), provider.config.request_timeout_secs).await
}

pub(crate) async fn fetch_jwks_at(jwks_uri: Option<&str>, timeout_secs: u32) -> Result<JwkSet, AuthError> {
    let Some(jwks_uri) = jwks_uri else {
        return Err(JwksError::Invalid("the provider publishes no jwks_uri".to_owned()).into());
    };
    let response = fetch::send(&jwks_request(jwks_uri), timeout_secs)
        .await
        .map_err(|e| AuthError::Network { during: "the JWKS", detail: e.0 })?;
    Ok(parse_jwks_response(&response)?)
}

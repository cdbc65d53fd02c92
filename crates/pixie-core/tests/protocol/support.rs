//! Shared fixtures: one provider, one client, a fixed clock and fixed randomness,
//! plus builders for discovery documents and JWTs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use pixie_core::authorize::{authorization_request, AuthorizationRequest, LoginRandomness, PendingLogin};
use pixie_core::callback::{parse_callback, validate_callback, CallbackError, ValidatedCallback};
use pixie_core::config::{ClientConfig, LogoutMethod, TokenStorage};
use pixie_core::discovery::ProviderMetadata;
use pixie_core::http::HttpResponse;
use pixie_core::id_token::{verify_signature, IdTokenExpectations, SignatureVerifier, VerifiedSignature};
use pixie_core::json::Object;
use pixie_core::jwks::{Jwk, SignatureAlgorithm};
use pixie_core::jwt::{DecodedJws, JoseHeader};
use pixie_core::presets::{IssuerRule, Preset};
use pixie_core::secret::{IdToken, Nonce};

pub const ISSUER: &str = "https://id.example";
pub const ISSUER_ENCODED: &str = "https%3A%2F%2Fid.example";
pub const CLIENT_ID: &str = "pixie-demo";
pub const REDIRECT_URI: &str = "https://app.example/callback";
pub const AUTHORIZATION_ENDPOINT: &str = "https://id.example/authorize";
pub const TOKEN_ENDPOINT: &str = "https://id.example/token";
pub const USERINFO_ENDPOINT: &str = "https://id.example/userinfo";

/// The injected clock.
pub const NOW_SECS: i64 = 1_700_000_000;
pub const NOW_MS: f64 = NOW_SECS as f64 * 1000.0;
pub const MINUTE_MS: f64 = 60_000.0;

/// The injected randomness, and its base64url / S256 values computed independently
/// (Python `base64.urlsafe_b64encode` + `hashlib.sha256`), not with the crate under test.
pub const VERIFIER_BYTES: [u8; 32] = [1; 32];
pub const STATE_BYTES: [u8; 32] = [2; 32];
pub const NONCE_BYTES: [u8; 32] = [3; 32];
pub const VERIFIER: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
pub const CHALLENGE: &str = "VtX6czP210fbQsI5QH5dpMMvTHnzXQkrE0_TWkAtnFw";
pub const STATE: &str = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";
pub const NONCE: &str = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM";

pub const CODE: &str = "SplxlOBeZQQYbYS6WxSbIA";

// ----- client and provider -------------------------------------------------

pub fn config() -> ClientConfig {
    ClientConfig {
        issuer: ISSUER.to_owned(),
        client_id: CLIENT_ID.to_owned(),
        scope: "openid profile email offline_access".to_owned(),
        redirect_uri: REDIRECT_URI.to_owned(),
        callback_path: "/callback".to_owned(),
        post_logout_redirect_uri: "https://app.example/".to_owned(),
        extra_auth_params: Vec::new(),
        token_storage: TokenStorage::Memory,
        resume_on_reload: true,
        refresh_margin_secs: 60,
        api_url: None,
        storage_key_prefix: "pixie.".to_owned(),
        max_age: None,
        acr_values: None,
        request_timeout_secs: 20,
        logout_method: LogoutMethod::Get,
        dpop: pixie_core::config::DpopMode::Auto,
        par: pixie_core::config::ParMode::Off,
        provider: Preset::Generic,
    }
}

/// Metadata as discovery returns it; the provider supports RFC 9207 `iss`.
pub fn metadata() -> ProviderMetadata {
    ProviderMetadata {
        issuer: ISSUER.to_owned(),
        issuer_rule: IssuerRule::Exact,
        authorization_endpoint: AUTHORIZATION_ENDPOINT.to_owned(),
        token_endpoint: TOKEN_ENDPOINT.to_owned(),
        userinfo_endpoint: Some(USERINFO_ENDPOINT.to_owned()),
        jwks_uri: Some("https://id.example/jwks".to_owned()),
        end_session_endpoint: Some("https://id.example/logout".to_owned()),
        revocation_endpoint: Some("https://id.example/revoke".to_owned()),
        authorization_response_iss_parameter_supported: true,
        code_challenge_methods_supported: Some(vec!["S256".to_owned()]),
        dpop_signing_alg_values_supported: None,
        pushed_authorization_request_endpoint: None,
        require_pushed_authorization_requests: false,
    }
}

// ----- login and callback ---------------------------------------------------

pub fn randomness() -> LoginRandomness {
    LoginRandomness { verifier: VERIFIER_BYTES, state: STATE_BYTES, nonce: NONCE_BYTES }
}

/// A login started at `NOW_MS` with the fixed randomness, returning to `/`.
pub fn login_with(config: &ClientConfig, metadata: &ProviderMetadata) -> AuthorizationRequest {
    authorization_request(config, metadata, randomness(), "/", NOW_MS)
}

pub fn login() -> AuthorizationRequest {
    login_with(&config(), &metadata())
}

/// The fixture login's pending record, as the callback reads it back from storage.
pub fn pending() -> PendingLogin {
    login().pending
}

/// The successful redirect for the fixture login.
pub fn success_query() -> String {
    format!("?code={CODE}&state={STATE}&iss={ISSUER_ENCODED}")
}

/// Parse and validate a redirect query at `now_ms`.
pub fn callback_with(
    query: &str,
    pending: Option<PendingLogin>,
    now_ms: f64,
) -> Result<ValidatedCallback, CallbackError> {
    let response = parse_callback(query, "")?;
    validate_callback(response, pending, now_ms)
}

/// Parse and validate a redirect query against the fixture login, right now.
pub fn callback(query: &str) -> Result<ValidatedCallback, CallbackError> {
    callback_with(query, Some(pending()), NOW_MS)
}

pub fn validated_callback() -> ValidatedCallback {
    callback(&success_query()).expect("the fixture callback validates")
}

// ----- HTTP responses -------------------------------------------------------

pub fn response(status: u16, content_type: &str, body: &str) -> HttpResponse {
    HttpResponse::new(status, Some(content_type), body)
}

pub fn json_response(status: u16, body: &Value) -> HttpResponse {
    response(status, "application/json", &body.to_string())
}

// ----- discovery documents --------------------------------------------------

/// A discovery document for [`ISSUER`], valid unless changed.
pub struct MetadataDoc(Map<String, Value>);

impl MetadataDoc {
    pub fn new() -> Self {
        let Value::Object(fields) = json!({
            "issuer": ISSUER,
            "authorization_endpoint": AUTHORIZATION_ENDPOINT,
            "token_endpoint": TOKEN_ENDPOINT,
            "userinfo_endpoint": USERINFO_ENDPOINT,
            "jwks_uri": "https://id.example/jwks",
            "end_session_endpoint": "https://id.example/logout",
            "revocation_endpoint": "https://id.example/revoke",
            "authorization_response_iss_parameter_supported": true,
            "code_challenge_methods_supported": ["S256"],
            "response_types_supported": ["code"],
        }) else {
            unreachable!()
        };
        Self(fields)
    }

    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_owned(), value.into());
        self
    }

    pub fn without(mut self, key: &str) -> Self {
        self.0.remove(key);
        self
    }

    /// `200 application/json` with this document.
    pub fn response(&self) -> HttpResponse {
        json_response(200, &Value::Object(self.0.clone()))
    }
}

// ----- JWTs -----------------------------------------------------------------

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn b64_json(value: &Value) -> String {
    b64(value.to_string().as_bytes())
}

/// A compact JWS: base64url JSON header and payload, and a dummy signature.
/// Starts as an ID token that passes every check for the fixture login at `NOW_SECS`.
#[derive(Clone)]
pub struct Jwt {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signature: Vec<u8>,
}

pub const DUMMY_SIGNATURE: &[u8] = b"not-a-real-signature";

impl Jwt {
    pub fn id_token() -> Self {
        let (Value::Object(header), Value::Object(claims)) = (
            json!({ "alg": "RS256", "kid": "key-1", "typ": "JWT" }),
            json!({
                "iss": ISSUER,
                "sub": "user-123",
                "aud": CLIENT_ID,
                "exp": NOW_SECS + 300,
                "iat": NOW_SECS - 10,
                "nonce": NONCE,
                "email": "ada@example.com",
            }),
        ) else {
            unreachable!()
        };
        Self { header, claims, signature: DUMMY_SIGNATURE.to_vec() }
    }

    pub fn header(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.header.insert(key.to_owned(), value.into());
        self
    }

    pub fn without_header(mut self, key: &str) -> Self {
        self.header.remove(key);
        self
    }

    pub fn claim(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(key.to_owned(), value.into());
        self
    }

    pub fn without_claim(mut self, key: &str) -> Self {
        self.claims.remove(key);
        self
    }

    pub fn signature(mut self, bytes: &[u8]) -> Self {
        self.signature = bytes.to_vec();
        self
    }

    pub fn encode(&self) -> String {
        format!(
            "{}.{}.{}",
            b64_json(&Value::Object(self.header.clone())),
            b64_json(&Value::Object(self.claims.clone())),
            b64(&self.signature)
        )
    }

    pub fn to_id_token(&self) -> IdToken {
        IdToken::new(self.encode())
    }
}

/// What the fixture login expects of its ID token, at the fixed clock.
pub fn expectations(nonce: &Nonce, skew_secs: i64) -> IdTokenExpectations<'_> {
    IdTokenExpectations {
        issuer: ISSUER,
        issuer_rule: IssuerRule::Exact,
        client_id: CLIENT_ID,
        nonce,
        now_secs: NOW_SECS,
        skew_secs,
        max_age: None,
        acr_values: None,
        expected_sub: None,
    }
}

// ----- signatures -------------------------------------------------------------

/// Says yes to every signature: it stands in for WebCrypto, so the claim
/// checks can be tested on their own. The name is the warning.
pub struct TrustEverySignatureInsecurely;

impl SignatureVerifier for TrustEverySignatureInsecurely {
    async fn verify(&self, _: SignatureAlgorithm, _: &Jwk, _: &[u8], _: &[u8]) -> bool {
        true
    }
}

/// Refuses every signature.
pub struct RefuseEverySignature;

impl SignatureVerifier for RefuseEverySignature {
    async fn verify(&self, _: SignatureAlgorithm, _: &Jwk, _: &[u8], _: &[u8]) -> bool {
        false
    }
}

/// Runs a future that never waits (the verifiers above answer at once).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the future waited; test verifiers answer at once"),
    }
}

pub fn rsa_key(kid: &str) -> Jwk {
    Jwk {
        kty: "RSA".to_owned(),
        kid: Some(kid.to_owned()),
        alg: None,
        use_: None,
        key_ops: None,
        crv: None,
        n: Some("n".to_owned()),
        e: Some("AQAB".to_owned()),
        x: None,
        y: None,
    }
}

/// The proof the browser hands over once WebCrypto has verified a token with
/// `algorithm` and key `kid`: made the only way there is, through `verify_signature`.
pub fn proof(algorithm: SignatureAlgorithm, kid: Option<&str>) -> VerifiedSignature {
    let length = match algorithm {
        SignatureAlgorithm::Es256 | SignatureAlgorithm::EdDsa => 64,
        SignatureAlgorithm::Rs256 | SignatureAlgorithm::Ps256 => 256,
    };
    let jws = DecodedJws {
        header: JoseHeader {
            alg: algorithm.jose_name().to_owned(),
            kid: kid.map(str::to_owned),
            typ: None,
            crit: None,
        },
        claims: Object::new(),
        signing_input: String::new(),
        signature: vec![0; length],
    };
    block_on(verify_signature(&TrustEverySignatureInsecurely, &jws, &rsa_key("k"), algorithm))
        .expect("the trusting verifier says yes")
}

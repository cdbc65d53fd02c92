//! `config.json`: defaults from the origin, and errors that name the offending field.

use pixie::oauth::config::{
    ClientConfig, ConfigError, TokenStorage, DEFAULT_REFRESH_MARGIN_SECS, DEFAULT_SCOPE,
};
use serde_json::{json, Value};

const ORIGIN: &str = "http://127.0.0.1:8080";

/// The minimal config plus the given fields (a `null` value removes the field).
fn config_json(changes: Value) -> String {
    let mut config = json!({ "issuer": "http://127.0.0.1:9000", "client_id": "pixie-demo" });
    for (key, value) in changes.as_object().expect("changes are an object") {
        if value.is_null() {
            config.as_object_mut().unwrap().remove(key);
        } else {
            config[key] = value.clone();
        }
    }
    config.to_string()
}

fn parse(json: &str) -> Result<ClientConfig, ConfigError> {
    ClientConfig::parse(json, ORIGIN)
}

/// The field a bad config is blamed on.
fn failing_field(json: &str) -> String {
    match parse(json) {
        Ok(config) => panic!("expected a ConfigError, got {config:?}"),
        Err(error) => error.field,
    }
}

#[test]
fn minimal_config_gets_defaults_from_the_origin() {
    let config = parse(&config_json(json!({}))).unwrap();
    assert_eq!(
        config,
        ClientConfig {
            issuer: "http://127.0.0.1:9000".to_owned(),
            client_id: "pixie-demo".to_owned(),
            scope: "openid profile email offline_access".to_owned(),
            redirect_uri: "http://127.0.0.1:8080/callback".to_owned(),
            post_logout_redirect_uri: "http://127.0.0.1:8080/".to_owned(),
            extra_auth_params: Vec::new(),
            token_storage: TokenStorage::Memory,
            resume_on_reload: true,
            refresh_margin_secs: DEFAULT_REFRESH_MARGIN_SECS,
            api_url: None,
        }
    );
    assert_eq!(config.scope, DEFAULT_SCOPE);
}

#[test]
fn explicit_fields_override_the_defaults() {
    let config = parse(&config_json(json!({
        "scope": "openid email",
        "redirect_uri": "https://app.example/cb",
        "post_logout_redirect_uri": "https://app.example/bye",
    })))
    .unwrap();
    assert_eq!(config.scope, "openid email");
    assert_eq!(config.redirect_uri, "https://app.example/cb");
    assert_eq!(config.post_logout_redirect_uri, "https://app.example/bye");
}

#[test]
fn missing_issuer_names_issuer() {
    assert_eq!(failing_field(&config_json(json!({ "issuer": null }))), "issuer");
}

#[test]
fn missing_client_id_names_client_id() {
    assert_eq!(failing_field(&config_json(json!({ "client_id": null }))), "client_id");
}

#[test]
fn non_string_client_id_names_client_id() {
    assert_eq!(failing_field(&config_json(json!({ "client_id": 42 }))), "client_id");
}

#[test]
fn http_issuer_off_loopback_names_issuer() {
    assert_eq!(failing_field(&config_json(json!({ "issuer": "http://example.com" }))), "issuer");
}

#[test]
fn http_issuer_on_loopback_hosts_is_allowed() {
    for issuer in ["http://localhost:9000", "http://[::1]:9000", "https://example.com"] {
        let config = parse(&config_json(json!({ "issuer": issuer }))).unwrap();
        assert_eq!(config.issuer, issuer);
    }
}

#[test]
fn loopback_lookalike_issuer_names_issuer() {
    assert_eq!(failing_field(&config_json(json!({ "issuer": "http://127.0.0.1.evil.example" }))), "issuer");
}

#[test]
fn scope_without_openid_names_scope() {
    assert_eq!(failing_field(&config_json(json!({ "scope": "profile email openidx" }))), "scope");
}

#[test]
fn relative_redirect_uri_names_redirect_uri() {
    assert_eq!(failing_field(&config_json(json!({ "redirect_uri": "/callback" }))), "redirect_uri");
}

#[test]
fn unknown_field_is_named() {
    let json = config_json(json!({ "client_id": null, "clientid": "pixie-demo" }));
    assert_eq!(failing_field(&json), "clientid");
}

#[test]
fn extra_auth_params_cannot_override_state() {
    let json = config_json(json!({ "extra_auth_params": { "state": "fixed" } }));
    assert_eq!(failing_field(&json), "extra_auth_params");
}

#[test]
fn extra_auth_params_values_must_be_strings() {
    let json = config_json(json!({ "extra_auth_params": { "max_age": 0 } }));
    assert_eq!(failing_field(&json), "extra_auth_params");
}

#[test]
fn invalid_json_blames_no_field() {
    assert_eq!(failing_field(r#"{"issuer": "http://127.0.0.1:9000","#), "");
}

#[test]
fn non_object_json_blames_no_field() {
    assert_eq!(failing_field(r#"["http://127.0.0.1:9000", "pixie-demo"]"#), "");
}

#[test]
fn extra_auth_params_keep_the_order_config_json_gives() {
    let json = r#"{
        "issuer": "http://127.0.0.1:9000",
        "client_id": "pixie-demo",
        "extra_auth_params": { "prompt": "login", "audience": "https://api.example", "acr_values": "mfa" }
    }"#;
    let pairs = parse(json).unwrap().extra_auth_params;
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(pairs, [("prompt", "login"), ("audience", "https://api.example"), ("acr_values", "mfa")]);
}

#[test]
fn plain_http_redirect_uri_off_loopback_is_rejected() {
    assert_eq!(
        failing_field(&config_json(json!({ "redirect_uri": "http://app.example/callback" }))),
        "redirect_uri"
    );
}

#[test]
fn config_error_display_names_the_field() {
    let error = parse(&config_json(json!({ "scope": "profile" }))).unwrap_err();
    assert_eq!(error.to_string(), "config.json field `scope`: must include `openid`");
}

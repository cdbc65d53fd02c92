//! `config.json`: defaults from the origin, and errors that name the offending field.

use pixie_core::config::{
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
            scope: "openid profile email".to_owned(),
            redirect_uri: "http://127.0.0.1:8080/callback".to_owned(),
            callback_path: "/callback".to_owned(),
            post_logout_redirect_uri: "http://127.0.0.1:8080/".to_owned(),
            extra_auth_params: Vec::new(),
            token_storage: TokenStorage::Memory,
            resume_on_reload: true,
            refresh_margin_secs: DEFAULT_REFRESH_MARGIN_SECS,
            api_url: None,
            storage_key_prefix: "pixie.".to_owned(),
            max_age: None,
            acr_values: None,
            request_timeout_secs: 20,
            logout_method: pixie_core::config::LogoutMethod::Get,
            dpop: pixie_core::config::DpopMode::Auto,
            par: pixie_core::config::ParMode::Off,
            provider: pixie_core::presets::Preset::Generic,
        }
    );
    assert_eq!(config.scope, DEFAULT_SCOPE);
}

#[test]
fn explicit_fields_override_the_defaults() {
    let json = config_json(json!({
        "scope": "openid email",
        "redirect_uri": "https://app.example/cb",
        "post_logout_redirect_uri": "https://app.example/bye",
    }));
    let config = ClientConfig::parse(&json, "https://app.example").unwrap();
    assert_eq!(config.scope, "openid email");
    assert_eq!(config.redirect_uri, "https://app.example/cb");
    assert_eq!(config.post_logout_redirect_uri, "https://app.example/bye");
    assert_eq!(config.callback_path, "/cb", "the callback is handled at the redirect URI's path");
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
        "extra_auth_params": { "prompt": "login", "audience": "https://api.example", "ui_locales": "fr" }
    }"#;
    let pairs = parse(json).unwrap().extra_auth_params;
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(pairs, [("prompt", "login"), ("audience", "https://api.example"), ("ui_locales", "fr")]);
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

// ----- the callback path, the app's origin, the storage prefix -----------------

#[test]
fn the_callback_path_follows_the_redirect_uri() {
    let config = parse(&config_json(json!({ "redirect_uri": "http://127.0.0.1:8080/auth/done" }))).unwrap();
    assert_eq!(config.callback_path, "/auth/done");
    let config = parse(&config_json(json!({ "callback_path": "/auth/done" }))).unwrap();
    assert_eq!(
        config.redirect_uri, "http://127.0.0.1:8080/auth/done",
        "the default redirect URI uses the path"
    );
    let both = json!({ "redirect_uri": "http://127.0.0.1:8080/auth/done", "callback_path": "/auth/done" });
    assert_eq!(parse(&config_json(both)).unwrap().callback_path, "/auth/done");
}

#[test]
fn a_callback_path_that_contradicts_the_redirect_uri_is_named() {
    let fields = json!({ "redirect_uri": "http://127.0.0.1:8080/callback", "callback_path": "/other" });
    assert_eq!(failing_field(&config_json(fields)), "callback_path");
    for bad in ["callback", "//evil.example/cb", "/cb?x=1", "/cb#x", "/c b"] {
        assert_eq!(failing_field(&config_json(json!({ "callback_path": bad }))), "callback_path", "{bad}");
    }
}

#[test]
fn a_redirect_uri_on_another_origin_is_named() {
    // The callback lands on the page that holds the pending login, so it must be this origin.
    for uri in [
        "http://localhost:8080/callback",
        "http://127.0.0.1:8081/callback",
        "https://127.0.0.1:8080/callback",
    ] {
        let error = parse(&config_json(json!({ "redirect_uri": uri }))).unwrap_err();
        assert_eq!(error.field, "redirect_uri", "{uri}");
        assert!(
            error.problem.contains("http://127.0.0.1:8080"),
            "the message names the origin: {}",
            error.problem
        );
    }
    let default_port = ClientConfig::parse(
        &config_json(json!({ "redirect_uri": "https://app.example:443/cb" })),
        "https://app.example",
    );
    assert!(default_port.is_ok(), "an explicit default port is the same origin");
}

#[test]
fn userinfo_in_an_authority_is_refused_everywhere() {
    // `http://localhost:1@evil.example/` is a URL for the host evil.example.
    let tricks = [
        "http://localhost:1@evil.example/",
        "http://127.0.0.1@evil.example",
        "http://[::1]:1@evil.example/x",
    ];
    for url in tricks {
        assert_eq!(failing_field(&config_json(json!({ "issuer": url }))), "issuer", "{url}");
        assert_eq!(failing_field(&config_json(json!({ "redirect_uri": url }))), "redirect_uri", "{url}");
        assert_eq!(failing_field(&config_json(json!({ "api_url": url }))), "api_url", "{url}");
        assert_eq!(
            failing_field(&config_json(json!({ "post_logout_redirect_uri": url }))),
            "post_logout_redirect_uri",
            "{url}"
        );
    }
}

#[test]
fn the_default_scope_asks_for_no_more_than_a_login_needs() {
    assert_eq!(DEFAULT_SCOPE, "openid profile email");
    assert!(!parse(&config_json(json!({}))).unwrap().scope.contains("offline_access"));
}

#[test]
fn storage_keys_and_channel_use_the_prefix() {
    let config = parse(&config_json(json!({}))).unwrap();
    assert_eq!(config.storage_key("session"), "pixie.session");
    assert_eq!(config.channel_name(), "pixie");
    let config = parse(&config_json(json!({ "storage_key_prefix": "notes." }))).unwrap();
    assert_eq!(config.storage_key("pending.abc"), "notes.pending.abc");
    assert_eq!(config.channel_name(), "notes");
    for bad in ["has space", "quote\"", "a-very-long-prefix-that-goes-on-and-on."] {
        assert_eq!(
            failing_field(&config_json(json!({ "storage_key_prefix": bad }))),
            "storage_key_prefix",
            "{bad}"
        );
    }
}

#[test]
fn a_config_built_in_code_is_checked_like_config_json() {
    let built = ClientConfig::builder("http://127.0.0.1:9000", "pixie-demo")
        .scope("openid email")
        .callback_path("/auth/callback")
        .token_storage(TokenStorage::Session)
        .extra_auth_param("audience", "https://api.example")
        .storage_key_prefix("app.")
        .build(ORIGIN)
        .unwrap();
    let parsed = parse(&config_json(json!({
        "scope": "openid email",
        "callback_path": "/auth/callback",
        "token_storage": "session",
        "extra_auth_params": { "audience": "https://api.example" },
        "storage_key_prefix": "app.",
    })))
    .unwrap();
    assert_eq!(built, parsed);
    let error = ClientConfig::builder("http://id.example", "c").build(ORIGIN).unwrap_err();
    assert_eq!(error.field, "issuer", "the same error, naming the same field");
}

#[test]
fn the_config_response_must_be_a_200() {
    use pixie_core::config::{config_request, parse_config_response};
    use pixie_core::http::HttpResponse;
    use pixie_core::AuthError;
    assert_eq!(config_request("http://127.0.0.1:8080/config.json").url, "http://127.0.0.1:8080/config.json");
    let missing = HttpResponse::new(404, Some("text/html"), "not found");
    assert_eq!(
        parse_config_response(&missing, ORIGIN),
        Err(AuthError::ConfigUnavailable { status: Some(404) })
    );
    let ok = HttpResponse::new(200, Some("application/json"), config_json(json!({})));
    assert_eq!(parse_config_response(&ok, ORIGIN).unwrap().client_id, "pixie-demo");
}

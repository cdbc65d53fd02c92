//! The token request a public client sends, and how the token response is judged.

use pixie_core::http::HttpResponse;
use pixie_core::token::{parse_token_response, token_request, OAuthErrorCode, TokenError, TokenResponse};
use serde_json::{json, Value};

use crate::support::{
    callback, json_response, response, validated_callback, Jwt, ISSUER_ENCODED, STATE, TOKEN_ENDPOINT,
    VERIFIER,
};

fn request() -> pixie_core::http::HttpRequest {
    token_request(&validated_callback())
}

fn parse(response: &HttpResponse) -> Result<TokenResponse, TokenError> {
    parse_token_response(response)
}

fn token_error(response: &HttpResponse) -> TokenError {
    match parse(response) {
        Ok(tokens) => panic!("expected a TokenError, got {tokens:?}"),
        Err(error) => error,
    }
}

/// A 200 response with a minimal valid body plus (or minus, with `null`) some fields.
fn success_with(changes: Value) -> HttpResponse {
    let mut body = json!({ "access_token": "at-123", "token_type": "Bearer" });
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(key);
        } else {
            body[key] = value.clone();
        }
    }
    json_response(200, &body)
}

fn oauth_error(status: u16, code: &str) -> HttpResponse {
    json_response(status, &json!({ "error": code }))
}

// ----- the request ------------------------------------------------------------

#[test]
fn request_body_is_exact() {
    assert_eq!(
        request().body.as_deref(),
        Some(
            format!(
                "grant_type=authorization_code\
                 &code=SplxlOBeZQQYbYS6WxSbIA\
                 &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback\
                 &client_id=pixie-demo\
                 &code_verifier={VERIFIER}"
            )
            .as_str()
        )
    );
}

#[test]
fn request_body_percent_encodes_the_code() {
    let validated = callback(&format!("?code=a%2Bb%2Fc%3D%20d&state={STATE}&iss={ISSUER_ENCODED}")).unwrap();
    let body = token_request(&validated).body.unwrap();
    assert!(body.contains("&code=a%2Bb%2Fc%3D%20d&"), "{body}");
}

#[test]
fn request_is_a_post_to_the_token_endpoint() {
    let request = request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.url, TOKEN_ENDPOINT);
}

#[test]
fn request_headers_are_exactly_form_and_json() {
    assert_eq!(
        request().headers,
        [
            ("Content-Type", "application/x-www-form-urlencoded".to_owned()),
            ("Accept", "application/json".to_owned()),
        ]
    );
}

#[test]
fn request_has_no_authorization_header() {
    assert!(!request().headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("authorization")));
}

#[test]
fn request_body_has_no_client_secret() {
    assert!(!request().body.unwrap().contains("client_secret"));
}

// ----- the response -----------------------------------------------------------

#[test]
fn success_with_all_fields_is_parsed() {
    let id_token = Jwt::id_token().encode();
    let tokens = parse(&success_with(json!({
        "expires_in": 3600,
        "refresh_token": "rt-456",
        "id_token": id_token,
        "scope": "openid profile",
    })))
    .unwrap();
    assert_eq!(tokens.access_token.secret(), "at-123");
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, Some(3600));
    assert_eq!(tokens.refresh_token.unwrap().secret(), "rt-456");
    assert_eq!(tokens.id_token.unwrap().secret(), id_token);
    assert_eq!(tokens.scope.as_deref(), Some("openid profile"));
}

#[test]
fn minimal_success_leaves_optional_fields_empty() {
    let tokens = parse(&success_with(json!({}))).unwrap();
    assert_eq!(tokens.expires_in, None);
    assert!(tokens.refresh_token.is_none());
    assert!(tokens.id_token.is_none());
    assert_eq!(tokens.scope, None);
}

#[test]
fn empty_refresh_and_id_tokens_count_as_absent() {
    let tokens = parse(&success_with(json!({ "refresh_token": "", "id_token": "" }))).unwrap();
    assert!(tokens.refresh_token.is_none());
    assert!(tokens.id_token.is_none());
}

#[test]
fn expires_in_as_string_is_accepted() {
    assert_eq!(parse(&success_with(json!({ "expires_in": "3600" }))).unwrap().expires_in, Some(3600));
}

#[test]
fn lowercase_bearer_is_accepted() {
    assert_eq!(parse(&success_with(json!({ "token_type": "bearer" }))).unwrap().token_type, "bearer");
}

#[test]
fn dpop_tokens_are_accepted_and_other_types_are_not() {
    let tokens = parse(&success_with(json!({ "token_type": "DPoP" }))).expect("RFC 9449 §5");
    assert_eq!(tokens.token_type, "DPoP");
    let err = token_error(&success_with(json!({ "token_type": "mac" })));
    assert_eq!(err, TokenError::UnsupportedTokenType("mac".to_owned()));
}

#[test]
fn invalid_grant_keeps_description_and_status() {
    let body = json!({ "error": "invalid_grant", "error_description": "grant request is invalid" });
    assert_eq!(
        token_error(&json_response(400, &body)),
        TokenError::OAuth {
            code: OAuthErrorCode::InvalidGrant,
            description: Some("grant request is invalid".to_owned()),
            uri: None,
            status: 400,
        }
    );
}

#[test]
fn each_rfc6749_error_code_maps_to_its_variant() {
    let cases = [
        ("invalid_request", OAuthErrorCode::InvalidRequest),
        ("invalid_client", OAuthErrorCode::InvalidClient),
        ("invalid_grant", OAuthErrorCode::InvalidGrant),
        ("unauthorized_client", OAuthErrorCode::UnauthorizedClient),
        ("unsupported_grant_type", OAuthErrorCode::UnsupportedGrantType),
        ("invalid_scope", OAuthErrorCode::InvalidScope),
    ];
    for (wire, expected) in cases {
        let err = token_error(&oauth_error(400, wire));
        assert!(matches!(&err, TokenError::OAuth { code, .. } if *code == expected), "{wire}: {err:?}");
        assert_eq!(expected.as_str(), wire);
    }
}

#[test]
fn unknown_error_code_is_an_extension() {
    let err = token_error(&oauth_error(400, "authorization_pending"));
    assert!(
        matches!(&err, TokenError::OAuth { code: OAuthErrorCode::Extension(code), .. } if code == "authorization_pending"),
        "{err:?}"
    );
}

#[test]
fn error_status_with_html_is_http_error() {
    let body = "<html><body>Internal Server Error</body></html>";
    assert_eq!(
        token_error(&response(500, "text/html", body)),
        TokenError::Http { status: 500, body_excerpt: body.to_owned() }
    );
}

#[test]
fn error_status_with_json_but_no_error_field_is_http_error() {
    let err = token_error(&json_response(502, &json!({ "message": "bad gateway" })));
    assert!(matches!(err, TokenError::Http { status: 502, .. }), "{err:?}");
}

#[test]
fn http_error_excerpt_is_cut_at_200_characters() {
    let body = "x".repeat(1000);
    let TokenError::Http { body_excerpt, .. } = token_error(&response(503, "text/plain", &body)) else {
        panic!("expected TokenError::Http");
    };
    assert_eq!(body_excerpt, format!("{}…", "x".repeat(200)));
}

#[test]
fn success_status_with_html_is_not_json() {
    let err = token_error(&response(200, "text/html", "<html>login page</html>"));
    assert_eq!(err, TokenError::NotJson { content_type: Some("text/html".to_owned()) });
}

#[test]
fn missing_access_token_is_invalid() {
    let err = token_error(&success_with(json!({ "access_token": null })));
    assert!(matches!(&err, TokenError::Invalid(why) if why.contains("access_token")), "{err:?}");
}

#[test]
fn empty_access_token_is_invalid() {
    let err = token_error(&success_with(json!({ "access_token": "" })));
    assert_eq!(err, TokenError::Invalid("access_token is empty".to_owned()));
}

#[test]
fn missing_token_type_is_invalid() {
    let err = token_error(&success_with(json!({ "token_type": null })));
    assert!(matches!(&err, TokenError::Invalid(why) if why.contains("token_type")), "{err:?}");
}

#[test]
fn negative_expires_in_is_invalid() {
    let err = token_error(&success_with(json!({ "expires_in": -1 })));
    assert_eq!(err, TokenError::Invalid("expires_in must be a non-negative integer".to_owned()));
}

#[test]
fn non_numeric_expires_in_string_is_invalid() {
    let err = token_error(&success_with(json!({ "expires_in": "an hour" })));
    assert_eq!(err, TokenError::Invalid("expires_in must be a non-negative integer".to_owned()));
}

#[test]
fn boolean_expires_in_is_invalid() {
    let err = token_error(&success_with(json!({ "expires_in": true })));
    assert_eq!(err, TokenError::Invalid("expires_in must be a number".to_owned()));
}

use leptos::prelude::*;

use pixie::protocol::jwt::decode_jws;
use pixie::{use_auth, AccessToken, IdToken, Json, Object};

use crate::components::ClaimsTable;
use crate::dom;
use crate::format::remaining;

/// The ID token (and the access token, when it is a JWT) decoded: header,
/// claims with human times, and the signature check that accepted it.
#[component]
pub fn JwtViewer() -> impl IntoView {
    let auth = use_auth();
    move || {
        let session = auth.session()?;
        let signature = &session.id_token_claims.signature;
        let verdict = format!(
            "verified with {} using key {}",
            signature.algorithm().jose_name(),
            signature.kid().unwrap_or("(no kid)")
        );
        Some(view! {
            <section class="explain" id="jwt-viewer" aria-labelledby="jwt-title">
                <h3 id="jwt-title">"The tokens, decoded"</h3>
                <JwtPanel title="ID token" id="jwt-id-token" token=Token::Id(session.id_token.clone()) verdict=Some(verdict)/>
                <JwtPanel title="Access token" id="jwt-access-token" token=Token::Access(session.access_token.clone()) verdict=None/>
            </section>
        })
    }
}

#[derive(Clone)]
pub enum Token {
    Id(IdToken),
    Access(AccessToken),
}

impl Token {
    fn secret(&self) -> &str {
        match self {
            Self::Id(token) => token.secret(),
            Self::Access(token) => token.secret(),
        }
    }
}

#[component]
fn JwtPanel(title: &'static str, id: &'static str, token: Token, verdict: Option<String>) -> impl IntoView {
    // Never persisted: the raw token is shown only while this toggle is on.
    let revealed = RwSignal::new(false);
    let raw = token.secret().to_owned();
    let decoded = decode_jws(&raw).ok();
    let body = match decoded {
        None => view! { <p>"Opaque (not a JWT): only the provider can read it."</p> }.into_any(),
        Some(jws) => {
            let mut members = Object::new().with("alg", jws.header.alg.as_str());
            for (name, value) in [("kid", &jws.header.kid), ("typ", &jws.header.typ)] {
                if let Some(value) = value {
                    members.insert(name, value.as_str());
                }
            }
            let header = members.to_pretty();
            let expiry =
                jws.claims.get("exp").and_then(Json::as_number).and_then(|n| n.as_i64()).map(|exp| {
                    let left = exp.saturating_sub((dom::now_ms() / 1000.0) as i64);
                    if left > 0 {
                        format!("expires in {}", remaining(left))
                    } else {
                        "expired".to_owned()
                    }
                });
            let signature_state = if verdict.is_some() { "verified" } else { "not-checked" };
            let signature_text = verdict.unwrap_or_else(|| {
                "not checked by Pixie: an access token is for the API to verify.".to_owned()
            });
            view! {
                <h5>"Header"</h5>
                <pre class="code-block">{header}</pre>
                <h5>"Claims" {expiry.map(|e| format!(" ({e})"))}</h5>
                <ClaimsTable claims=jws.claims/>
                <p class="jwt__signature" data-state=signature_state>"Signature: " {signature_text}</p>
            }
            .into_any()
        }
    };
    view! {
        <div class="jwt" id=id>
            <h4>{title}</h4>
            {body}
            <button class="button button--small" type="button" on:click=move |_| revealed.update(|r| *r = !*r)>
                {move || if revealed.get() { "Hide raw token" } else { "Reveal raw token" }}
            </button>
            {move || revealed.get().then(|| view! { <pre class="code-block jwt__raw">{raw.clone()}</pre> })}
        </div>
    }
}

use std::sync::Arc;

use leptos::prelude::*;

use pixie::{use_auth, Session, UserinfoState};

use super::{ApiPanel, ClaimsTable, ExpiryCountdown, RefreshStatusLine, ResumeStatus, UserinfoPanel};

/// Signed in: who, until when, what the tokens said, and the way out.
#[component]
pub fn SessionPanel(session: Arc<Session>) -> impl IntoView {
    let auth = use_auth();
    let id_token = &session.id_token_claims;
    let sub = id_token.sub.clone();
    // name and email may come only from userinfo (oidc-provider puts them nowhere else).
    let profile_claim = move |name: &'static str| {
        let from_id_token = id_token.claim_str(name).map(str::to_owned);
        move || {
            from_id_token
                .clone()
                .or_else(|| match auth.userinfo() {
                    UserinfoState::Loaded(claims) => {
                        claims.get(name).and_then(|v| v.as_str()).map(str::to_owned)
                    }
                    _ => None,
                })
                .unwrap_or_else(|| "—".to_owned())
        }
    };
    let name = profile_claim("name");
    let email = profile_claim("email");
    let signature = format!(
        "verified with {}{}",
        id_token.signature.algorithm().jose_name(),
        id_token.signature.kid().map(|kid| format!(", key {kid}")).unwrap_or_default()
    );
    let expiry = session.access_token_expires_at_ms;
    let scope = session.scope.clone().unwrap_or_else(|| "—".to_owned());
    let has_refresh_token = if session.refresh_token.is_some() { "yes" } else { "no" };
    let claims = id_token.claims.clone();

    view! {
        <section class="panel session">
            <h2 class="panel__title">"You are signed in"</h2>
            <dl class="facts">
                <dt>"Subject (sub)"</dt>
                <dd><code id="sub">{sub}</code></dd>
                <dt>"Name"</dt>
                <dd id="name">{name}</dd>
                <dt>"Email"</dt>
                <dd id="email">{email}</dd>
                <dt>"Access token expires in"</dt>
                <dd>{match expiry {
                    Some(at) => view! { <ExpiryCountdown expires_at_ms=at/> }.into_any(),
                    None => view! { <span id="access-token-expiry">"not stated by the provider"</span> }.into_any(),
                }}</dd>
                <dt>"After a reload"</dt>
                <dd><ResumeStatus/></dd>
                <dt>"Scope granted"</dt>
                <dd><code>{scope}</code></dd>
                <dt>"Refresh token"</dt>
                <dd>{has_refresh_token}</dd>
                <dt>"Refreshes"</dt>
                <dd><RefreshStatusLine/></dd>
                <dt>"ID token signature"</dt>
                <dd id="signature-status" data-state="verified">{signature}</dd>
            </dl>
            <div class="actions">
                <button class="button" on:click=move |_| auth.refresh()>"Refresh tokens"</button>
                <button class="button" on:click=move |_| auth.logout()>"Log out"</button>
            </div>
        </section>
        <ApiPanel/>
        <section class="panel">
            <h2 class="panel__title">"ID token claims"</h2>
            <div id="id-token-claims"><ClaimsTable claims=claims/></div>
        </section>
        <section class="panel">
            <h2 class="panel__title">"UserInfo response"</h2>
            <UserinfoPanel/>
        </section>
    }
}

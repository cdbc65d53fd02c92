//! Launching an attack from the lab: the browser really opens the attacking URL.

use leptos::prelude::*;

use super::context::AuthCtx;
use super::flow::CALLBACK_PATH;
use crate::browser::{clock, navigation, random, storage};
use crate::oauth::authorize::authorization_request;
use crate::oauth::lab::{Attack, LAB_KEY};
use crate::oauth::pkce::state_from_random;

pub fn launch(ctx: AuthCtx, attack: Attack) {
    let (Some(provider), Some(original)) =
        (ctx.provider.get_untracked(), ctx.last_callback_query.get_untracked())
    else {
        return;
    };
    let (Ok(fresh), Ok(forged)) = (random::login_randomness(), random::login_randomness()) else { return };
    let forged_state = state_from_random(forged.state);
    // A real pending login, as if a login had started, so the attack meets the later checks.
    let login = authorization_request(&provider.config, &provider.metadata, fresh, "/", clock::now_ms());
    if attack.needs_fresh_state() && storage::save_pending(&login.state, &login.pending).is_err() {
        return;
    }
    let Some(query) =
        attack.callback_query(&original, &provider.metadata.issuer, &login.state, &forged_state)
    else {
        return;
    };
    // The attack gets a trace of its own: the forged callback and the check that refuses it.
    super::trace::restart(ctx);
    let _ = storage::set(LAB_KEY, attack.slug());
    let _ = navigation::assign(&format!("{CALLBACK_PATH}{query}"));
}

/// The attack that led to this page's error, if it came from the lab (read once).
pub fn take_launched_attack() -> Option<Attack> {
    let slug = storage::get(LAB_KEY)?;
    storage::remove(LAB_KEY);
    Attack::from_slug(&slug)
}

//! Launching an attack from the lab: the browser really opens the attacking URL.

use pixie::Auth;

use super::lab::{Attack, LAB_KEY};
use crate::dom;

pub fn launch(auth: Auth, attack: Attack) {
    // The error page this leads to names the attack (the demo's own note).
    dom::keep_note(LAB_KEY, attack.slug());
    auth.forge_callback(attack.needs_fresh_state(), |inputs| {
        attack.callback_query(
            inputs.original_query,
            inputs.issuer,
            inputs.pending_state,
            inputs.unknown_state,
        )
    });
}

/// The attack that led to this page's error, if it came from the lab (read once).
pub fn take_launched_attack() -> Option<Attack> {
    Attack::from_slug(&dom::take_note(LAB_KEY)?)
}

//! The attack lab: real attacks on the callback, each stopped by a named check.

use pixie::protocol::encoding::{form_encode, parse_query};
use pixie::protocol::secret::State;

/// sessionStorage key naming the attack under way, so the error screen can explain it.
pub const LAB_KEY: &str = "pixie.lab";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attack {
    /// Open the same callback URL again (reload, back button, a leaked link).
    Replay,
    /// A forged `state`: CSRF, or a callback meant for another browser.
    AlterState,
    /// A callback with a valid state but another provider's `iss`: mix-up.
    SwapIss,
    /// A used code with a valid state: code injection or replay.
    ReuseCode,
}

pub const ATTACKS: [Attack; 4] = [Attack::Replay, Attack::AlterState, Attack::SwapIss, Attack::ReuseCode];

/// The issuer a mix-up attacker would put in the callback.
pub const ATTACKER_ISSUER: &str = "https://attacker.example";

impl Attack {
    pub fn slug(self) -> &'static str {
        match self {
            Self::Replay => "replay",
            Self::AlterState => "alter-state",
            Self::SwapIss => "swap-iss",
            Self::ReuseCode => "reuse-code",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        ATTACKS.into_iter().find(|attack| attack.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Replay => "Replay the last callback",
            Self::AlterState => "Alter the state",
            Self::SwapIss => "Swap the iss",
            Self::ReuseCode => "Reuse the code",
        }
    }

    /// The check that stops it.
    pub fn check(self) -> &'static str {
        match self {
            Self::Replay => "The pending login for this state was taken on first use, so none is left: no token request is sent.",
            Self::AlterState => "No login started in this tab has that state, so the callback is refused before the code is used.",
            Self::SwapIss => "The login was started at our issuer; the response names another, so it is refused as a mix-up.",
            Self::ReuseCode => "The provider accepts each code once; the second exchange is refused (and it revokes the tokens from the first).",
        }
    }

    pub fn expected_code(self) -> &'static str {
        match self {
            Self::Replay | Self::AlterState => "unknown_state",
            Self::SwapIss => "iss_mismatch",
            Self::ReuseCode => "invalid_grant",
        }
    }

    pub fn reference(self) -> (&'static str, &'static str) {
        match self {
            Self::Replay | Self::AlterState => {
                ("RFC 6749 §10.12", "https://www.rfc-editor.org/rfc/rfc6749#section-10.12")
            }
            Self::SwapIss => ("RFC 9207 §2.4", "https://www.rfc-editor.org/rfc/rfc9207#section-2.4"),
            Self::ReuseCode => ("RFC 6749 §4.1.2", "https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2"),
        }
    }

    /// Needs a fresh pending login (a valid state) to get past the state check.
    pub fn needs_fresh_state(self) -> bool {
        matches!(self, Self::SwapIss | Self::ReuseCode)
    }

    /// The attacking callback query, from the one this page received.
    /// `fresh_state` is a state with a pending login; `forged_state` one without.
    pub fn callback_query(
        self,
        original: &str,
        issuer: &str,
        fresh_state: &State,
        forged_state: &State,
    ) -> Option<String> {
        let params = parse_query(original).ok()?;
        let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let code = get("code")?;
        let query = match self {
            Self::Replay => return Some(original.to_owned()),
            Self::AlterState => form_encode([
                ("code", code),
                ("state", forged_state.secret()),
                ("iss", get("iss").unwrap_or(issuer)),
            ]),
            Self::SwapIss => {
                form_encode([("code", code), ("state", fresh_state.secret()), ("iss", ATTACKER_ISSUER)])
            }
            Self::ReuseCode => {
                form_encode([("code", code), ("state", fresh_state.secret()), ("iss", issuer)])
            }
        };
        Some(format!("?{query}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://id.example";

    const ORIGINAL: &str = "?code=used-code&state=old-state&iss=https%3A%2F%2Fid.example";

    fn forged(attack: Attack) -> String {
        attack.callback_query(ORIGINAL, ISSUER, &State::new("fresh"), &State::new("forged")).unwrap()
    }

    #[test]
    fn lab_replay_is_the_same_callback() {
        assert_eq!(forged(Attack::Replay), ORIGINAL);
    }

    #[test]
    fn lab_alter_state_keeps_code_and_iss() {
        assert_eq!(forged(Attack::AlterState), "?code=used-code&state=forged&iss=https%3A%2F%2Fid.example");
    }

    #[test]
    fn lab_swap_iss_uses_a_valid_state_and_the_attackers_issuer() {
        assert_eq!(
            forged(Attack::SwapIss),
            format!("?code=used-code&state=fresh&iss={}", "https%3A%2F%2Fattacker.example")
        );
        assert!(ATTACKER_ISSUER.starts_with("https://"));
    }

    #[test]
    fn lab_reuse_code_uses_a_valid_state_and_our_issuer() {
        assert_eq!(forged(Attack::ReuseCode), "?code=used-code&state=fresh&iss=https%3A%2F%2Fid.example");
    }

    #[test]
    fn lab_needs_a_code() {
        assert_eq!(
            Attack::AlterState.callback_query("?state=s", ISSUER, &State::new("a"), &State::new("b")),
            None
        );
    }

    #[test]
    fn lab_attacks_expect_their_codes_and_round_trip_slugs() {
        for attack in ATTACKS {
            assert_eq!(Attack::from_slug(attack.slug()), Some(attack));
        }
        assert_eq!(Attack::SwapIss.expected_code(), "iss_mismatch");
        assert_eq!(Attack::ReuseCode.expected_code(), "invalid_grant");
    }
}

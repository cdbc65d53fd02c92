//! PKCE S256 (RFC 7636) and the state/nonce values made from injected randomness.

use pixie_core::pkce::{is_valid_verifier, nonce_from_random, s256_challenge, state_from_random, PkcePair};
use pixie_core::secret::CodeVerifier;

use crate::support::{CHALLENGE, VERIFIER, VERIFIER_BYTES};

/// RFC 7636 Appendix B.
const RFC_OCTETS: [u8; 32] = [
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214,
    191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
];
const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn is_base64url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

#[test]
fn s256_challenge_matches_rfc7636_appendix_b() {
    assert_eq!(s256_challenge(&CodeVerifier::new(RFC_VERIFIER)), RFC_CHALLENGE);
}

#[test]
fn pair_from_rfc7636_octets_gives_appendix_b_verifier_and_challenge() {
    let pair = PkcePair::from_random(RFC_OCTETS);
    assert_eq!(pair.verifier.secret(), RFC_VERIFIER);
    assert_eq!(pair.challenge, RFC_CHALLENGE);
}

#[test]
fn pair_from_fixture_bytes_matches_independently_computed_values() {
    let pair = PkcePair::from_random(VERIFIER_BYTES);
    assert_eq!(pair.verifier.secret(), VERIFIER);
    assert_eq!(pair.challenge, CHALLENGE);
}

#[test]
fn verifier_is_43_base64url_characters_for_any_bytes() {
    for bytes in [[0u8; 32], [0xff; 32], [0xfb; 32], RFC_OCTETS] {
        let pair = PkcePair::from_random(bytes);
        let verifier = pair.verifier.secret();
        assert_eq!(verifier.len(), 43, "{verifier}");
        assert!(verifier.chars().all(is_base64url_char), "{verifier}");
        assert!(is_valid_verifier(verifier), "{verifier}");
        assert_eq!(pair.challenge.len(), 43);
        assert!(pair.challenge.chars().all(is_base64url_char));
    }
}

#[test]
fn is_valid_verifier_accepts_43_to_128_unreserved_chars() {
    assert!(is_valid_verifier(&"a".repeat(43)));
    assert!(is_valid_verifier(&"a".repeat(128)));
    assert!(is_valid_verifier(&format!("{}-._~", "Z9".repeat(20))));
}

#[test]
fn is_valid_verifier_rejects_42_chars() {
    assert!(!is_valid_verifier(&"a".repeat(42)));
}

#[test]
fn is_valid_verifier_rejects_129_chars() {
    assert!(!is_valid_verifier(&"a".repeat(129)));
}

#[test]
fn is_valid_verifier_rejects_characters_outside_unreserved() {
    for bad in ['+', '/', '=', ' ', '%', 'é', '\n'] {
        let verifier = format!("{}{bad}", "a".repeat(43));
        assert!(!is_valid_verifier(&verifier), "{verifier:?}");
    }
}

#[test]
fn state_and_nonce_are_base64url_of_their_bytes() {
    assert_eq!(state_from_random([2; 32]).secret(), "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI");
    assert_eq!(nonce_from_random([3; 32]).secret(), "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM");
}

#[test]
fn different_random_bytes_give_different_state_and_nonce() {
    let mut other = [2u8; 32];
    other[31] = 3;
    assert_ne!(state_from_random([2; 32]), state_from_random(other));
    assert_ne!(nonce_from_random([2; 32]), nonce_from_random(other));
    assert_eq!(state_from_random([2; 32]), state_from_random([2; 32]));
}

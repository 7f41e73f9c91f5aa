//! PKCE (RFC 7636) with the S256 method only; `plain` is refused (RFC 9700 §2.1.1).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// An S256 challenge is the base64url (no padding) of a SHA-256 digest: exactly 43 characters.
pub fn is_valid_challenge(challenge: &str) -> bool {
    challenge.len() == 43 && challenge.bytes().all(is_base64url)
}

/// RFC 7636 §4.1: 43 to 128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `BASE64URL(SHA256(verifier))`.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` proves possession for `challenge`.
pub fn verify(challenge: &str, verifier: &str) -> bool {
    is_valid_verifier(verifier) && crate::domain::ids::constant_time_eq(&s256(verifier), challenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn s256_matches_the_rfc_7636_example() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
        assert!(verify(CHALLENGE, VERIFIER));
    }

    #[test]
    fn a_different_verifier_does_not_match() {
        assert!(!verify(
            CHALLENGE,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"
        ));
        // plain: the challenge itself is not a valid proof
        assert!(!verify(CHALLENGE, CHALLENGE));
    }

    #[test]
    fn verifier_and_challenge_formats_are_enforced() {
        assert!(!is_valid_verifier("short"));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        assert!(!is_valid_verifier(&format!("{}!", "a".repeat(43))));
        assert!(is_valid_verifier(&"a".repeat(128)));
        assert!(is_valid_challenge(CHALLENGE));
        assert!(!is_valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="
        ));
        assert!(!is_valid_challenge("abc"));
    }
}

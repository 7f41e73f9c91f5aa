//! Backup codes: ten single-use codes of unambiguous characters, for when the authenticator app
//! is not at hand. Pure: the random bytes come from the caller.

/// No 0/O, 1/I/L: nothing a person can misread when typing a code from paper.
pub const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters per code (31^10 ≈ 2^49.5).
pub const CODE_LEN: usize = 10;
/// Codes per set.
pub const SET_SIZE: usize = 10;
/// From this many unused codes on, the user is told to make a new set.
pub const LOW_WATERMARK: i64 = 3;

/// A code from random bytes (give at least twice `CODE_LEN`). Bytes at or above the largest
/// multiple of the alphabet's size are skipped, so every character is equally likely; `None`
/// if too few bytes were left.
pub fn code_from_random(random: &[u8]) -> Option<String> {
    let limit = 256 - (256 % ALPHABET.len());
    let chars: String = random
        .iter()
        .filter(|b| (**b as usize) < limit)
        .take(CODE_LEN)
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    (chars.len() == CODE_LEN).then_some(chars)
}

/// `ABCDE-FGHJK`, how codes are shown.
pub fn display(code: &str) -> String {
    let (a, b) = code.split_at(code.len().min(CODE_LEN / 2));
    format!("{a}-{b}")
}

/// What a person typed, reduced to the stored form: upper case, no spaces or dashes.
/// `None` when it cannot be a backup code at all.
pub fn normalize(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_only_unambiguous_characters() {
        let random: Vec<u8> = (0..=255).collect();
        let code = code_from_random(&random[..40]).unwrap();
        assert_eq!(code.len(), CODE_LEN);
        assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
        for ambiguous in b"01OIL" {
            assert!(!ALPHABET.contains(ambiguous));
        }
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(normalize(" abcde-fghjk ").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(normalize("ABCDE FGHJK").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(normalize("ABCDE-FGHJ0"), None, "0 is not in the alphabet");
        assert_eq!(normalize("ABCDE"), None);
        assert_eq!(display("ABCDEFGHJK"), "ABCDE-FGHJK");
    }

    #[test]
    fn biased_bytes_are_skipped() {
        assert_eq!(code_from_random(&[255; 40]), None);
    }
}

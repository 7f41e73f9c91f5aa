//! Cryptography with real randomness and keys: random tokens, sealing secrets at rest,
//! password hashing and token signing. Wraps well-kept crates; no primitive is hand-rolled.
//! May depend on `domain` only.

pub mod jwt;
pub mod password;
pub mod seal;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A URL-safe random token carrying `bytes` bytes of entropy from the OS CSPRNG.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(&buf)
}

/// `N` random bytes from the OS CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    rand::fill(&mut buf[..]);
    buf
}

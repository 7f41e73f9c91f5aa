//! Cryptography with real randomness and keys: random tokens, sealing secrets at rest,
//! password hashing and token signing. Wraps well-kept crates; no primitive is hand-rolled.
//! May depend on `domain` only.

pub mod fair_share;
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

/// HMAC-SHA256 of `message` under `key`, URL-safe base64: how short codes are stored, so that a
/// leaked table alone cannot be brute-forced without the instance key.
pub fn keyed_hash(key: &[u8; 32], message: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    match Hmac::<sha2::Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm cannot be reached with a 32-byte key.
        Err(_) => String::new(),
    }
}

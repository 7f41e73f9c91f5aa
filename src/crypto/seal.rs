//! AES-256-GCM sealing of secrets at rest (TOTP secrets, signing keys).
//! The stored form is `nonce (12 bytes) || ciphertext+tag`.

use aes_gcm::aead::{Aead, Generate, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};

const NONCE_LEN: usize = 12;

/// Encrypts and decrypts small secrets with the instance's at-rest key.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

#[derive(Debug, thiserror::Error)]
#[error("sealed data could not be opened (wrong key or corrupted)")]
pub struct OpenError;

impl Sealer {
    pub fn new(key: &[u8; 32]) -> Sealer {
        Sealer {
            cipher: Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key)),
        }
    }

    /// Encrypts `plaintext` under a fresh random nonce.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let nonce = Nonce::generate();
        // Encryption only fails for inputs beyond GCM's 64 GiB limit, far above any secret here.
        let ciphertext = self.cipher.encrypt(&nonce, plaintext).unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        out.extend_from_slice(nonce.as_slice());
        out.extend_from_slice(&ciphertext);
        out
    }

    /// Decrypts what [`Sealer::seal`] produced; fails on a wrong key or any tampering.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| OpenError)?;
        self.cipher
            .decrypt(&nonce, ciphertext)
            .map_err(|_| OpenError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_with_the_same_key_only() {
        let sealer = Sealer::new(&[7u8; 32]);
        let sealed = sealer.seal(b"JBSWY3DPEHPK3PXP");
        assert_ne!(&sealed[NONCE_LEN..], b"JBSWY3DPEHPK3PXP");
        assert_eq!(sealer.open(&sealed).unwrap(), b"JBSWY3DPEHPK3PXP");
        assert!(Sealer::new(&[8u8; 32]).open(&sealed).is_err());
    }

    #[test]
    fn tampered_data_is_refused() {
        let sealer = Sealer::new(&[7u8; 32]);
        let mut sealed = sealer.seal(b"secret");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(sealer.open(&sealed).is_err());
        assert!(sealer.open(&[1, 2, 3]).is_err());
    }
}

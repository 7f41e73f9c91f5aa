//! RS256 token signing with keys generated on first start and published as a JWKS.
//!
//! Private keys are stored as PKCS#8 DER sealed with the at-rest key; the newest unretired key
//! signs, every unretired key is published so tokens stay verifiable across a rotation.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Serialize;
use serde::de::DeserializeOwned;

#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    #[error("key generation failed")]
    KeyGeneration,
    #[error("invalid key: {0}")]
    InvalidKey(String),
    #[error("token error: {0}")]
    Token(#[from] jsonwebtoken::errors::Error),
    #[error("no signing key is available")]
    NoKey,
}

/// A private signing key together with its public JWK.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub public_jwk: Jwk,
}

/// A newly generated key in its storable form.
pub struct GeneratedKey {
    pub kid: String,
    pub pkcs8_der: Vec<u8>,
    pub public_jwk_json: String,
}

/// Generates a fresh RSA-2048 key pair with a random `kid`.
pub fn generate_rsa_key() -> Result<GeneratedKey, JwtError> {
    let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|_| JwtError::KeyGeneration)?;
    let der = pair.as_der().map_err(|_| JwtError::KeyGeneration)?;
    let pkcs8_der = der.as_ref().to_vec();
    let kid = super::random_token(12);
    let key = SigningKey::from_pkcs8(&kid, &pkcs8_der)?;
    let public_jwk_json =
        serde_json::to_string(&key.public_jwk).map_err(|e| JwtError::InvalidKey(e.to_string()))?;
    Ok(GeneratedKey {
        kid,
        pkcs8_der,
        public_jwk_json,
    })
}

impl SigningKey {
    /// Loads a key from its PKCS#8 DER form.
    pub fn from_pkcs8(kid: &str, pkcs8_der: &[u8]) -> Result<SigningKey, JwtError> {
        let pem = to_pem(pkcs8_der);
        let encoding = EncodingKey::from_rsa_pem(pem.as_bytes())?;
        let mut public_jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)?;
        public_jwk.common.key_id = Some(kid.to_owned());
        public_jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        let decoding = DecodingKey::from_jwk(&public_jwk)?;
        Ok(SigningKey {
            kid: kid.to_owned(),
            encoding,
            decoding,
            public_jwk,
        })
    }
}

fn to_pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

/// The instance's signing keys: the first signs, all verify and are published.
#[derive(Clone)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
}

impl KeyRing {
    /// `keys` newest first; must not be empty.
    pub fn new(keys: Vec<SigningKey>) -> Result<KeyRing, JwtError> {
        if keys.is_empty() {
            return Err(JwtError::NoKey);
        }
        Ok(KeyRing { keys })
    }

    /// Signs `claims` as an RS256 JWS with the active key's `kid`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, JwtError> {
        let key = self.keys.first().ok_or(JwtError::NoKey)?;
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &key.encoding)?)
    }

    /// Verifies a token we signed (signature, `iss`; `exp` only when `check_expiry`), returning
    /// its claims. Audience is left to the caller, which knows which clients are acceptable.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        issuer: &str,
        check_expiry: bool,
    ) -> Result<T, JwtError> {
        let header = jsonwebtoken::decode_header(token)?;
        let key = self
            .keys
            .iter()
            .find(|k| header.kid.as_deref() == Some(k.kid.as_str()))
            .ok_or(JwtError::NoKey)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer]);
        validation.validate_aud = false;
        validation.validate_exp = check_expiry;
        if !check_expiry {
            validation.required_spec_claims.remove("exp");
        }
        Ok(jsonwebtoken::decode::<T>(token, &key.decoding, &validation)?.claims)
    }

    /// The public keys as a JWKS document.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys.iter().map(|k| k.public_jwk.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Claims {
        iss: String,
        sub: String,
        exp: i64,
    }

    #[test]
    fn a_generated_key_signs_tokens_that_its_jwk_verifies() {
        let generated = generate_rsa_key().unwrap();
        let key = SigningKey::from_pkcs8(&generated.kid, &generated.pkcs8_der).unwrap();
        let ring = KeyRing::new(vec![key]).unwrap();
        let claims = Claims {
            iss: "https://id.example".into(),
            sub: "u1".into(),
            exp: 4_000_000_000,
        };
        let token = ring.sign(&claims).unwrap();
        assert_eq!(
            jsonwebtoken::decode_header(&token).unwrap().kid.as_deref(),
            Some(generated.kid.as_str())
        );

        let jwk: Jwk = serde_json::from_str(&generated.public_jwk_json).unwrap();
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&["https://id.example"]);
        let decoded = jsonwebtoken::decode::<Claims>(
            &token,
            &DecodingKey::from_jwk(&jwk).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(decoded.claims, claims);
        assert!(
            ring.verify::<Claims>(&token, "https://other.example", true)
                .is_err()
        );
    }
}

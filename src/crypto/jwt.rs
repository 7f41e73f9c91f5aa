//! RS256 token signing with keys generated on first start and published as a JWKS.
//!
//! Private keys are stored as PKCS#8 DER sealed with the at-rest key; the newest unretired key
//! signs, every unretired key is published so tokens stay verifiable across a rotation.

use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
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
    #[error("signing failed")]
    Signing,
    #[error("cannot encode the token: {0}")]
    Encode(String),
}

/// A JWS part: base64url (no padding) of the JSON of `value`.
fn b64_json<T: Serialize + ?Sized>(value: &T) -> Result<String, JwtError> {
    let json = serde_json::to_vec(value).map_err(|e| JwtError::Encode(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// A private signing key together with its public JWK.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    /// The private key, parsed once. (jsonwebtoken's `encode` parses and checks the DER on
    /// every signature, which cost more CPU than the RSA signature itself.)
    pair: Arc<RsaKeyPair>,
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
        let pair =
            RsaKeyPair::from_pkcs8(pkcs8_der).map_err(|e| JwtError::InvalidKey(e.to_string()))?;
        Ok(SigningKey {
            kid: kid.to_owned(),
            pair: Arc::new(pair),
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
        // The JWS compact serialisation (RFC 7515 §7.1) as jsonwebtoken::encode builds it,
        // signed by aws-lc with the key parsed at start.
        let mut message = b64_json(&header)?;
        message.push('.');
        message.push_str(&b64_json(claims)?);
        let mut signature = vec![0; key.pair.public_modulus_len()];
        key.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                message.as_bytes(),
                &mut signature,
            )
            .map_err(|_| JwtError::Signing)?;
        message.push('.');
        message.push_str(&URL_SAFE_NO_PAD.encode(&signature));
        Ok(message)
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

    #[test]
    fn a_token_is_byte_for_byte_what_jsonwebtoken_would_sign() {
        // RS256 (PKCS#1 v1.5) signatures are deterministic: the key parsed once must give
        // exactly the token jsonwebtoken::encode gives with the key parsed per signature.
        let generated = generate_rsa_key().unwrap();
        let key = SigningKey::from_pkcs8(&generated.kid, &generated.pkcs8_der).unwrap();
        let ring = KeyRing::new(vec![key]).unwrap();
        let claims = Claims {
            iss: "https://id.example/ü".into(),
            sub: "u1".into(),
            exp: 4_000_000_000,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(generated.kid.clone());
        let encoding = EncodingKey::from_rsa_pem(to_pem(&generated.pkcs8_der).as_bytes()).unwrap();
        assert_eq!(
            ring.sign(&claims).unwrap(),
            jsonwebtoken::encode(&header, &claims, &encoding).unwrap()
        );
    }
}

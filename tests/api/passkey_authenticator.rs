//! A software WebAuthn authenticator for the API tests: an ES256 key (aws-lc), `none`
//! attestation, and the authenticator data and client data a browser would send (W3C WebAuthn
//! §6.1, §5.8.1), so the JSON paths can be driven without a browser. Its signature counter and
//! flags are the test's to set: a cloned key is one whose counter goes back.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_cbor_2::Value as Cbor;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BE: u8 = 0x08;
const BS: u8 = 0x10;
const AT: u8 = 0x40;

pub struct SoftKey {
    pub credential_id: Vec<u8>,
    key: EcdsaKeyPair,
    pub counter: u32,
    pub user_handle: Vec<u8>,
    /// Synced (backup eligible and backed up).
    pub synced: bool,
    pub user_verified: bool,
    pub origin: String,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

impl SoftKey {
    /// A key for pages served from `origin` (`http://localhost:<port>`).
    pub fn new(origin: &str) -> SoftKey {
        let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING).expect("key");
        SoftKey {
            credential_id: uuid::Uuid::new_v4().as_bytes().to_vec(),
            key,
            counter: 0,
            user_handle: Vec::new(),
            synced: false,
            user_verified: true,
            origin: origin.to_owned(),
        }
    }

    fn flags(&self) -> u8 {
        let mut flags = UP;
        if self.user_verified {
            flags |= UV;
        }
        if self.synced {
            flags |= BE | BS;
        }
        flags
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        let challenge = options["publicKey"]["challenge"]
            .as_str()
            .expect("challenge");
        json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    /// Answers `navigator.credentials.create(options)`: the JSON the page posts.
    pub fn register(&mut self, options: &Value) -> Value {
        let rp_id = options["publicKey"]["rp"]["id"].as_str().expect("rp id");
        let user = options["publicKey"]["user"]["id"]
            .as_str()
            .expect("user id");
        self.user_handle = URL_SAFE_NO_PAD.decode(user).expect("user handle");
        let client_data = self.client_data("webauthn.create", options);
        let point = self.key.public_key().as_ref().to_vec();
        let cose = Cbor::Map(BTreeMap::from([
            (Cbor::Integer(1), Cbor::Integer(2)),
            (Cbor::Integer(3), Cbor::Integer(-7)),
            (Cbor::Integer(-1), Cbor::Integer(1)),
            (Cbor::Integer(-2), Cbor::Bytes(point[1..33].to_vec())),
            (Cbor::Integer(-3), Cbor::Bytes(point[33..65].to_vec())),
        ]));
        let mut auth_data = sha256(rp_id.as_bytes());
        auth_data.push(self.flags() | AT);
        auth_data.extend(self.counter.to_be_bytes());
        auth_data.extend([0u8; 16]); // AAGUID
        auth_data.extend((self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&self.credential_id);
        auth_data.extend(serde_cbor_2::to_vec(&cose).expect("cose"));
        let attestation = Cbor::Map(BTreeMap::from([
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(BTreeMap::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]));
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "extensions": {},
            "response": {
                "attestationObject": b64(&serde_cbor_2::to_vec(&attestation).expect("cbor")),
                "clientDataJSON": b64(&client_data),
            },
        })
    }

    /// Answers `navigator.credentials.get(options)` with the next counter value.
    pub fn assert(&mut self, options: &Value) -> Value {
        self.counter += 1;
        self.assert_with_counter(options, self.counter)
    }

    /// Answers `navigator.credentials.get(options)` reporting `counter`.
    pub fn assert_with_counter(&self, options: &Value, counter: u32) -> Value {
        let rp_id = options["publicKey"]["rpId"].as_str().expect("rpId");
        let client_data = self.client_data("webauthn.get", options);
        let mut auth_data = sha256(rp_id.as_bytes());
        auth_data.push(self.flags());
        auth_data.extend(counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(sha256(&client_data));
        let signature = self
            .key
            .sign(&SystemRandom::new(), &signed)
            .expect("signature");
        json!({
            "id": b64(&self.credential_id),
            "rawId": b64(&self.credential_id),
            "type": "public-key",
            "extensions": {},
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.as_ref()),
                "userHandle": b64(&self.user_handle),
            },
        })
    }
}

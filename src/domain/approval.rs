//! Transaction approvals (issue 15): a relying app asks a user to approve `approval_data` (the
//! fields the user must see, e.g. amount and payee) with an authenticator code, and gets a
//! signed artifact whose claims anyone holding our JWKS can check.
//!
//! Pure: the data's rules, its RFC 8785 hash, the states and the artifact's claims. Time is a
//! parameter; signing and storage happen in `flows::approvals`.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The largest `approval_data`, serialized (bytes): enough for the fields of a transaction,
/// small enough to show on one page and to sit in a token.
pub const MAX_DATA_BYTES: usize = 4096;
/// How long a user has to decide (seconds): the TOTP rules' 5 minutes of a login code.
pub const APPROVAL_TTL: i64 = 300;
/// How long the artifact says it holds (seconds). It stays verifiable as long as its key is in
/// the JWKS; a year covers disputes about a payment. Archivers may check it ignoring `exp`.
pub const ARTIFACT_TTL: i64 = 365 * 86_400;

/// Where an approval stands; only `Pending` may change, and only once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalState {
    Pending,
    Approved,
    Declined,
    Expired,
}

impl ApprovalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalState::Pending => "pending",
            ApprovalState::Approved => "approved",
            ApprovalState::Declined => "declined",
            ApprovalState::Expired => "expired",
        }
    }
}

impl fmt::Display for ApprovalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApprovalState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(ApprovalState::Pending),
            "approved" => Ok(ApprovalState::Approved),
            "declined" => Ok(ApprovalState::Declined),
            "expired" => Ok(ApprovalState::Expired),
            other => Err(format!("unknown approval state {other:?}")),
        }
    }
}

/// One stored approval.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub data: Map<String, Value>,
    /// [`data_hash`] of `data`.
    pub data_hash: String,
    pub state: ApprovalState,
    pub created_at: i64,
    pub expires_at: i64,
    pub decided_at: Option<i64>,
    pub artifact: Option<String>,
    /// For an approval asked for on an authorization request: the query of that request to
    /// replay once the user has decided (see `oauth::authorization_details`).
    pub resume: Option<String>,
}

impl Approval {
    /// The state as of `now`: a pending approval past its time is expired, even before the store
    /// has been told.
    pub fn state_at(&self, now: i64) -> ApprovalState {
        if self.state == ApprovalState::Pending && now >= self.expires_at {
            ApprovalState::Expired
        } else {
            self.state
        }
    }
}

/// Why `approval_data` was refused, in words for the developer who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DataError {
    #[error("approval_data is required")]
    Missing,
    #[error("approval_data must be a JSON object")]
    NotAnObject,
    #[error("approval_data must not be empty: it is what the user approves")]
    Empty,
    #[error("approval_data is {0} bytes serialized; at most {MAX_DATA_BYTES} are allowed")]
    TooLarge(usize),
}

/// Checks `approval_data` as sent: a non-empty JSON object of at most [`MAX_DATA_BYTES`].
pub fn check_data(value: Option<Value>) -> Result<Map<String, Value>, DataError> {
    let map = match value {
        None | Some(Value::Null) => return Err(DataError::Missing),
        Some(Value::Object(map)) => map,
        Some(_) => return Err(DataError::NotAnObject),
    };
    if map.is_empty() {
        return Err(DataError::Empty);
    }
    let size = serde_json::to_string(&map).map_or(usize::MAX, |s| s.len());
    if size > MAX_DATA_BYTES {
        return Err(DataError::TooLarge(size));
    }
    Ok(map)
}

/// base64url (no padding) of the SHA-256 of the RFC 8785 (JCS) form of `data`: the same bytes
/// whatever order or spacing the data is written in, so any verifier can recompute it.
pub fn data_hash(data: &Map<String, Value>) -> Result<String, serde_json::Error> {
    let canonical = serde_json_canonicalizer::to_vec(data)?;
    Ok(URL_SAFE_NO_PAD.encode(Sha256::digest(&canonical)))
}

/// The claims of the artifact: a JWS (RS256) anyone can verify with our JWKS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactClaims {
    pub iss: String,
    /// The client that asked (RFC 7519 §4.1.3).
    pub aud: String,
    pub sub: String,
    /// The approval id, also as `jti` so a verifier can refuse a second use.
    pub jti: String,
    pub approval_id: String,
    pub approval_data_hash: String,
    pub approval_data: Map<String, Value>,
    /// How the user approved (RFC 8176): a one-time password from an authenticator.
    pub amr: Vec<String>,
    /// When the user approved.
    pub iat: i64,
    pub exp: i64,
}

impl ArtifactClaims {
    /// The claims of `approval`, approved at `now` by the user `sub` of issuer `iss`.
    pub fn new(iss: &str, approval: &Approval, now: i64) -> ArtifactClaims {
        ArtifactClaims {
            iss: iss.to_owned(),
            aud: approval.client_id.clone(),
            sub: approval.user_id.clone(),
            jti: approval.id.clone(),
            approval_id: approval.id.clone(),
            approval_data_hash: approval.data_hash.clone(),
            approval_data: approval.data.clone(),
            amr: vec!["otp".to_owned()],
            iat: now,
            exp: now + ARTIFACT_TTL,
        }
    }
}

/// One line of the data as the page shows it: a path of keys (`payee › iban`, `items › 1`)
/// and the value as plain text (strings as they are, other values as JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLine {
    pub key: String,
    pub value: String,
}

/// Every leaf of `data`, depth first in the object's order, so nested objects and arrays are
/// shown field by field and nothing is hidden. Empty objects and arrays show as `{}` / `[]`.
pub fn data_lines(data: &Map<String, Value>) -> Vec<DataLine> {
    let mut lines = Vec::new();
    for (key, value) in data {
        push_lines(key.clone(), value, &mut lines);
    }
    lines
}

fn push_lines(key: String, value: &Value, out: &mut Vec<DataLine>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                push_lines(format!("{key} › {k}"), v, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                push_lines(format!("{key} › {}", i + 1), v, out);
            }
        }
        Value::String(s) => out.push(DataLine {
            key,
            value: s.clone(),
        }),
        other => out.push(DataLine {
            key,
            value: other.to_string(),
        }),
    }
}

#[cfg(test)]
#[path = "approval_tests.rs"]
mod tests;

//! Records of what the provider has issued: authorization codes, access and refresh tokens.
//! Every secret is kept as its hash ([`crate::domain::ids::hash_secret`]); `grant_id` ties the
//! tokens of one login together so a replay can revoke them all.

use super::token::{StoredCode, StoredRefresh};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthCode {
    /// Also the `grant_id` of every token issued from this code.
    pub id: String,
    pub code_hash: String,
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    /// Space-separated RFC 8176 values.
    pub amr: String,
    pub acr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl AuthCode {
    pub fn as_stored(&self) -> StoredCode {
        StoredCode {
            client_id: self.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            code_challenge: self.code_challenge.clone(),
            expires_at: self.expires_at,
            used: self.used_at.is_some(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub token_hash: String,
    /// `None` for client_credentials tokens.
    pub grant_id: Option<String>,
    pub client_id: String,
    /// `None` for client_credentials tokens.
    pub user_id: Option<String>,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

impl AccessToken {
    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub grant_id: String,
    pub client_id: String,
    pub user_id: String,
    pub scope: String,
    pub auth_time: i64,
    pub amr: String,
    pub acr: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl RefreshToken {
    pub fn as_stored(&self) -> StoredRefresh {
        StoredRefresh {
            client_id: self.client_id.clone(),
            expires_at: self.expires_at,
            used: self.used_at.is_some(),
            revoked: self.revoked_at.is_some(),
        }
    }

    pub fn is_active(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.used_at.is_none() && now < self.expires_at
    }
}

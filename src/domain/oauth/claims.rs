//! ID-token and userinfo claims (OIDC Core §2, §3.1.3.6, §5.1, §5.4).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::scope::Scopes;
use crate::domain::user::User;

/// The claims of an ID token we issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub azp: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    pub amr: Vec<String>,
    pub acr: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Everything needed to mint an ID token, apart from the signature.
pub struct IdTokenInput<'a> {
    pub issuer: &'a str,
    pub user: &'a User,
    pub client_id: &'a str,
    pub scope: &'a Scopes,
    pub nonce: Option<&'a str>,
    pub auth_time: i64,
    pub amr: &'a [String],
    pub access_token: Option<&'a str>,
    pub now: i64,
    pub lifetime: i64,
}

pub fn id_token_claims(input: IdTokenInput<'_>) -> IdTokenClaims {
    let email = input.scope.contains("email");
    IdTokenClaims {
        iss: input.issuer.to_owned(),
        sub: input.user.id.clone(),
        aud: input.client_id.to_owned(),
        azp: input.client_id.to_owned(),
        exp: input.now + input.lifetime,
        iat: input.now,
        auth_time: input.auth_time,
        nonce: input.nonce.map(str::to_owned),
        amr: input.amr.to_vec(),
        acr: super::acr_for(input.amr).to_owned(),
        at_hash: input.access_token.map(at_hash),
        email: email.then(|| input.user.email.clone()),
        email_verified: email.then_some(input.user.email_verified),
        name: if input.scope.contains("profile") {
            input.user.name.clone()
        } else {
            None
        },
    }
}

/// OIDC Core §3.2.2.9: base64url of the left half of SHA-256 of the access token (RS256).
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// Userinfo claims released for `scope` (OIDC Core §5.4).
pub fn userinfo(user: &User, scope: &Scopes) -> serde_json::Value {
    let mut claims = serde_json::Map::new();
    claims.insert("sub".into(), user.id.clone().into());
    if scope.contains("email") {
        claims.insert("email".into(), user.email.clone().into());
        claims.insert("email_verified".into(), user.email_verified.into());
    }
    if scope.contains("profile") {
        if let Some(name) = &user.name {
            claims.insert("name".into(), name.clone().into());
        }
        claims.insert("updated_at".into(), user.updated_at.into());
    }
    serde_json::Value::Object(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: "u-1".into(),
            email: "a@example.com".into(),
            email_verified: true,
            name: Some("Ada".into()),
            password_hash: None,
            is_admin: false,
            disabled: false,
            created_at: 1,
            updated_at: 2,
            phone_number: None,
            phone_verified: false,
        }
    }

    #[test]
    fn id_token_claims_follow_the_request() {
        let amr = vec!["pwd".to_string()];
        let scope = Scopes::parse_supported("openid email");
        let claims = id_token_claims(IdTokenInput {
            issuer: "https://id.example",
            user: &user(),
            client_id: "app",
            scope: &scope,
            nonce: Some("n-1"),
            auth_time: 900,
            amr: &amr,
            access_token: Some("token"),
            now: 1000,
            lifetime: 3600,
        });
        assert_eq!(
            (
                claims.sub.as_str(),
                claims.aud.as_str(),
                claims.exp,
                claims.iat
            ),
            ("u-1", "app", 4600, 1000)
        );
        assert_eq!(
            (
                claims.auth_time,
                claims.nonce.as_deref(),
                claims.acr.as_str()
            ),
            (900, Some("n-1"), "1")
        );
        assert_eq!(claims.amr, vec!["pwd"]);
        assert_eq!(claims.email.as_deref(), Some("a@example.com"));
        assert_eq!(claims.name, None, "profile was not requested");
        let json = serde_json::to_value(&claims).unwrap();
        assert!(json.get("name").is_none());
    }

    #[test]
    fn at_hash_is_the_left_half_of_sha256() {
        // OIDC Core A.3 example access token and its at_hash
        assert_eq!(
            at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn userinfo_releases_claims_by_scope() {
        let only_openid = userinfo(&user(), &Scopes::parse_supported("openid"));
        assert_eq!(only_openid, serde_json::json!({"sub": "u-1"}));
        let all = userinfo(&user(), &Scopes::parse_supported("openid email profile"));
        assert_eq!(all["email_verified"], true);
        assert_eq!(all["name"], "Ada");
    }
}

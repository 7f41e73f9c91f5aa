//! Token-endpoint rules (RFC 6749 §4.1.3, §5.2, §6; RFC 7636 §4.6; RFC 9700 §4.14).

use super::pkce;

/// An RFC 6749 §5.2 error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    InvalidRequest(String),
    InvalidClient(String),
    InvalidGrant(String),
    UnauthorizedClient(String),
    UnsupportedGrantType(String),
    InvalidScope(String),
}

impl TokenError {
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidRequest(_) => "invalid_request",
            TokenError::InvalidClient(_) => "invalid_client",
            TokenError::InvalidGrant(_) => "invalid_grant",
            TokenError::UnauthorizedClient(_) => "unauthorized_client",
            TokenError::UnsupportedGrantType(_) => "unsupported_grant_type",
            TokenError::InvalidScope(_) => "invalid_scope",
        }
    }

    pub fn description(&self) -> &str {
        match self {
            TokenError::InvalidRequest(d)
            | TokenError::InvalidClient(d)
            | TokenError::InvalidGrant(d)
            | TokenError::UnauthorizedClient(d)
            | TokenError::UnsupportedGrantType(d)
            | TokenError::InvalidScope(d) => d,
        }
    }
}

/// What the token endpoint knows about a stored authorization code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
    pub used: bool,
}

/// Outcome of checking a code: a replay must also revoke what the code already issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRejection {
    Replayed,
    Invalid(TokenError),
}

/// Checks a code redemption by `client_id`. The code is bound to the client, the exact
/// redirect URI of the request, and the PKCE challenge (a verifier without a challenge is a
/// downgrade attempt and refused, RFC 9700 §2.1.1).
pub fn check_code(
    code: &StoredCode,
    client_id: &str,
    redirect_uri: Option<&str>,
    code_verifier: Option<&str>,
    now: i64,
) -> Result<(), CodeRejection> {
    let invalid = |d: &str| {
        Err(CodeRejection::Invalid(TokenError::InvalidGrant(
            d.to_owned(),
        )))
    };
    if code.client_id != client_id {
        return invalid("The code was issued to another client.");
    }
    if code.used {
        return Err(CodeRejection::Replayed);
    }
    if now >= code.expires_at {
        return invalid("The code has expired.");
    }
    if redirect_uri != Some(code.redirect_uri.as_str()) {
        return invalid("redirect_uri does not match the authorization request.");
    }
    match (&code.code_challenge, code_verifier) {
        (Some(challenge), Some(verifier)) if pkce::verify(challenge, verifier) => Ok(()),
        (Some(_), Some(_)) => invalid("code_verifier does not match the code_challenge."),
        (Some(_), None) => invalid("code_verifier is required."),
        (None, Some(_)) => invalid("code_verifier sent for a request without code_challenge."),
        (None, None) => Ok(()),
    }
}

/// What the token endpoint knows about a stored refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRefresh {
    pub client_id: String,
    pub expires_at: i64,
    pub used: bool,
    pub revoked: bool,
}

/// Refresh tokens rotate: each is good once. Presenting a used one means it leaked, so the
/// caller revokes the whole family (RFC 9700 §4.14.2).
pub fn check_refresh(
    token: &StoredRefresh,
    client_id: &str,
    now: i64,
) -> Result<(), CodeRejection> {
    let invalid = |d: &str| {
        Err(CodeRejection::Invalid(TokenError::InvalidGrant(
            d.to_owned(),
        )))
    };
    if token.client_id != client_id {
        return invalid("The refresh token was issued to another client.");
    }
    if token.revoked {
        return invalid("The refresh token has been revoked.");
    }
    if token.used {
        return Err(CodeRejection::Replayed);
    }
    if now >= token.expires_at {
        return invalid("The refresh token has expired.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn code() -> StoredCode {
        StoredCode {
            client_id: "app".into(),
            redirect_uri: "https://app.example/cb".into(),
            code_challenge: Some(CHALLENGE.into()),
            expires_at: 160,
            used: false,
        }
    }

    fn grant_error(r: Result<(), CodeRejection>) -> String {
        match r {
            Err(CodeRejection::Invalid(e)) => {
                assert_eq!(e.code(), "invalid_grant");
                e.description().to_owned()
            }
            other => panic!("expected invalid_grant, got {other:?}"),
        }
    }

    #[test]
    fn a_fresh_code_with_the_right_verifier_is_accepted() {
        assert_eq!(
            check_code(
                &code(),
                "app",
                Some("https://app.example/cb"),
                Some(VERIFIER),
                100
            ),
            Ok(())
        );
    }

    #[test]
    fn codes_are_bound_to_client_redirect_uri_verifier_and_time() {
        let c = code();
        let ok_uri = Some("https://app.example/cb");
        assert!(
            grant_error(check_code(&c, "other", ok_uri, Some(VERIFIER), 100))
                .contains("another client")
        );
        assert!(
            grant_error(check_code(
                &c,
                "app",
                Some("https://app.example/cb2"),
                Some(VERIFIER),
                100
            ))
            .contains("redirect_uri")
        );
        assert!(
            grant_error(check_code(&c, "app", None, Some(VERIFIER), 100)).contains("redirect_uri")
        );
        assert!(
            grant_error(check_code(&c, "app", ok_uri, Some(CHALLENGE), 100))
                .contains("code_verifier")
        );
        assert!(grant_error(check_code(&c, "app", ok_uri, None, 100)).contains("required"));
        assert!(
            grant_error(check_code(&c, "app", ok_uri, Some(VERIFIER), 160)).contains("expired")
        );
        let no_pkce = StoredCode {
            code_challenge: None,
            ..code()
        };
        assert!(
            grant_error(check_code(&no_pkce, "app", ok_uri, Some(VERIFIER), 100))
                .contains("without code_challenge")
        );
        assert_eq!(check_code(&no_pkce, "app", ok_uri, None, 100), Ok(()));
    }

    #[test]
    fn a_used_code_is_a_replay() {
        let used = StoredCode {
            used: true,
            ..code()
        };
        assert_eq!(
            check_code(
                &used,
                "app",
                Some("https://app.example/cb"),
                Some(VERIFIER),
                100
            ),
            Err(CodeRejection::Replayed)
        );
    }

    #[test]
    fn refresh_tokens_are_single_use_and_client_bound() {
        let t = StoredRefresh {
            client_id: "app".into(),
            expires_at: 200,
            used: false,
            revoked: false,
        };
        assert_eq!(check_refresh(&t, "app", 100), Ok(()));
        assert_eq!(
            check_refresh(
                &StoredRefresh {
                    used: true,
                    ..t.clone()
                },
                "app",
                100
            ),
            Err(CodeRejection::Replayed)
        );
        assert!(matches!(
            check_refresh(&t, "other", 100),
            Err(CodeRejection::Invalid(_))
        ));
        assert!(matches!(
            check_refresh(&t, "app", 200),
            Err(CodeRejection::Invalid(_))
        ));
        assert!(matches!(
            check_refresh(&StoredRefresh { revoked: true, ..t }, "app", 100),
            Err(CodeRejection::Invalid(_))
        ));
    }
}

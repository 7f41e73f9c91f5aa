//! The signed-in user as kept in the login session.

use std::collections::HashMap;

use actix_session::Session;

use super::session_store::USER_KEY;

const AUTH_TIME: &str = "auth_time";
const AMR: &str = "amr";
const STRONGEST: &str = "strongest";

/// How long (seconds) a sign-in is fresh enough to change how the account signs in (OWASP
/// Authentication Cheat Sheet: re-authenticate before sensitive changes).
pub const FRESH_SIGN_IN: i64 = 5 * 60;

/// Who is signed in to this browser, since when, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub user_id: String,
    pub auth_time: i64,
    pub amr: Vec<String>,
    /// Whether the sign-in was the user's strongest way in then
    /// (as [`crate::flows::sign_in::finish`] weighs it); `None` in older sessions.
    pub strongest: Option<bool>,
}

impl Login {
    /// Whether the sign-in is at most [`FRESH_SIGN_IN`] seconds old at `now`.
    pub fn is_fresh(&self, now: i64) -> bool {
        now - self.auth_time <= FRESH_SIGN_IN
    }
}

/// The current login, if any. A session that cannot be read counts as none.
pub fn current(session: &Session) -> Option<Login> {
    let user_id = session.get::<String>(USER_KEY).ok()??;
    let auth_time = session.get::<i64>(AUTH_TIME).ok()??;
    let amr = session.get::<Vec<String>>(AMR).ok()?.unwrap_or_default();
    let strongest = session.get::<bool>(STRONGEST).ok().flatten();
    Some(Login {
        user_id,
        auth_time,
        amr,
        strongest,
    })
}

/// The login kept in a stored session's entries (the `state` column: a JSON object whose
/// values are JSON texts, as actix-session keeps them), for listing a user's sessions.
pub fn from_stored(state: &str) -> Option<Login> {
    let entries: HashMap<String, String> = serde_json::from_str(state).ok()?;
    let entry = |key: &str| entries.get(key).map(String::as_str);
    Some(Login {
        user_id: serde_json::from_str(entry(USER_KEY)?).ok()?,
        auth_time: serde_json::from_str(entry(AUTH_TIME)?).ok()?,
        amr: entry(AMR)
            .and_then(|amr| serde_json::from_str(amr).ok())
            .unwrap_or_default(),
        strongest: entry(STRONGEST).and_then(|s| serde_json::from_str(s).ok()),
    })
}

/// Starts a login: a new session id (against session fixation), then the user's entries.
pub fn start(session: &Session, login: &Login) -> Result<(), actix_session::SessionInsertError> {
    session.renew();
    session.insert(USER_KEY, &login.user_id)?;
    session.insert(AUTH_TIME, login.auth_time)?;
    session.insert(AMR, &login.amr)?;
    if let Some(strongest) = login.strongest {
        session.insert(STRONGEST, strongest)?;
    }
    Ok(())
}

/// The login as the sign-in flow weighs it for a step-up.
pub fn session_sign_in(login: &Login) -> crate::flows::sign_in::SessionSignIn<'_> {
    crate::flows::sign_in::SessionSignIn {
        amr: &login.amr,
        auth_time: login.auth_time,
        strongest: login.strongest,
    }
}

/// Ends the login: the session row is deleted and the cookie removed.
pub fn end(session: &Session) {
    session.purge();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_login_is_read_back_from_the_session_entries() {
        let state = r#"{"uid":"\"u-1\"","auth_time":"1700000000","amr":"[\"pwd\",\"otp\"]"}"#;
        assert_eq!(
            from_stored(state),
            Some(Login {
                user_id: "u-1".into(),
                auth_time: 1_700_000_000,
                amr: vec!["pwd".into(), "otp".into()],
                strongest: None,
            })
        );
        assert_eq!(from_stored(r#"{"other":"1"}"#), None);
        assert_eq!(from_stored("not json"), None);
    }
}

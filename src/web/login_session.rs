//! The signed-in user as kept in the login session.

use actix_session::Session;

use super::session_store::USER_KEY;

const AUTH_TIME: &str = "auth_time";
const AMR: &str = "amr";

/// Who is signed in to this browser, since when, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub user_id: String,
    pub auth_time: i64,
    pub amr: Vec<String>,
}

/// The current login, if any. A session that cannot be read counts as none.
pub fn current(session: &Session) -> Option<Login> {
    let user_id = session.get::<String>(USER_KEY).ok()??;
    let auth_time = session.get::<i64>(AUTH_TIME).ok()??;
    let amr = session.get::<Vec<String>>(AMR).ok()?.unwrap_or_default();
    Some(Login {
        user_id,
        auth_time,
        amr,
    })
}

/// Starts a login: a new session id (against session fixation), then the user's entries.
pub fn start(session: &Session, login: &Login) -> Result<(), actix_session::SessionInsertError> {
    session.renew();
    session.insert(USER_KEY, &login.user_id)?;
    session.insert(AUTH_TIME, login.auth_time)?;
    session.insert(AMR, &login.amr)?;
    Ok(())
}

/// Ends the login: the session row is deleted and the cookie removed.
pub fn end(session: &Session) {
    session.purge();
}

//! Who is calling: the signed-in user of the session cookie, or the user of a Bearer token.

use actix_session::Session;
use actix_web::HttpRequest;

use super::error::WebError;
use super::{bearer, login_session};
use crate::domain::user::User;
use crate::flows::AppState;
use crate::store;

/// The calling user, if the session or an `Authorization: Bearer` token names an active one.
pub async fn current_user(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
) -> Result<Option<User>, WebError> {
    let user_id = match login_session::current(session) {
        Some(login) => Some(login.user_id),
        None => match bearer::from_header(req) {
            Some(token) => bearer::resolve(state, &token)
                .await?
                .and_then(|t| t.user_id),
            None => None,
        },
    };
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    Ok(state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .filter(User::can_sign_in))
}

//! What a user can sign in with, asked the same way by every flow.

use super::error::WebError;
use super::state::AppState;
use crate::domain::user::{Email, User};
use crate::store;

/// The active user whose email is `login_name`; `None` for unknown, malformed or disabled.
pub async fn user_by_email(state: &AppState, login_name: &str) -> Result<Option<User>, WebError> {
    let Ok(email) = Email::parse(login_name) else {
        return Ok(None);
    };
    let email = email.as_str().to_owned();
    Ok(state
        .store
        .run(move |c| store::users::find_user_by_email(c, &email))
        .await?
        .filter(User::can_sign_in))
}

/// Whether the user has a confirmed authenticator app.
pub async fn has_totp(state: &AppState, user_id: &str) -> Result<bool, WebError> {
    let id = user_id.to_owned();
    Ok(state
        .store
        .run(move |c| store::authenticators::has_active_authenticator(c, &id))
        .await?)
}

/// Whether the user has any second factor: an authenticator app or unused backup codes.
pub async fn has_second_factor(state: &AppState, user_id: &str) -> Result<bool, WebError> {
    Ok(
        has_totp(state, user_id).await?
            || super::backup_codes::remaining(state, user_id).await? > 0,
    )
}

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

/// Whether the user has any second factor: an authenticator app, unused backup codes, a
/// confirmed phone number (when SMS is configured) or a push device (when push is configured).
/// Email is not one: it is how a forgotten password is reset.
pub async fn has_second_factor(state: &AppState, user: &User) -> Result<bool, WebError> {
    use crate::domain::one_time_code::Channel;
    if has_totp(state, &user.id).await?
        || super::backup_codes::remaining(state, &user.id).await? > 0
        || (super::codes::channel_enabled(state, Channel::Sms) && user.sms_number().is_some())
    {
        return Ok(true);
    }
    Ok(super::codes::channel_enabled(state, Channel::Push) && has_push_device(state, &user.id).await?)
}

/// Whether the user registered a device for push codes.
pub async fn has_push_device(state: &AppState, user_id: &str) -> Result<bool, WebError> {
    let id = user_id.to_owned();
    Ok(state
        .store
        .run(move |c| store::push_devices::count_user_devices(c, &id))
        .await?
        > 0)
}

//! The sign-in factor forms of a user's admin page (`POST /admin/users/{id}/…`): unlock or
//! remove an authenticator app, unlock a code channel, remove a push device. Like the account
//! forms in `user_actions`: `Csrf` forms of an `Admin`, an `admin.user.*` audit event with
//! before → after, and back to the user's page with a notice.

use actix_web::{HttpRequest, HttpResponse, web};

use super::unlocks;
use super::user_actions::{back, event};
use super::user_detail::find;
use crate::domain::one_time_code::{Channel, subject_for_user};
use crate::domain::policy::PASSWORD_LOCK_CHANNEL;
use crate::flows::AppState;
use crate::store;
use crate::web::audit;
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf, NoFields};

/// `POST /admin/users/{id}/authenticators/{authenticator}/unlock`: clears the lockout and the
/// count of wrong codes.
pub async fn unlock_authenticator(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let (user_id, authenticator_id) = path.into_inner();
    let user = find(&state, &user_id).await?;
    let unlocked = unlocks::unlock_authenticator(&state, authenticator_id, Some(user.id.clone()))
        .await?
        .ok_or_else(|| WebError::NotFound("This user has no such authenticator.".into()))?;
    let detail = unlocked.audit_detail(state.now());
    audit::record(
        &state,
        &req,
        event("admin.user.unlock", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, "unlocked"))
}

/// `POST /admin/users/{id}/authenticators/{authenticator}/revoke`: removes one authenticator
/// app; its codes stop working at once.
pub async fn revoke_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let (user_id, authenticator_id) = path.into_inner();
    let user = find(&state, &user_id).await?;
    let (id, owner) = (authenticator_id.clone(), user.id.clone());
    let removed = state
        .store
        .run(
            move |c| match store::authenticators::find_authenticator(c, &id)? {
                Some(found)
                    if found.user_id == owner
                        && store::authenticators::delete_authenticator(c, &id, &owner)? =>
                {
                    Ok(Some(found))
                }
                _ => Ok(None),
            },
        )
        .await?
        .ok_or_else(|| WebError::NotFound("This user has no such authenticator.".into()))?;
    let detail = format!(
        "authenticator {} ({}): active → removed",
        removed.id, removed.label
    );
    audit::record(
        &state,
        &req,
        event("admin.user.revoke_totp", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, "revoked"))
}

/// `POST /admin/users/{id}/channels/{channel}/unlock`: clears the run of wrong codes on one
/// code channel (email, sms or push), or of wrong passwords (`password`).
pub async fn unlock_channel(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let (user_id, channel) = path.into_inner();
    let user = find(&state, &user_id).await?;
    let not_found = || WebError::NotFound("This user has no lockout on that channel.".into());
    let channel: &'static str = if channel == PASSWORD_LOCK_CHANNEL {
        PASSWORD_LOCK_CHANNEL
    } else {
        channel
            .parse::<Channel>()
            .map_err(|_| not_found())?
            .as_str()
    };
    let detail = unlocks::unlock_channel(&state, subject_for_user(&user.id), channel.to_owned())
        .await?
        .ok_or_else(not_found)?
        .audit_detail(state.now());
    audit::record(
        &state,
        &req,
        event("admin.user.unlock_channel", &admin, &user, detail),
    )
    .await;
    Ok(back(
        &user.id,
        if channel == PASSWORD_LOCK_CHANNEL {
            "password_unlocked"
        } else {
            "channel_unlocked"
        },
    ))
}

/// `POST /admin/users/{id}/devices/{device}/remove`: the device gets no more push codes.
pub async fn remove_device(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let (user_id, device_id) = path.into_inner();
    let user = find(&state, &user_id).await?;
    let (id, owner) = (device_id.clone(), user.id.clone());
    let removed = state
        .store
        .run(move |c| {
            let device = store::push_devices::list_user_devices(c, &owner)?
                .into_iter()
                .find(|d| d.id == id);
            match device {
                Some(d) if store::push_devices::delete_device(c, &id, &owner)? => Ok(Some(d)),
                _ => Ok(None),
            }
        })
        .await?
        .ok_or_else(|| WebError::NotFound("This user has no such push device.".into()))?;
    let detail = format!(
        "push device {} ({}): registered → removed",
        removed.id, removed.label
    );
    audit::record(
        &state,
        &req,
        event("admin.user.remove_device", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, "device_removed"))
}

/// `POST /admin/users/{id}/passkeys/{passkey}/remove`: the passkey no longer signs in.
pub async fn remove_passkey(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let (user_id, passkey_id) = path.into_inner();
    let user = find(&state, &user_id).await?;
    let meta = audit::meta(&req);
    if !crate::flows::passkeys::remove(&state, &meta, &user.id, &passkey_id, &admin.id).await? {
        return Err(WebError::NotFound("This user has no such passkey.".into()));
    }
    Ok(back(&user.id, "passkey_removed"))
}

//! The account forms of a user's admin page (`POST /admin/users/{id}/…`): disable / enable,
//! the admin role, send a password reset, end one or all sessions (all of them, and disabling,
//! also revoke the user's tokens) (the forms about sign-in factors
//! are in `user_factors`). Each is a `Csrf` form of an `Admin`, is audit-logged as
//! `admin.user.*` (actor: the admin, user: the account, before → after), and goes back to the
//! user's page with a notice.
//!
//! An administrator cannot disable their own account or take their own admin role: the page
//! says so, and nothing changes (another administrator can).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::changes;
use super::user_detail::{find, render};
use crate::domain::user::{Email, User};
use crate::domain::user_agent::device_name;
use crate::domain::verification::mask_email;
use crate::flows::AppState;
use crate::flows::codes::Sent;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::authenticator_view::admin_time;
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf, NoFields};
use crate::web::hosted::{see_other, sender};
use crate::web::routes::password_forgot::send_reset_code;

/// The role form.
#[derive(Deserialize)]
pub struct RoleForm {
    /// For the role form: `1` gives the admin role, anything else takes it.
    admin: Option<String>,
}

pub(super) fn back(user_id: &str, notice: &str) -> HttpResponse {
    see_other(format!("/admin/users/{user_id}?notice={notice}"))
}

pub(super) fn event(action: &str, admin: &User, user: &User, detail: String) -> Audit {
    Audit::success(action)
        .actor(&admin.id)
        .user(&user.id)
        .detail(detail)
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// `POST /admin/users/{id}/disable`: the account can no longer sign in, every session it has
/// ends now, and every token issued to it is revoked (enabling it again does not revive them).
pub async fn disable(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let user = find(&state, &path).await?;
    if user.id == admin.id {
        let error = "You cannot disable your own account. Another administrator can.";
        return render(
            &state,
            &admin,
            &user,
            None,
            Some(error.into()),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let (id, now) = (user.id.clone(), state.now());
    let (ended, revoked) = state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| {
                store::users::update_disabled(c, &id, true, now)?;
                let ended = store::sessions::delete_user_sessions(c, &id, None)?;
                let revoked = store::grants::revoke_all_for_user(c, &id, now)?;
                Ok((ended, revoked))
            })
        })
        .await?;
    let detail = format!(
        "{}; sessions ended: {ended}; tokens revoked: {revoked}",
        changes(&[("disabled", yes_no(user.disabled), yes_no(true))])
    );
    audit::record(
        &state,
        &req,
        event("admin.user.disable", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, "disabled"))
}

/// `POST /admin/users/{id}/enable`.
pub async fn enable(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let user = find(&state, &path).await?;
    let (id, now) = (user.id.clone(), state.now());
    state
        .store
        .run(move |c| store::users::update_disabled(c, &id, false, now))
        .await?;
    let detail = changes(&[("disabled", yes_no(user.disabled), yes_no(false))]);
    audit::record(
        &state,
        &req,
        event("admin.user.enable", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, "enabled"))
}

/// `POST /admin/users/{id}/admin` with `admin=1` (give the role) or `admin=0` (take it).
pub async fn set_admin(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: Csrf<RoleForm>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let user = find(&state, &path).await?;
    let make_admin = form.admin.as_deref() == Some("1");
    if user.id == admin.id && !make_admin {
        let error = "You cannot remove your own admin role. Another administrator can.";
        return render(
            &state,
            &admin,
            &user,
            None,
            Some(error.into()),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let (id, now) = (user.id.clone(), state.now());
    state
        .store
        .run(move |c| store::users::update_admin(c, &id, make_admin, now))
        .await?;
    let detail = changes(&[("admin", yes_no(user.is_admin), yes_no(make_admin))]);
    audit::record(
        &state,
        &req,
        event("admin.user.role", &admin, &user, detail),
    )
    .await;
    Ok(back(
        &user.id,
        if make_admin {
            "admin_granted"
        } else {
            "admin_removed"
        },
    ))
}

/// `POST /admin/users/{id}/send-reset`: emails the user a password reset code, exactly as
/// "Forgot your password?" does; they enter it at `/password/reset`.
pub async fn send_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let user = find(&state, &path).await?;
    let email = Email::parse(&user.email)
        .ok()
        .filter(|_| user.can_sign_in());
    let Some(email) = email else {
        let why = if user.disabled {
            "This account is disabled: enable it before sending a password reset."
        } else {
            "This account's email address is not confirmed, so a reset code would not work."
        };
        return render(
            &state,
            &admin,
            &user,
            None,
            Some(why.into()),
            StatusCode::CONFLICT,
        )
        .await;
    };
    let app = sender(&state, None).await?;
    // The admin area speaks English; the mail speaks the installation's default language.
    let lang = state.live().config.default_locale.clone();
    let (_, sent) = send_reset_code(&state, Some(&user), &email, (&app, &lang)).await?;
    let masked = mask_email(&user.email);
    let (notice, detail) = match sent {
        Sent::Sent(_) => (
            "reset_sent",
            format!("password reset code emailed to {masked}"),
        ),
        Sent::TooSoon { .. } => (
            "reset_recent",
            format!("the reset code sent to {masked} moments ago still works; no new email"),
        ),
        Sent::Locked { until } => {
            let error = crate::web::words::address_locked(&crate::web::words::english(), until);
            return reset_refused(
                &state,
                &req,
                &admin,
                &user,
                error,
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await;
        }
        Sent::Unavailable | Sent::Failed => {
            let error = crate::web::words::english().t("err-mail-not-sent");
            return reset_refused(
                &state,
                &req,
                &admin,
                &user,
                error,
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await;
        }
    };
    audit::record(
        &state,
        &req,
        event("admin.user.send_reset", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, notice))
}

/// No reset code went out: logged as a failure, and the page says why.
async fn reset_refused(
    state: &AppState,
    req: &HttpRequest,
    admin: &Admin,
    user: &User,
    error: String,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    audit::record(
        state,
        req,
        Audit::failure("admin.user.send_reset")
            .actor(&admin.id)
            .user(&user.id)
            .detail(format!(
                "no reset code emailed to {}: {error}",
                mask_email(&user.email)
            )),
    )
    .await;
    render(state, admin, user, None, Some(error), status).await
}

/// `POST /admin/users/{id}/end-sessions`: signs the user out of every browser and every
/// application (all the user's tokens are revoked).
pub async fn end_sessions(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let user = find(&state, &path).await?;
    let (id, now) = (user.id.clone(), state.now());
    let (ended, revoked) = state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| {
                let ended = store::sessions::delete_user_sessions(c, &id, None)?;
                let revoked = store::grants::revoke_all_for_user(c, &id, now)?;
                Ok((ended, revoked))
            })
        })
        .await?;
    let detail = format!("sessions: {ended} → 0; tokens revoked: {revoked}");
    audit::record(
        &state,
        &req,
        event("admin.user.end_sessions", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, "sessions_ended"))
}

/// `POST /admin/users/{id}/sessions/{session}/end`: signs the user out of one browser, named
/// by the session's public id; 404 when the user has no such session (nothing ends).
pub async fn end_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    _form: Csrf<NoFields>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let (user_id, public_id) = path.into_inner();
    let user = find(&state, &user_id).await?;
    let id = user.id.clone();
    let ended = state
        .store
        .run(move |c| store::sessions::delete_user_session(c, &id, &public_id))
        .await?
        .ok_or_else(|| WebError::NotFound("This user has no such session.".into()))?;
    let detail = format!(
        "session {} ({}, {}, signed in {}) ended",
        ended.public_id,
        device_name(ended.user_agent.as_deref()),
        ended.ip.as_deref().unwrap_or("unknown address"),
        admin_time(Some(ended.created_at)),
    );
    audit::record(
        &state,
        &req,
        event("admin.user.end_session", &admin, &user, detail),
    )
    .await;
    Ok(back(&user.id, "session_ended"))
}

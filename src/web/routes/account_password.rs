//! The password on the account page: change it (the current password first), or set one when
//! the account has none. New passwords follow NIST SP 800-63B (`password_policy`). Afterwards
//! every other session of the account ends — this browser stays signed in —, every token
//! issued to applications for the account is revoked, and the account's address is told
//! (SP 800-63B §6.1.2.3). Wrong current passwords count towards the password
//! lockout of the account, as at sign-in (`password_check`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::one_time_code::subject_for_user;
use crate::domain::password_policy::{MAX_CHARS, check_new_password};
use crate::domain::policy::minutes_left;
use crate::flows::AppState;
use crate::flows::password_check::{self, Attempt, PasswordOutcome};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn};
use crate::web::hosted::{found, password_problem, sender};
use crate::web::notices::{self, Notice};
use crate::web::routes::account::{Forms, render_account};
use crate::web::session_store::current_row;

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: Option<String>,
    new_password: Option<String>,
}

/// `POST /account/password` (fresh sign-in needed).
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<PasswordForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let current = form.current_password.unwrap_or_default();
    let new = form.new_password.unwrap_or_default();
    let had_password = user.password_hash.is_some();
    let mut forms = Forms::default();
    let tr = user.tr();
    if had_password && current.is_empty() {
        forms.current_password_error = Some(tr.t("err-enter-current-password"));
    }
    if new.is_empty() {
        forms.new_password_error = Some(tr.t("err-choose-new-password"));
    } else if let Err(problem) = check_new_password(&new, &user.email) {
        forms.new_password_error = Some(password_problem(&tr, &problem));
    }
    if forms.current_password_error.is_none() && forms.new_password_error.is_none() && had_password
    {
        // Longer than any password we accept: checked as the empty password (always wrong,
        // and never hashing megabytes), so it counts like any other wrong password.
        let typed = if current.chars().count() <= MAX_CHARS {
            current
        } else {
            String::new()
        };
        let attempt = Attempt {
            subject: subject_for_user(&user.id),
            user_id: Some(&user.id),
            stored_hash: user.password_hash.clone(),
            place: "account page",
        };
        let outcome = password_check::check(&state, &audit::meta(&req), attempt, typed).await?;
        let refusal = match outcome {
            PasswordOutcome::Locked { until } => {
                let minutes = minutes_left(until, state.now());
                Some((
                    StatusCode::TOO_MANY_REQUESTS,
                    "password sign-in locked: too many wrong passwords",
                    tr.n("err-acct-password-locked", "minutes", minutes),
                ))
            }
            PasswordOutcome::Wrong => Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                "the current password was not correct",
                tr.t("err-not-current-password"),
            )),
            PasswordOutcome::Right => None,
        };
        if let Some((status, why, message)) = refusal {
            let event = Audit::failure("password.change")
                .by_owner(&user.id)
                .detail(why.into());
            audit::record(&state, &req, event).await;
            forms.current_password_error = Some(message);
            return render_account(&state, &user, forms, status).await;
        }
    }
    if forms.current_password_error.is_some() || forms.new_password_error.is_some() {
        return render_account(&state, &user, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let password_hash = state.hashing.hash(new).await?;
    let (id, keep, now) = (user.id.clone(), current_row(&user.session), state.now());
    let (ended, revoked) = state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| {
                store::users::update_password(c, &id, &password_hash, now)?;
                let ended = store::sessions::delete_user_sessions(c, &id, keep.as_deref())?;
                let revoked = store::grants::revoke_all_for_user(c, &id, now)?;
                Ok((ended, revoked))
            })
        })
        .await?;
    let (action, notice) = if had_password {
        ("password.change", "password_changed")
    } else {
        ("password.set", "password_set")
    };
    audit::record(
        &state,
        &req,
        Audit::success(action).by_owner(&user.id).detail(format!(
            "on the account page; {ended} other session(s) ended; {revoked} token(s) revoked"
        )),
    )
    .await;
    let app = sender(&state, None).await?;
    notices::send(
        &state,
        &user,
        Notice::PasswordChangedOnAccountPage,
        &app,
        tr.lang(),
    )
    .await;
    Ok(found(&format!("/account?notice={notice}")))
}

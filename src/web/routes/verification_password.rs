//! The password step of the verification service (API.md §4): checked through
//! `password_check`, so wrong passwords lock the sign-in name exactly as on the hosted page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::domain::one_time_code::subject_for_user;
use crate::domain::policy::minutes_left;
use crate::domain::user::User;
use crate::domain::verification::Verification;
use crate::flows::AppState;
use crate::flows::codes::lockout_subject;
use crate::flows::password_check::{self, Attempt, PasswordOutcome};
use crate::store;
use crate::web::envelope;
use crate::web::error::WebError;

/// Whom the wrong passwords of a verification count against, fixed when it is initiated: the
/// account, or the typed name (the alias when none was typed).
pub fn subject(user: Option<&User>, login_name: Option<&str>, alias: &str) -> String {
    lockout_subject(user, login_name.unwrap_or(alias))
}

/// Checks `password` for `verification` (initiated with the method `password`).
pub async fn verify(
    state: &AppState,
    req: &HttpRequest,
    verification: &Verification,
    password: &str,
) -> Result<PasswordOutcome, WebError> {
    let hash = match &verification.user_id {
        Some(id) => {
            let id = id.clone();
            state
                .store
                .run(move |c| store::users::find_user(c, &id))
                .await?
                .and_then(|u| u.password_hash)
        }
        None => None,
    };
    // `initiate` keeps the subject in `medium_id`; the fallbacks are for rows made before.
    let subject = match (&verification.medium_id, &verification.user_id) {
        (Some(subject), _) => subject.clone(),
        (None, Some(id)) => subject_for_user(id),
        (None, None) => lockout_subject(None, &verification.alias),
    };
    let attempt = Attempt {
        subject,
        user_id: verification.user_id.as_deref(),
        stored_hash: hash,
        place: "verification service",
    };
    Ok(password_check::check(
        state,
        &crate::web::audit::meta(req),
        attempt,
        password.to_owned(),
    )
    .await?)
}

/// 429 `password_locked`: too many wrong passwords for this sign-in name.
pub fn locked(req: &HttpRequest, until: i64, now: i64) -> HttpResponse {
    let minutes = minutes_left(until, now);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    envelope::error(
        req,
        StatusCode::TOO_MANY_REQUESTS,
        "password_locked",
        "PasswordLocked",
        &format!(
            "Too many wrong passwords. Try again in {minutes} {unit}, or reset your password."
        ),
    )
}

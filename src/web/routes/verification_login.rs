//! Finishing a login after a successful verification (`POST /login-srv/verification/login`,
//! API.md §4): the verified `status_id` is consumed once, bound to the requestId, the masked
//! `sub` and the method; it is a first factor, and the sign-in state machine decides what
//! follows (the code, the second factor on /mfa, or the password first). A MULTIFACTOR status
//! finishes the second step of the login track its `sub` names instead (as cidaas does), through
//! the same check as the precheck continuation.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::verification::{Method, State, UsageType};
use crate::flows::AppState;
use crate::flows::passkeys;
use crate::flows::sign_in;
use crate::store;
use crate::web::error::WebError;
use crate::web::login_flow;
use crate::web::routes::mfa;

#[derive(Deserialize)]
pub struct FinishForm {
    #[serde(rename = "requestId")]
    request_id: String,
    status_id: String,
    #[serde(rename = "verificationType")]
    verification_type: String,
    sub: Option<String>,
    q: Option<String>,
}

pub async fn finish(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<FinishForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    // A custom login UI may post this from another site, without our cookie: the unused
    // verified status bound to this request is the proof then (see `pending_for_proof`).
    // The request and the verification it names in one trip to the database.
    let status_id = form.status_id.clone();
    let (pending, found) =
        login_flow::pending_for_proof_and(&state, &req, &form.request_id, move |c| {
            store::verifications::find_by_status(c, &status_id)
        })
        .await?;
    let back_to_login = || {
        let location = format!(
            "/login?requestId={}&view_type={}&error=verification_failed",
            pending.id,
            pending.request.view_type.as_str()
        );
        HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish()
    };
    let method = form.verification_type.parse::<Method>().ok();
    let alias = form.sub.as_deref().or(form.q.as_deref()).unwrap_or("");
    let now = state.now();
    let Some(v) = found else {
        return Ok(back_to_login());
    };
    if v.usage_type == UsageType::MultifactorAuthentication {
        // The cidaas way to finish a second step: the status's `sub` is the alias of the login
        // track it was verified for; the same checks as the precheck continuation.
        let alias = alias.to_owned();
        let track_alias = v.alias.clone();
        let Some(track) = state
            .store
            .run(move |c| store::tracks::find_track_by_alias(c, &track_alias))
            .await?
        else {
            return Ok(back_to_login());
        };
        let c = match mfa::continue_track(&state, pending.clone(), &track.id).await {
            Ok(c) => c,
            Err(WebError::BadRequest(_)) => return Ok(back_to_login()),
            Err(e) => return Err(e),
        };
        return match mfa::verified_second_factor(&state, &c, &v.status_id, &alias, method).await? {
            Some(proof) => mfa::complete(&state, &req, &session, &c, proof).await,
            None => Ok(back_to_login()),
        };
    }
    let bound = v.state == State::Verified
        && v.request_id.as_deref() == Some(pending.id.as_str())
        && v.alias == alias
        && Some(v.method) == method
        && matches!(
            v.usage_type,
            UsageType::InitialAuthentication | UsageType::PasswordlessAuthentication
        );
    let Some(user_id) = v.user_id.clone().filter(|_| bound) else {
        return Ok(back_to_login());
    };
    let status_id = v.status_id.clone();
    // Used once, and its user loaded, in one trip.
    let consumed = state
        .store
        .run(move |c| {
            if !store::verifications::consume(c, &status_id, now)? {
                return Ok(None);
            }
            store::users::find_user(c, &user_id).map(Some)
        })
        .await?;
    let Some(user) = consumed.flatten().filter(|u| u.can_sign_in()) else {
        return Ok(back_to_login());
    };
    // The verified method is a first factor; the sign-in state machine decides whether it is
    // enough (it may ask for the second factor on /mfa, or for the password first).
    let Some(proof) = passkeys::verified_proof(&state, &v, &user.id, now).await? else {
        return Ok(back_to_login());
    };
    match sign_in::first_proof(&state, &pending, &user, proof).await? {
        Ok(step) => login_flow::follow(&state, &req, &session, &pending, &user, step).await,
        // The application may have stopped allowing the method since it was initiated.
        Err(_) => Ok(back_to_login()),
    }
}

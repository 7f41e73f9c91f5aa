//! TOTP enrollment for a signed-in user (API.md §4 "TOTP enrollment", Mosaic "Register TOTP"):
//! initiate creates a pending authenticator and returns its secret; enroll activates it with a
//! correct code, whose time-step is recorded so that code cannot then sign anyone in. Both
//! steps need a fresh sign-in or a Bearer token with the factors scope
//! ([`crate::web::current_user::factor_user`]), or, during a login, its track.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::user::User;
use crate::domain::verification::LoginTrack;
use crate::flows::AppState;
use crate::flows::sign_in::{self, TrackEnrollment};
use crate::flows::totp_enrollment::{
    Confirmation, EnrollRefusal, confirm_enrollment, limit_message, start_enrollment,
};
use crate::web::audit::{self, Audit};
use crate::web::current_user::factor_user;
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;

#[derive(Deserialize, Default)]
pub struct InitiateBody {
    label: Option<String>,
}

pub fn unauthorized(req: &HttpRequest) -> HttpResponse {
    envelope::error(
        req,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Unauthorized",
        "Sign in first: a session cookie or a Bearer token is required.",
    )
}

/// The answer when a track may not enroll: unknown, or its user already has a second factor
/// (the sign-in continues with that one; a new one would let a password alone add a factor).
fn track_refusal(req: &HttpRequest, found: &TrackEnrollment) -> HttpResponse {
    match found {
        TrackEnrollment::NotAllowed => envelope::error(
            req,
            StatusCode::FORBIDDEN,
            "enrollment_not_allowed",
            "Forbidden",
            "This sign-in continues with a second factor the account already has.",
        ),
        _ => envelope::error(
            req,
            StatusCode::NOT_FOUND,
            "track_not_found",
            "NotFound",
            "The login is unknown or has expired.",
        ),
    }
}

/// `POST /verification-srv/v2/setup/initiate/totp` (and `/verification-actions-srv/setup/totp/initiation`).
pub async fn initiate(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    body: Option<web::Json<InitiateBody>>,
) -> Result<HttpResponse, WebError> {
    let user = match factor_user(&state, &req, &session).await? {
        Ok(user) => user,
        Err(refusal) => return Ok(refusal.response(&req)),
    };
    start(
        &state,
        &req,
        &user,
        None,
        body.and_then(|b| b.into_inner().label),
    )
    .await
}

/// `POST /verification-actions-srv/setup/totp/initiation/{trackId}`: enrollment as the second
/// factor of a login whose client requires two factors.
pub async fn initiate_for_track(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Option<web::Json<InitiateBody>>,
) -> Result<HttpResponse, WebError> {
    let (track, user) = match sign_in::track_enrollment(&state, &path.into_inner()).await? {
        TrackEnrollment::Allowed { track, user, .. } => (track, *user),
        refused => return Ok(track_refusal(&req, &refused)),
    };
    start(
        &state,
        &req,
        &user,
        Some(&track),
        body.and_then(|b| b.into_inner().label),
    )
    .await
}

async fn start(
    state: &AppState,
    req: &HttpRequest,
    user: &User,
    track: Option<&LoginTrack>,
    label: Option<String>,
) -> Result<HttpResponse, WebError> {
    match start_enrollment(state, user, label.as_deref(), track).await? {
        Err(EnrollRefusal::LimitReached(max)) => Ok(envelope::error(
            req,
            StatusCode::CONFLICT,
            "totp_limit_reached",
            "Conflict",
            &limit_message(max),
        )),
        Ok(e) => Ok(envelope::ok(json!({
            "exchange_id": { "exchange_id": e.verification.exchange_id, "expires_at": iso8601(e.verification.exchange_expires_at) },
            "status_id": e.verification.status_id,
            "sub": e.verification.alias,
            // `secret` as the cidaas SDKs read it; `totp_secret` as API.md names it.
            "secret": e.secret_base32,
            "totp_secret": e.secret_base32,
            "uri": e.uri,
            "label": e.label,
        }))),
    }
}

#[derive(Deserialize)]
pub struct EnrollBody {
    exchange_id: Option<String>,
    pass_code: Option<String>,
    passcode: Option<String>,
    label: Option<String>,
    /// During a login: the track whose user enrolls (no session exists yet).
    track_id: Option<String>,
}

/// `POST /verification-srv/v2/setup/enroll/totp` (and `/verification-actions-srv/setup/totp/verification`).
pub async fn enroll(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    body: web::Json<EnrollBody>,
) -> Result<HttpResponse, WebError> {
    let user = match factor_user(&state, &req, &session).await? {
        Ok(user) => user,
        Err(refusal) => match body.track_id.as_deref() {
            // During a sign-in, only when the sign-in state machine asks for an enrollment.
            Some(track_id) => match sign_in::track_enrollment(&state, track_id).await? {
                TrackEnrollment::Allowed { user, .. } => *user,
                refused => return Ok(track_refusal(&req, &refused)),
            },
            None => return Ok(refusal.response(&req)),
        },
    };
    let code = body
        .pass_code
        .as_deref()
        .or(body.passcode.as_deref())
        .unwrap_or("");
    let exchange_id = body.exchange_id.as_deref().unwrap_or("");
    match confirm_enrollment(&state, &user, exchange_id, code, body.label.as_deref()).await? {
        Confirmation::Enrolled(enrolled) => {
            let (a, v) = *enrolled;
            audit::record(
                &state,
                &req,
                Audit::success("totp.enroll")
                    .user(&user.id)
                    .detail(format!("authenticator {} ({})", a.id, a.label)),
            )
            .await;
            Ok(envelope::ok(json!({
                "enrolled": true,
                "status_id": v.status_id,
                "sub": v.alias,
                "authenticator_id": a.id,
                "label": a.label,
                "type": "TOTP",
                "created_at": iso8601(a.created_at),
            })))
        }
        Confirmation::WrongCode => {
            audit::record(
                &state,
                &req,
                Audit::failure("totp.enroll")
                    .user(&user.id)
                    .detail("wrong code".into()),
            )
            .await;
            Ok(envelope::error(
                &req,
                StatusCode::UNAUTHORIZED,
                "invalid_code",
                "VerificationFailed",
                "The code is not correct. Check the app and try again.",
            ))
        }
        Confirmation::Expired => Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "ValidationError",
            "This enrollment is unknown, finished or expired. Start again.",
        )),
    }
}

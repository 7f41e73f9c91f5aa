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

use crate::crypto::random_bytes;
use crate::domain::totp;
use crate::domain::user::User;
use crate::domain::verification::{
    Authenticator, EXCHANGE_TTL, LoginTrack, Method, State, UsageType, Verification,
};
use crate::flows::AppState;
use crate::flows::sign_in::{self, TrackEnrollment};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::current_user::factor_user;
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;

/// The label an authenticator app shows when the user gives none.
pub const DEFAULT_LABEL: &str = "Authenticator app";

#[derive(Deserialize, Default)]
pub struct InitiateBody {
    label: Option<String>,
}

/// A new pending authenticator and its verification, as shown to the user.
pub struct Enrollment {
    pub verification: Verification,
    pub secret_base32: String,
    pub uri: String,
    pub label: String,
}

/// What a user is told when no more authenticators may be added.
pub fn limit_message(max: u32) -> String {
    if max == 1 {
        "Only one authenticator app is allowed. Remove it before adding another.".into()
    } else {
        format!("You already have {max} authenticator apps. Remove one before adding another.")
    }
}

/// Why an enrollment cannot start.
pub enum EnrollRefusal {
    LimitReached(u32),
}

/// Starts enrolling a TOTP for `user` (shared by the JSON API and the account page).
pub async fn start_enrollment(
    state: &AppState,
    user: &User,
    label: Option<&str>,
    track: Option<&LoginTrack>,
) -> Result<Result<Enrollment, EnrollRefusal>, WebError> {
    let user_id = user.id.clone();
    let existing = state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &user_id))
        .await?;
    let active = existing.iter().filter(|a| a.active).count() as u32;
    let max = match state.live().config.totp_mode.as_str() {
        "single_block" => 1,
        "single_override" => u32::MAX, // the new one replaces the old on confirmation
        _ => state.live().config.totp_max_per_user,
    };
    if active >= max {
        return Ok(Err(EnrollRefusal::LimitReached(max)));
    }
    let label = label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or(DEFAULT_LABEL)
        .chars()
        .take(64)
        .collect::<String>();
    let secret = random_bytes::<20>(); // 160 bits, RFC 4226 §4 recommendation
    // validate() checked these at start; the default only guards against an impossible error.
    let params = state.live().config.totp_params().unwrap_or_default();
    let now = state.now();
    let authenticator = Authenticator {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        label: label.clone(),
        sealed_secret: state.sealer.seal(&secret),
        params,
        active: false,
        last_used_step: None,
        failure_count: 0,
        locked_until: None,
        recent_offsets: Vec::new(),
        created_at: now,
        last_used_at: None,
    };
    let verification = Verification {
        status_id: uuid::Uuid::new_v4().to_string(),
        exchange_id: uuid::Uuid::new_v4().to_string(),
        exchange_expires_at: now + EXCHANGE_TTL,
        // During a login (a track), the enrollment is the second factor of that login.
        request_id: track.map(|t| t.request_id.clone()),
        user_id: Some(user.id.clone()),
        alias: track
            .map(|t| t.alias.clone())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        method: Method::Totp,
        usage_type: UsageType::Setup,
        medium_id: Some(authenticator.id.clone()),
        state: State::Initiated,
        created_at: now,
        expires_at: now + EXCHANGE_TTL,
    };
    let (a, v) = (authenticator.clone(), verification.clone());
    state
        .store
        .run(move |c| {
            store::authenticators::insert_authenticator(c, &a)?;
            store::verifications::insert_verification(c, &v)
        })
        .await?;
    let issuer = state.live().config.totp_issuer.clone();
    Ok(Ok(Enrollment {
        uri: totp::provisioning_uri(
            &secret,
            params,
            &issuer,
            &format!("{} ({label})", user.email),
        ),
        secret_base32: totp::secret_base32(&secret),
        verification,
        label,
    }))
}

/// What confirming an enrollment did.
pub enum Confirmation {
    /// Active now; the verification carries the status_id (and alias) of the enrollment.
    Enrolled(Box<(Authenticator, Verification)>),
    WrongCode,
    Expired,
}

/// Confirms an enrollment with a code from the app (shared by the JSON API and the account page).
pub async fn confirm_enrollment(
    state: &AppState,
    user: &User,
    exchange_id: &str,
    code: &str,
    label: Option<&str>,
) -> Result<Confirmation, WebError> {
    let now = state.now();
    let lookup = exchange_id.to_owned();
    let found = state
        .store
        .run(move |c| store::verifications::find_by_exchange(c, &lookup))
        .await?;
    let Some(v) = found.filter(|v| {
        v.exchange_usable(now)
            && v.usage_type == UsageType::Setup
            && v.user_id.as_deref() == Some(user.id.as_str())
    }) else {
        return Ok(Confirmation::Expired);
    };
    let Some(medium) = v.medium_id.clone() else {
        return Ok(Confirmation::Expired);
    };
    let Some(authenticator) = state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &medium))
        .await?
        .filter(|a| !a.active)
    else {
        return Ok(Confirmation::Expired);
    };
    let secret = state
        .sealer
        .open(&authenticator.sealed_secret)
        .map_err(|e| WebError::Internal(e.into()))?;
    let Some(matched) = totp::verify(
        &secret,
        authenticator.params,
        code,
        now,
        state.live().config.totp_window,
        None,
    ) else {
        return Ok(Confirmation::WrongCode);
    };
    let (id, exchange, new_exchange) = (
        authenticator.id.clone(),
        exchange_id.to_owned(),
        uuid::Uuid::new_v4().to_string(),
    );
    let label = label
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take(64).collect::<String>());
    let user_id = user.id.clone();
    let replace_others = state.live().config.totp_mode == "single_override";
    // Bound to a login: it stays verified until /login-srv/precheck/continue consumes it.
    let finished_state = if v.request_id.is_some() {
        State::Verified
    } else {
        State::Consumed
    };
    let activated = state
        .store
        .run(move |c| {
            store::write_transaction(c, |c| {
                if !store::verifications::advance(
                    c,
                    &exchange,
                    State::Initiated,
                    finished_state,
                    &new_exchange,
                    now,
                    now,
                )? {
                    return Ok(false);
                }
                if let Some(label) = &label {
                    store::authenticators::rename_authenticator(c, &id, &user_id, label)?;
                }
                if replace_others {
                    store::authenticators::delete_other_authenticators(c, &user_id, &id)?;
                }
                store::authenticators::activate_authenticator(c, &id, matched.step)
            })
        })
        .await?;
    if !activated {
        return Ok(Confirmation::Expired);
    }
    let id = authenticator.id.clone();
    let enrolled = state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &id))
        .await?
        .unwrap_or(authenticator);
    Ok(Confirmation::Enrolled(Box::new((enrolled, v))))
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
        TrackEnrollment::Allowed { track, user, .. } => (track, user),
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
                TrackEnrollment::Allowed { user, .. } => user,
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

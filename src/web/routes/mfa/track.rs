//! The login track between the first and the second factor: which browser may continue it, and
//! how it completes — on the hosted page, or after the JSON verification service (precheck).

use actix_session::Session;
use actix_web::{Either, HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::sign_in::Proof;
use crate::domain::user::User;
use crate::domain::verification::{LoginTrack, Method, State, UsageType};
use crate::flows::AppState;
use crate::flows::factors::{self, ClientRules};
use crate::flows::sign_in::{self, SecondStepRefusal};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::login_flow::{self, pending_for_browser};

/// A track this browser may continue, with its request and user.
pub struct Continuation {
    pub track: LoginTrack,
    pub pending: PendingRequest,
    pub user: User,
    /// What the application allows for the second step.
    pub rules: ClientRules,
}

pub async fn continuation(
    state: &AppState,
    browser: &Browser,
    track_id: &str,
    request_id: &str,
) -> Result<Continuation, WebError> {
    let pending = pending_for_browser(state, Some(request_id), browser).await?;
    continue_track(state, pending, track_id).await
}

/// The live track `track_id` of `pending`, whoever asks: the caller has checked who may act on
/// the request (the browser it is bound to, or a verified proof — see
/// [`login_flow::pending_for_proof`]).
pub async fn continue_track(
    state: &AppState,
    pending: PendingRequest,
    track_id: &str,
) -> Result<Continuation, WebError> {
    let now = state.now();
    let id = track_id.to_owned();
    let gone = || {
        WebError::BadRequest(
            "This sign-in has expired. Go back to the application and sign in again.".into(),
        )
    };
    let track = state
        .store
        .run(move |c| store::tracks::find_track(c, &id))
        .await?
        .filter(|t| t.is_live(now) && t.request_id == pending.id)
        .ok_or_else(gone)?;
    let user_id = track.user_id.clone();
    let user = state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .filter(|u| u.can_sign_in())
        .ok_or_else(gone)?;
    let rules = factors::client_rules(state, &pending.request.client_id).await?;
    Ok(Continuation {
        track,
        pending,
        user,
        rules,
    })
}

/// Completes the track with `proof`, a second factor checked by a flow, when the sign-in state
/// machine takes it (the track user's own, a second-factor method the application allows).
pub async fn complete(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    c: &Continuation,
    proof: Proof,
) -> Result<HttpResponse, WebError> {
    let method = proof.factor.method;
    match sign_in::second_factor(state, &c.pending, &c.track, proof).await? {
        Ok(done) => login_flow::finish(state, req, session, &c.pending, &c.user, done).await,
        Err(SecondStepRefusal::AlreadyCompleted) => Err(WebError::BadRequest(
            "This sign-in was already completed. Go back to the application.".into(),
        )),
        Err(SecondStepRefusal::Refused(refusal)) => {
            audit::record(
                state,
                req,
                Audit::sign_in_failure(method, "second step", &format!("refused: {refusal:?}"))
                    .user(&c.user.id)
                    .client(&c.pending.request.client_id),
            )
            .await;
            Err(WebError::BadRequest(
                "That cannot complete this sign-in. Go back and use one of your own second factors."
                    .into(),
            ))
        }
    }
}

/// The verified second factor a client names for the track of `c` — the JSON verification
/// service's MULTIFACTOR (or, during enrollment, SETUP) status — consumed once and turned into
/// the proof [`complete`] hands to the sign-in core. `None` when it is not bound to this track:
/// another request, another alias (`sub`), another method, not verified, or used. The one check
/// for every endpoint that finishes a second step with a `status_id`.
pub async fn verified_second_factor(
    state: &AppState,
    c: &Continuation,
    status_id: &str,
    alias: &str,
    method: Option<Method>,
) -> Result<Option<Proof>, WebError> {
    let lookup = status_id.to_owned();
    let Some(v) = state
        .store
        .run(move |conn| store::verifications::find_by_status(conn, &lookup))
        .await?
    else {
        return Ok(None);
    };
    let bound = v.state == State::Verified
        && matches!(
            v.usage_type,
            UsageType::MultifactorAuthentication | UsageType::Setup
        )
        && v.alias == c.track.alias
        && alias == c.track.alias
        && v.request_id.as_deref() == Some(c.pending.id.as_str())
        && Some(v.method) == method;
    let Some(user_id) = v.user_id.clone().filter(|_| bound) else {
        return Ok(None);
    };
    let (status_id, now) = (v.status_id.clone(), state.now());
    if !state
        .store
        .run(move |conn| store::verifications::consume(conn, &status_id, now))
        .await?
    {
        return Ok(None);
    }
    // A passkey proves what its assertion showed; every other method just itself.
    Ok(crate::flows::passkeys::verified_proof(state, &v, &user_id, now).await?)
}

/// What `POST /login-srv/precheck/continue/{track_id}` takes, as a form or JSON: the full
/// API.md form, or — as the JS SDK's `mfaContinue` sends it — only `track_id`.
#[derive(Deserialize)]
pub struct ContinueForm {
    track_id: Option<String>,
    status_id: Option<String>,
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    sub: Option<String>,
    q: Option<String>,
    #[serde(rename = "verificationType")]
    verification_type: Option<String>,
}

/// `POST /login-srv/precheck/continue/{track_id}`: finishes a login whose second factor was
/// verified through the JSON verification service (usage MULTIFACTOR_AUTHENTICATION). With
/// only the track named, the verified second factor of that track (its alias, its request) is
/// the one used.
pub async fn precheck_continue(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    form: Either<web::Json<ContinueForm>, web::Form<ContinueForm>>,
) -> Result<HttpResponse, WebError> {
    let form = match form {
        Either::Left(json) => json.into_inner(),
        Either::Right(form) => form.into_inner(),
    };
    let track_id = path.into_inner();
    let refused = || {
        WebError::BadRequest(
            "The second factor was not verified for this sign-in. Go back and try again.".into(),
        )
    };
    if form.track_id.as_deref().is_some_and(|t| t != track_id) {
        return Err(refused());
    }
    let request_id = match form.request_id.clone() {
        Some(id) => id,
        None => {
            let id = track_id.clone();
            state
                .store
                .run(move |conn| store::tracks::find_track(conn, &id))
                .await?
                .map(|t| t.request_id)
                .unwrap_or_default()
        }
    };
    // Posted by a custom login UI, possibly from another site without our cookie: the track
    // and its verified second factor are the proof (see `pending_for_proof`).
    let pending = login_flow::pending_for_proof(&state, &req, &request_id).await?;
    let c = continue_track(&state, pending, &track_id).await?;
    let (status_id, alias, method) = match form.status_id.clone() {
        Some(status_id) => (
            status_id,
            form.sub.or(form.q).unwrap_or_default(),
            form.verification_type
                .and_then(|t| t.parse::<Method>().ok()),
        ),
        None => {
            let (alias, request) = (c.track.alias.clone(), c.pending.id.clone());
            let v = state
                .store
                .run(move |conn| {
                    store::verifications::find_verified_for_alias(conn, &alias, &request)
                })
                .await?
                .ok_or_else(refused)?;
            (v.status_id, c.track.alias.clone(), Some(v.method))
        }
    };
    let proof = verified_second_factor(&state, &c, &status_id, &alias, method)
        .await?
        .ok_or_else(refused)?;
    complete(&state, &req, &session, &c, proof).await
}

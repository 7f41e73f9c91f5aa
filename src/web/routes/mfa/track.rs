//! The login track between the first and the second factor: which browser may continue it, and
//! how it completes — on the hosted page, or after the JSON verification service (precheck).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
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
use crate::web::login_flow::{self, pending_for_browser, require_browser};

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

#[derive(Deserialize)]
pub struct ContinueForm {
    status_id: String,
    #[serde(rename = "requestId")]
    request_id: String,
    sub: Option<String>,
    q: Option<String>,
    #[serde(rename = "verificationType")]
    verification_type: String,
}

/// `POST /login-srv/precheck/continue/{track_id}`: finishes a login whose second factor was
/// verified through the JSON verification service (usage MULTIFACTOR_AUTHENTICATION).
pub async fn precheck_continue(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    path: web::Path<String>,
    form: web::Form<ContinueForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = require_browser(&state, &req)?;
    let c = continuation(&state, &browser, &path.into_inner(), &form.request_id).await?;
    let refused = || {
        WebError::BadRequest(
            "The second factor was not verified for this sign-in. Go back and try again.".into(),
        )
    };
    let status_id = form.status_id.clone();
    let v = state
        .store
        .run(move |conn| store::verifications::find_by_status(conn, &status_id))
        .await?
        .ok_or_else(refused)?;
    let alias = form.sub.as_deref().or(form.q.as_deref()).unwrap_or("");
    let method = form.verification_type.parse::<Method>().ok();
    let bound = v.state == State::Verified
        && matches!(
            v.usage_type,
            UsageType::MultifactorAuthentication | UsageType::Setup
        )
        && v.alias == c.track.alias
        && alias == c.track.alias
        && v.request_id.as_deref() == Some(c.pending.id.as_str())
        && Some(v.method) == method;
    let Some(user_id) = v.user_id.as_deref().filter(|_| bound) else {
        return Err(refused());
    };
    let (status_id, now) = (v.status_id.clone(), state.now());
    if !state
        .store
        .run(move |conn| store::verifications::consume(conn, &status_id, now))
        .await?
    {
        return Err(refused());
    }
    let proof = Proof::new(user_id, v.method, now);
    complete(&state, &req, &session, &c, proof).await
}

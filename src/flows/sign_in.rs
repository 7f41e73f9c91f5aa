//! Signing in, for every adapter: a factor checked by another flow (password, TOTP, code,
//! backup code) is handed here as a [`Proof`]; the sign-in state machine
//! ([`crate::domain::sign_in`]) says what comes next, and this flow keeps the sign-in between
//! requests (a login track) when a second step is due. Only [`Step::Complete`] carries the
//! [`Completion`] that issuing a code needs.

use super::audit::{self, Audit};
use super::factors::{self, ClientRules};
use super::{AppState, FlowError, RequestMeta, issue};
use crate::domain::oauth::authorize::{AuthorizationRequest, ResponseType};
use crate::domain::oauth::pending::PendingRequest;
use crate::domain::oauth::redirect::AuthorizationResponse;
use crate::domain::sign_in::{
    Completion, EnrollTicket, Factor, FromSession, Next, Proof, Refusal, Requirement, SignIn,
    asks_two_factors,
};
use crate::domain::user::User;
use crate::domain::verification::{LoginTrack, Method, TRACK_TTL};
use crate::store;

/// Where a sign-in goes after a step.
#[derive(Debug)]
pub enum Step {
    /// Done: answer the application with this.
    Complete(Completion),
    /// A second step is due on this track (a second factor, or enrolling one).
    Continue(LoginTrack),
    /// Two factors are needed and they start with the password.
    PasswordFirst,
    /// Two factors were asked for and this user cannot give them here.
    Unmet,
}

/// What the request's application (and its `acr_values`) asks of a sign-in.
pub async fn requirement(
    state: &AppState,
    request: &AuthorizationRequest,
) -> Result<(Requirement, ClientRules), FlowError> {
    let rules = factors::client_rules(state, &request.client_id).await?;
    let req = Requirement {
        policy: rules.mfa_policy,
        allowed: rules.methods.clone(),
        two_factors_asked: asks_two_factors(request.acr_values.as_deref()),
    };
    Ok((req, rules))
}

/// After a first factor for `pending`: complete, or open a track for the second step.
pub async fn first_factor(
    state: &AppState,
    pending: &PendingRequest,
    user: &User,
    method: Method,
) -> Result<Result<Step, Refusal>, FlowError> {
    first_proof(
        state,
        pending,
        user,
        Proof::new(&user.id, method, state.now()),
    )
    .await
}

/// [`first_factor`] with the proof a flow made (a passkey's carries what its assertion showed).
pub async fn first_proof(
    state: &AppState,
    pending: &PendingRequest,
    user: &User,
    proof: Proof,
) -> Result<Result<Step, Refusal>, FlowError> {
    let (req, rules) = requirement(state, &pending.request).await?;
    let sign_in = match SignIn::start(proof, &req) {
        Ok(sign_in) => sign_in,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let has_second = has_second_if_it_matters(state, &sign_in, &req, user, &rules).await?;
    Ok(Ok(match sign_in.next(&req, has_second) {
        Next::Complete(done) => Step::Complete(done),
        Next::SecondFactor | Next::Enroll(_) => {
            Step::Continue(open_track(state, pending, &sign_in).await?)
        }
        Next::PasswordFirst => Step::PasswordFirst,
        Next::Unmet => Step::Unmet,
    }))
}

/// Whether `user` has a second factor `rules` allow, when what comes after `sign_in` depends on
/// it; `false` (without reading the factors) when it does not.
async fn has_second_if_it_matters(
    state: &AppState,
    sign_in: &SignIn,
    req: &Requirement,
    user: &User,
    rules: &ClientRules,
) -> Result<bool, FlowError> {
    if !sign_in.next_depends_on_factors(req) {
        return Ok(false);
    }
    factors::has_second_factor(state, user, rules).await
}

/// The sign-in a track keeps. Tracks are opened only after a password ([`open_track`]); a
/// track that says otherwise continues nothing.
fn resume(track: &LoginTrack) -> Option<SignIn> {
    (track.amr == [Method::Password.amr()]).then(|| {
        SignIn::resume(
            &track.user_id,
            Factor::new(Method::Password, track.created_at),
        )
    })
}

/// What a track waits for: `None` when its user has a second factor to give, the ticket to
/// enroll one when they must set one up now.
pub async fn enrollment_ticket(
    state: &AppState,
    pending: &PendingRequest,
    track: &LoginTrack,
    user: &User,
) -> Result<Option<EnrollTicket>, FlowError> {
    let (req, rules) = requirement(state, &pending.request).await?;
    let has_second = factors::has_second_factor(state, user, &rules).await?;
    Ok(match resume(track).map(|s| s.next(&req, has_second)) {
        Some(Next::Enroll(ticket)) if ticket.user_id() == user.id => Some(ticket),
        _ => None,
    })
}

/// A second factor for the sign-in on `track` (already checked to belong to `pending` and to
/// this browser): the proof must be the track user's and a second-factor method. Completes the
/// track once; a second completion is refused.
pub async fn second_factor(
    state: &AppState,
    pending: &PendingRequest,
    track: &LoginTrack,
    proof: Proof,
) -> Result<Result<Completion, SecondStepRefusal>, FlowError> {
    let (req, _) = requirement(state, &pending.request).await?;
    let Some(mut sign_in) = resume(track) else {
        return Ok(Err(SecondStepRefusal::Refused(Refusal::NotASecondFactor)));
    };
    if let Err(refusal) = sign_in.add_second(proof, &req) {
        return Ok(Err(SecondStepRefusal::Refused(refusal)));
    }
    let Next::Complete(done) = sign_in.next(&req, true) else {
        return Ok(Err(SecondStepRefusal::Refused(Refusal::NotASecondFactor)));
    };
    let (id, now) = (track.id.clone(), state.now());
    if !state
        .store
        .run(move |c| store::tracks::complete_track(c, &id, now))
        .await?
    {
        return Ok(Err(SecondStepRefusal::AlreadyCompleted));
    }
    Ok(Ok(done))
}

/// Why a second step did not complete a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondStepRefusal {
    Refused(Refusal),
    /// The track was completed already (a double submit, or a replay).
    AlreadyCompleted,
}

/// Opens the track a second step continues (lives [`TRACK_TTL`]).
async fn open_track(
    state: &AppState,
    pending: &PendingRequest,
    sign_in: &SignIn,
) -> Result<LoginTrack, FlowError> {
    let now = state.now();
    let track = LoginTrack {
        id: uuid::Uuid::new_v4().to_string(),
        request_id: pending.id.clone(),
        user_id: sign_in.user_id().to_owned(),
        alias: uuid::Uuid::new_v4().to_string(),
        amr: vec![Method::Password.amr().to_owned()],
        created_at: now,
        expires_at: now + TRACK_TTL,
        completed_at: None,
    };
    let row = track.clone();
    state
        .store
        .run(move |c| store::tracks::insert_track(c, &row))
        .await?;
    Ok(track)
}

/// A browser session offered to a new authorization request (see
/// [`crate::domain::sign_in::from_session`]): reused when it meets the request's requirement,
/// continued with only the missing second factor (step-up), or not at all.
pub async fn from_session(
    state: &AppState,
    request: &AuthorizationRequest,
    user: &User,
    amr: &[String],
    auth_time: i64,
) -> Result<FromSession, FlowError> {
    let (req, rules) = requirement(state, request).await?;
    let has_second = factors::has_second_factor(state, user, &rules).await?;
    Ok(crate::domain::sign_in::from_session(
        &user.id, amr, auth_time, &req, has_second,
    ))
}

/// Continues `sign_in` (a session's password, see [`from_session`]) for `pending`: opens the
/// track its second factor is taken on.
pub async fn continue_session(
    state: &AppState,
    pending: &PendingRequest,
    sign_in: &SignIn,
) -> Result<LoginTrack, FlowError> {
    open_track(state, pending, sign_in).await
}

/// Whether the track `track_id` may enroll a second factor now, for the JSON enrollment
/// endpoints that name a track instead of a session.
pub enum TrackEnrollment {
    /// No live track by that id (or its request or user is gone).
    Unknown,
    /// The sign-in continues with a factor the user already has: no enrollment.
    NotAllowed,
    Allowed {
        track: LoginTrack,
        user: Box<User>,
        ticket: EnrollTicket,
    },
}

pub async fn track_enrollment(
    state: &AppState,
    track_id: &str,
) -> Result<TrackEnrollment, FlowError> {
    let (id, now) = (track_id.to_owned(), state.now());
    let found = state
        .store
        .run(move |c| {
            let Some(track) = store::tracks::find_track(c, &id)?.filter(|t| t.is_live(now)) else {
                return Ok(None);
            };
            let pending =
                store::requests::find_request(c, &track.request_id)?.filter(|p| p.is_live(now));
            let user = store::users::find_user(c, &track.user_id)?.filter(User::can_sign_in);
            Ok(pending.zip(user).map(|(p, u)| (track, p, u)))
        })
        .await?;
    let Some((track, pending, user)) = found else {
        return Ok(TrackEnrollment::Unknown);
    };
    Ok(
        match enrollment_ticket(state, &pending, &track, &user).await? {
            Some(ticket) => TrackEnrollment::Allowed {
                track,
                user: Box::new(user),
                ticket,
            },
            None => TrackEnrollment::NotAllowed,
        },
    )
}

/// Whether a sign-in that ended with `amr` was the user's strongest way in at that moment: two
/// factors, or one when they had no second factor (with any method the installation offers),
/// given the user's factors as [`finish`] reads them. Kept with the browser session, so factors
/// added later in that session do not make it weak.
fn strongest_at_sign_in(
    state: &AppState,
    user: &User,
    amr: &[String],
    facts: factors::UserFactors,
) -> bool {
    let rules = factors::installation_rules(state);
    let has_second =
        factors::methods_from(state, Some(user), None, &rules, Some(facts)).has_second_factor();
    crate::domain::sign_in::is_strongest(amr, has_second)
}

/// What a browser session lacks for an action that needs the user's strongest way in (see
/// [`strongest_at_sign_in`]) within the last `max_age` seconds: the admin area and changes to
/// how an account signs in. `None` when it has enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepUp {
    /// Sign in with two factors (`acr_values=2`): the user has a second factor.
    pub two_factors: bool,
}

/// A browser session as [`step_up`] weighs it.
pub struct SessionSignIn<'a> {
    pub amr: &'a [String],
    pub auth_time: i64,
    /// [`strongest_at_sign_in`] as recorded at its sign-in; `None` for sessions from before
    /// it was recorded (weighed against the factors the user has now).
    pub strongest: Option<bool>,
}

pub async fn step_up(
    state: &AppState,
    user: &User,
    session: SessionSignIn<'_>,
    max_age: i64,
) -> Result<Option<StepUp>, FlowError> {
    let has_second =
        factors::has_second_factor(state, user, &factors::installation_rules(state)).await?;
    let strong = session
        .strongest
        .unwrap_or_else(|| crate::domain::sign_in::is_strongest(session.amr, has_second));
    let recent = state.now() - session.auth_time <= max_age;
    Ok((!strong || !recent).then_some(StepUp {
        two_factors: has_second,
    }))
}

/// A finished sign-in: the answer for the application, and what the browser session keeps.
pub struct Finished {
    pub response: AuthorizationResponse,
    /// Whether the sign-in was the user's strongest way in then, for the session.
    pub strongest: bool,
}

/// Finishes `pending` with `done`, which only the sign-in state machine hands out: marks the
/// request used (once — `None` when it already was), records the sign-in and issues what the
/// application asked for.
pub async fn finish(
    state: &AppState,
    meta: &RequestMeta,
    pending: &PendingRequest,
    user: &User,
    done: &Completion,
) -> Result<Option<Finished>, FlowError> {
    // Two factors are the strongest there is; otherwise it depends on the user's factors,
    // read in the same trip (only for a sign-in that completes).
    let weigh_factors = !crate::domain::sign_in::is_strongest(done.amr(), true);
    let (id, now, user_id) = (pending.id.clone(), state.now(), user.id.clone());
    let event = audit::stamped(
        state,
        meta,
        Audit::success(&format!("login.{}", done.amr().join("+")))
            .user(done.user_id())
            .client(&pending.request.client_id),
    );
    // Marking the request used, recording the sign-in and storing the code: one trip to the
    // database and one transaction, so the audit row commits with the state change it records.
    // (Implicit responses store their tokens afterwards; a transaction to approve comes between
    // the sign-in and the code, in `issue::authorization_response`.)
    let code = match pending.request.response_type {
        ResponseType::Code if pending.request.approval.is_none() => {
            Some(issue::new_code(state, &pending.request, user, done)?)
        }
        _ => None,
    };
    let (code, record) = match code {
        Some((code, record)) => (Some(code), Some(record)),
        None => (None, None),
    };
    let completed = state
        .store
        .run(move |c| {
            let completed = store::write_transaction(c, |c| {
                let completed = store::requests::complete_request(c, &id, now)?;
                if completed {
                    audit::write(c, &event);
                    if let Some(record) = &record {
                        store::grants::insert_code(c, record)?;
                    }
                }
                Ok(completed)
            })?;
            if !completed {
                return Ok(None);
            }
            let facts = if weigh_factors {
                Some(factors::UserFactors::load(c, &user_id)?)
            } else {
                None
            };
            Ok(Some(facts))
        })
        .await?;
    let Some(facts) = completed else {
        return Ok(None);
    };
    let strongest = match facts {
        None => true,
        Some(facts) => strongest_at_sign_in(state, user, done.amr(), facts),
    };
    let response = match code {
        Some(code) => issue::code_response(state, &pending.request, code),
        None => issue::authorization_response(state, meta, &pending.request, user, done).await?,
    };
    Ok(Some(Finished {
        response,
        strongest,
    }))
}

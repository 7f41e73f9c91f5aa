//! Transaction approvals: a client starts one for a user, the user approves it with a TOTP code
//! (or declines), and the client reads the outcome with its signed artifact. The same flow
//! serves the back-channel JSON start, the `authorization_details` of a browser redirect and
//! the hosted page.
//!
//! The code goes through [`totp_check`] (its lockout, replay and single-use rules), and the
//! change pending → approved is a conditional UPDATE, so one code approves one approval once
//! and of parallel attempts exactly one wins.

use serde_json::{Map, Value};

use super::audit::{self, Audit};
use super::totp_check::{self, Guesser, TotpOutcome};
use super::{AppState, FlowError, RequestMeta};
use crate::crypto::random_token;
use crate::domain::approval::{APPROVAL_TTL, Approval, ApprovalState, ArtifactClaims, data_hash};
use crate::domain::client::Client;
use crate::domain::oauth::authorization_details::resume_params;
use crate::domain::oauth::authorize::{AuthorizationRequest, Prompt};
use crate::domain::user::User;
use crate::store;

/// The result of a user's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecideOutcome {
    /// Approved: the artifact (stored with the approval too).
    Approved {
        artifact: String,
    },
    Declined,
    /// The approval was already decided, or expired, before this decision.
    NotPending(ApprovalState),
    /// The code was not accepted (wrong, replayed, locked, no authenticator): nothing changed.
    Code(TotpOutcome),
}

/// The path of the hosted page of approval `id`.
pub fn page_path(id: &str) -> String {
    format!("/approve/{id}")
}

/// Starts an approval by `client` for the user `sub`; it expires after [`APPROVAL_TTL`].
/// The caller has checked that the client may request approvals. `None` when no active user
/// has this `sub`.
pub async fn start(
    state: &AppState,
    meta: &RequestMeta,
    client: &Client,
    sub: &str,
    data: Map<String, Value>,
) -> Result<Option<Approval>, FlowError> {
    let lookup = sub.to_owned();
    let user = state
        .store
        .run(move |c| store::users::find_user(c, &lookup))
        .await?
        .filter(User::can_sign_in);
    let Some(user) = user else {
        return Ok(None);
    };
    let fresh = Fresh {
        // 256 random bits: unguessable, as it is in the page's URL and the status path.
        id: random_token(32),
        resume: None,
    };
    let approval = create(state, meta, &client.id, &user.id, data, fresh).await?;
    Ok(Some(approval))
}

/// The id of a new approval, and the authorization request it resumes, if any.
struct Fresh {
    id: String,
    resume: Option<String>,
}

async fn create(
    state: &AppState,
    meta: &RequestMeta,
    client_id: &str,
    user_id: &str,
    data: Map<String, Value>,
    fresh: Fresh,
) -> Result<Approval, FlowError> {
    let now = state.now();
    let approval = Approval {
        id: fresh.id,
        client_id: client_id.to_owned(),
        user_id: user_id.to_owned(),
        data_hash: data_hash(&data).map_err(|e| FlowError::Internal(e.into()))?,
        data,
        state: ApprovalState::Pending,
        created_at: now,
        expires_at: now + APPROVAL_TTL,
        decided_at: None,
        artifact: None,
        resume: fresh.resume,
    };
    let row = approval.clone();
    state
        .store
        .run(move |c| store::approvals::insert_approval(c, &row))
        .await?;
    audit::record(state, meta, event("approval.started", &approval)).await;
    Ok(approval)
}

/// What a completed sign-in whose authorization request carries a transaction approval
/// (`authorization_details`) may do now.
#[derive(Debug)]
pub enum Gate {
    /// Send the browser to this approval page first; it comes back to the request.
    Ask(String),
    /// Approved: issue the code with this approval attached.
    Approved(Approval),
    /// Declined or expired: the request ends with `access_denied`.
    Refused(ApprovalState),
    /// The user must answer on the page, but the request said `prompt=none` (OIDC Core
    /// §3.1.2.6: `interaction_required`).
    InteractionRequired,
}

/// The gate between a completed sign-in and its code: `None` when the request asks for no
/// approval. The approval a resumed request names counts only when it is this client's, this
/// user's and of the same data; otherwise a new one is started.
pub async fn gate(
    state: &AppState,
    meta: &RequestMeta,
    request: &AuthorizationRequest,
    user: &User,
) -> Result<Option<Gate>, FlowError> {
    let Some(ask) = &request.approval else {
        return Ok(None);
    };
    let ask_user = |page: String| {
        if request.prompt == Some(Prompt::None) {
            Gate::InteractionRequired
        } else {
            Gate::Ask(page)
        }
    };
    let hash = data_hash(&ask.data).map_err(|e| FlowError::Internal(e.into()))?;
    if let Some(id) = &ask.approval_id {
        let same = find(state, meta, id).await?.filter(|a| {
            a.client_id == request.client_id && a.user_id == user.id && a.data_hash == hash
        });
        if let Some(approval) = same {
            return Ok(Some(match approval.state {
                ApprovalState::Pending => ask_user(page_path(&approval.id)),
                ApprovalState::Approved => Gate::Approved(approval),
                refused => Gate::Refused(refused),
            }));
        }
    }
    if request.prompt == Some(Prompt::None) {
        return Ok(Some(Gate::InteractionRequired));
    }
    let id = random_token(32);
    let resume = serde_urlencoded::to_string(resume_params(request, &id))
        .map_err(|e| FlowError::Internal(e.into()))?;
    let fresh = Fresh {
        id,
        resume: Some(resume),
    };
    let approval = create(
        state,
        meta,
        &request.client_id,
        &user.id,
        ask.data.clone(),
        fresh,
    )
    .await?;
    Ok(Some(Gate::Ask(page_path(&approval.id))))
}

/// Attaches the code `code_hash` to `approval`; `false` when it already went into a code.
pub async fn attach_code(
    state: &AppState,
    approval: &Approval,
    code_hash: &str,
) -> Result<bool, FlowError> {
    let (id, hash) = (approval.id.clone(), code_hash.to_owned());
    Ok(state
        .store
        .run(move |c| store::approvals::attach_code(c, &id, &hash))
        .await?)
}

/// The approval `id` as its client sees it: `None` for an unknown id or another client's.
pub async fn status(
    state: &AppState,
    meta: &RequestMeta,
    client_id: &str,
    id: &str,
) -> Result<Option<Approval>, FlowError> {
    Ok(find(state, meta, id)
        .await?
        .filter(|a| a.client_id == client_id))
}

/// The approval `id`, marked expired first when its time is up.
pub async fn find(
    state: &AppState,
    meta: &RequestMeta,
    id: &str,
) -> Result<Option<Approval>, FlowError> {
    let lookup = id.to_owned();
    let Some(mut approval) = state
        .store
        .run(move |c| store::approvals::find_approval(c, &lookup))
        .await?
    else {
        return Ok(None);
    };
    let now = state.now();
    if approval.state == ApprovalState::Pending && approval.state_at(now) == ApprovalState::Expired
    {
        let id = approval.id.clone();
        if state
            .store
            .run(move |c| store::approvals::expire(c, &id, now))
            .await?
        {
            audit::record(state, meta, event("approval.expired", &approval)).await;
        }
        approval.state = ApprovalState::Expired;
    }
    Ok(Some(approval))
}

/// Approves `approval` for `user` with the authenticator `code`, guessed `by` a signed-in
/// user (the hosted page) or by whoever holds the approval id (the JSON verification service).
/// The caller has checked that `user` is the approval's user.
pub async fn approve(
    state: &AppState,
    meta: &RequestMeta,
    approval: &Approval,
    user: &User,
    code: &str,
    by: Guesser,
) -> Result<DecideOutcome, FlowError> {
    let now = state.now();
    if approval.state_at(now) != ApprovalState::Pending {
        return Ok(DecideOutcome::NotPending(approval.state_at(now)));
    }
    match totp_check::check(state, Some(&user.id), None, code, by).await? {
        TotpOutcome::Accepted { .. } => {}
        refused => {
            let why = format!("{refused:?}");
            let failed = Audit::failure("approval.approved")
                .user(&approval.user_id)
                .client(&approval.client_id)
                .actor(&user.id)
                .detail(format!("{}: code {why}", describe(approval)));
            audit::record(state, meta, failed).await;
            return Ok(DecideOutcome::Code(refused));
        }
    }
    // Signed before the conditional UPDATE so the row gets its artifact in the same statement;
    // a lost race simply throws this one away.
    let now = state.now();
    let claims = ArtifactClaims::new(&state.issuer, approval, now);
    let artifact = state
        .keys
        .sign(&claims)
        .map_err(|e| FlowError::Internal(e.into()))?;
    let decision = Decision {
        to: ApprovalState::Approved,
        artifact: Some(artifact),
        now,
    };
    conclude(state, meta, approval, user, decision).await
}

/// Declines `approval` for `user` (no code needed: saying no is never risky).
pub async fn decline(
    state: &AppState,
    meta: &RequestMeta,
    approval: &Approval,
    user: &User,
) -> Result<DecideOutcome, FlowError> {
    let decision = Decision {
        to: ApprovalState::Declined,
        artifact: None,
        now: state.now(),
    };
    conclude(state, meta, approval, user, decision).await
}

/// A final state for a pending approval.
struct Decision {
    to: ApprovalState,
    artifact: Option<String>,
    now: i64,
}

/// Writes `decision` if the approval is still pending (one conditional UPDATE: of concurrent
/// decisions exactly one wins) and audits it; a loser learns the state it lost to.
async fn conclude(
    state: &AppState,
    meta: &RequestMeta,
    approval: &Approval,
    user: &User,
    decision: Decision,
) -> Result<DecideOutcome, FlowError> {
    let id = approval.id.clone();
    let Decision { to, artifact, now } = decision;
    let stored = artifact.clone();
    let won = state
        .store
        .run(move |c| store::approvals::decide(c, &id, to, stored.as_deref(), now))
        .await?;
    if !won {
        return Ok(DecideOutcome::NotPending(
            settled(state, meta, approval).await?,
        ));
    }
    let action = format!("approval.{to}");
    audit::record(state, meta, event(&action, approval).actor(&user.id)).await;
    Ok(match artifact {
        Some(artifact) if to == ApprovalState::Approved => DecideOutcome::Approved { artifact },
        _ => DecideOutcome::Declined,
    })
}

/// The state of an approval a decision just lost on.
async fn settled(
    state: &AppState,
    meta: &RequestMeta,
    approval: &Approval,
) -> Result<ApprovalState, FlowError> {
    Ok(find(state, meta, &approval.id)
        .await?
        .map_or(ApprovalState::Expired, |a| a.state))
}

fn describe(approval: &Approval) -> String {
    format!("approval {} data_hash {}", approval.id, approval.data_hash)
}

/// An audit event about `approval`, with the hash of its data (never the data itself: it may
/// hold personal details the audit log does not need).
fn event(action: &str, approval: &Approval) -> Audit {
    Audit::success(action)
        .user(&approval.user_id)
        .client(&approval.client_id)
        .detail(describe(approval))
}

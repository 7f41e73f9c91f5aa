//! The hosted approval page, `/approve/{id}`: the user the approval was started for sees every
//! field of its data (as text, escaped by askama) and approves with an authenticator code, or
//! declines. Anyone else signed in is refused without seeing the data; a visitor who is not
//! signed in goes through the hosted login and comes back here (`Landing::for_page`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::approval::{Approval, ApprovalState, DataLine, data_lines};
use crate::flows::AppState;
use crate::flows::approvals::{self, DecideOutcome, page_path};
use crate::flows::totp_check::{Guesser, TotpOutcome};
use crate::web::audit::meta;
use crate::web::brand::{self as branding, Brand};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, SignedIn};
use crate::web::hosted::{MAX_CODE_CHARS, app_name, html, see_other};
use crate::web::words;

#[derive(Template)]
#[template(path = "approval/approval.html")]
struct ApprovalPage {
    tr: crate::i18n::Tr,
    brand: Option<Brand>,
    id: String,
    app_name: String,
    lines: Vec<DataLine>,
    data_hash: String,
    state: String,
    pending: bool,
    expires_at: String,
    csrf_token: String,
    notice: Option<String>,
    error: Option<String>,
    /// Back to the application, for an approval asked for on its authorization request.
    resume: Option<String>,
}

#[derive(Deserialize)]
pub struct DecideForm {
    decision: Option<String>,
    pass_code: Option<String>,
}

/// The approval `id` when it is `user`'s; a 404 or 403 page otherwise, the same whether the id
/// is unknown or another user's data would be shown, so the page leaks nothing.
async fn own_approval(
    state: &AppState,
    req: &HttpRequest,
    id: &str,
    user: &SignedIn,
) -> Result<Approval, WebError> {
    match approvals::find(state, &meta(req), id).await? {
        Some(a) if a.user_id == user.id => Ok(a),
        _ => Err(WebError::Forbidden(
            "This approval is not for the account you are signed in with, or it does not exist. If it was sent to you, sign out and open the link again."
                .into(),
        )),
    }
}

/// `GET /approve/{id}`.
pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    let approval = own_approval(&state, &req, &path, &user).await?;
    render(&state, &user, &approval, None, StatusCode::OK).await
}

/// `POST /approve/{id}`: `decision=approve` with `pass_code`, or `decision=decline`.
pub async fn decide(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: Csrf<DecideForm>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    let approval = own_approval(&state, &req, &path, &user).await?;
    let outcome = match form.decision.as_deref() {
        Some("decline") => approvals::decline(&state, &meta(&req), &approval, &user).await?,
        Some("approve") => {
            let code: String = form
                .pass_code
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if code.is_empty() || code.len() > MAX_CODE_CHARS {
                let error = Some(user.tr().t("err-approval-enter-code"));
                return render(
                    &state,
                    &user,
                    &approval,
                    error,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            approvals::approve(
                &state,
                &meta(&req),
                &approval,
                &user,
                &code,
                // The user is signed in: a wrong guess counts towards every lockout tier.
                Guesser::Proven,
            )
            .await?
        }
        _ => return Err(WebError::BadRequest("Choose Approve or Decline.".into())),
    };
    let error = match outcome {
        // The page, fetched again, shows the outcome (303: a reload does not post again); an
        // approval asked for on an authorization request continues that request instead.
        DecideOutcome::Approved { .. } | DecideOutcome::Declined => {
            return Ok(see_other(after_decision(&approval)));
        }
        DecideOutcome::NotPending(_) if approval.resume.is_some() => {
            return Ok(see_other(after_decision(&approval)));
        }
        // Decided (or expired) before this answer: 409 with the page as it now stands.
        DecideOutcome::NotPending(_) => {
            let now = approvals::find(&state, &meta(&req), &approval.id).await?;
            let current = now.as_ref().unwrap_or(&approval);
            return render(&state, &user, current, None, StatusCode::CONFLICT).await;
        }
        DecideOutcome::Code(TotpOutcome::Locked { until }) => words::totp_locked(&user.tr(), until),
        DecideOutcome::Code(TotpOutcome::Replayed) => user.tr().t("err-approval-replayed"),
        DecideOutcome::Code(TotpOutcome::NoAuthenticator) => {
            user.tr().t("err-approval-no-authenticator")
        }
        DecideOutcome::Code(_) => user.tr().t("err-approval-wrong"),
    };
    render(
        &state,
        &user,
        &approval,
        Some(error),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// Where the browser goes once `approval` is decided: back to the authorization request it
/// was asked for on (the endpoint answers with the code, or `access_denied`), or to its page.
fn after_decision(approval: &Approval) -> String {
    match &approval.resume {
        Some(query) => format!("/authz-srv/authz?{query}"),
        None => page_path(&approval.id),
    }
}

async fn render(
    state: &AppState,
    user: &SignedIn,
    approval: &Approval,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let current = approval.state_at(state.now());
    let tr = user.tr();
    let page = ApprovalPage {
        brand: branding::for_client(state, &approval.client_id).await?,
        id: approval.id.clone(),
        app_name: app_name(state, Some(&approval.client_id)).await?,
        lines: data_lines(&approval.data),
        data_hash: approval.data_hash.clone(),
        state: tr.t(&format!("approval-state-{}", current.as_str())),
        pending: current == ApprovalState::Pending,
        expires_at: words::utc(approval.expires_at),
        csrf_token: user.csrf_token(state),
        notice: match current {
            ApprovalState::Pending => None,
            done => Some(tr.t(&format!("approval-notice-{}", done.as_str()))),
        },
        tr,
        error,
        resume: approval.resume.as_ref().map(|_| after_decision(approval)),
    };
    html(state, &user.browser, &page, status)
}

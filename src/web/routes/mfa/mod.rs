//! The second factor after a password (API.md §3 `/mfa`, §4 precheck): the hosted page asks for a
//! code (or, when the client requires two factors and the user has none, enrolls a TOTP first);
//! JSON clients verify through the verification service and continue with the track.

mod setup;
mod track;

use setup::new_setup;
pub use setup::{SetupView, existing_setup};
pub use track::{
    Continuation, complete, continuation, continue_track, precheck_continue, verified_second_factor,
};

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::sign_in::Proof;
use crate::domain::verification::Method;
use crate::flows::AppState;
use crate::flows::backup_codes;
use crate::flows::factors::{self, Methods};
use crate::flows::sign_in;
use crate::flows::totp_check::{self, TotpOutcome};
use crate::flows::totp_enrollment::{self as enroll, Confirmation};
use crate::i18n::Tr;
use crate::web::audit::{self, Audit};
use crate::web::brand::{self as branding, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::login_flow::{form_browser, require_browser};
use crate::web::routes::code_login::send_problem;

#[derive(Template)]
#[template(path = "mfa/mfa.html")]
struct MfaPage {
    tr: Tr,
    brand: Option<Brand>,
    /// The user has a passkey: "Use a passkey instead".
    passkey: bool,
    track_id: String,
    request_id: String,
    csrf_token: String,
    setup: Option<SetupView>,
    /// Ask for a backup code instead of an app code.
    backup: bool,
    /// Offer the switch to a backup code.
    offer_backup: bool,
    /// Only code channels: choose one (no authenticator app code form).
    choose: bool,
    /// The masked number to offer "text me a code" for, and whether push devices exist.
    sms_to: Option<String>,
    push: bool,
    /// The shared code choices: no email code and no typed name for a second factor.
    email_code: bool,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct MfaQuery {
    track_id: String,
    /// `backupcode` to use a backup code instead of the app.
    method: Option<String>,
    #[serde(rename = "requestId")]
    request_id: String,
    /// Why a code could not be sent (from `/login/code/send`).
    error: Option<String>,
}

pub async fn mfa_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<MfaQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = require_browser(&state, &req)?;
    let c = continuation(&state, &browser, &query.track_id, &query.request_id).await?;
    let tr = lang.for_request(&c.pending);
    let methods = second_factors(&state, &c).await?;
    let wants_backup = query.method.as_deref() == Some("backupcode");
    let error = send_problem(&tr, query.error.as_deref());
    let form = if methods.backup_codes && wants_backup {
        Form::Backup
    } else if !methods.totp.is_empty() {
        Form::Code
    } else if methods.sms.is_some() || !methods.push.is_empty() {
        Form::Choose
    } else if methods.backup_codes {
        Form::Backup
    } else if methods.passkeys > 0 {
        // A passkey is the only second factor: its own page (the ceremony needs a script).
        return Ok(crate::web::hosted::found(&format!(
            "/mfa/passkey?track_id={}&requestId={}",
            c.track.id, c.pending.id
        )));
    } else if sign_in::enrollment_ticket(&state, &c.pending, &c.track, &c.user)
        .await?
        .is_some()
    {
        Form::Setup(new_setup(&state, &c.user).await?)
    } else {
        return Err(WebError::BadRequest(
            "This account has no second factor this application accepts. Go back to the application and sign in again.".into(),
        ));
    };
    render(&tr, &state, &browser, &c, form, error).await
}

/// Where a failed second step happened, for the audit trail.
const SECOND_STEP: &str = "second step";

/// Which form the /mfa page shows.
enum Form {
    /// A code from an enrolled authenticator app.
    Code,
    /// One of the user's backup codes.
    Backup,
    /// Set up an authenticator app first (the client requires two factors).
    Setup(SetupView),
    /// Choose a code by SMS or push (the user has no authenticator app).
    Choose,
}

/// The second factors the track's user has and the application allows.
async fn second_factors(state: &AppState, c: &Continuation) -> Result<Methods, WebError> {
    Ok(factors::methods(state, Some(&c.user), None, &c.rules).await?)
}

async fn render(
    tr: &Tr,
    state: &AppState,
    browser: &Browser,
    c: &Continuation,
    form: Form,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    let methods = second_factors(state, c).await?;
    let offer_backup = matches!(form, Form::Code | Form::Choose) && methods.backup_codes;
    let (sms_to, push) = (methods.sms, !methods.push.is_empty());
    let page = MfaPage {
        tr: tr.clone(),
        brand: branding::for_client(state, &c.pending.request.client_id).await?,
        passkey: methods.passkeys > 0,
        choose: matches!(form, Form::Choose),
        email_code: false,
        username: String::new(),
        sms_to,
        push,
        track_id: c.track.id.clone(),
        request_id: c.pending.id.clone(),
        csrf_token: browser.csrf_token(state),
        backup: matches!(form, Form::Backup),
        setup: match form {
            Form::Setup(setup) => Some(setup),
            _ => None,
        },
        offer_backup,
        error,
    };
    let html = page.render().map_err(|e| WebError::Internal(e.into()))?;
    let status = if page_has_error(&html) {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

fn page_has_error(html: &str) -> bool {
    html.contains("role=\"alert\"")
}

#[derive(Deserialize)]
pub struct MfaForm {
    track_id: String,
    #[serde(rename = "requestId")]
    request_id: String,
    csrf_token: Option<String>,
    pass_code: Option<String>,
    exchange_id: Option<String>,
    /// `backupcode` when a backup code is submitted.
    method: Option<String>,
}

/// `POST /mfa`: a code from an enrolled authenticator, or the code confirming a new one.
pub async fn mfa_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<MfaForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let c = continuation(&state, &browser, &form.track_id, &form.request_id).await?;
    let tr = lang.for_request(&c.pending);
    let code = form.pass_code.unwrap_or_default();

    if form.method.as_deref() == Some("backupcode") {
        if !c.rules.allows(Method::BackupCode) {
            return Err(not_allowed());
        }
        if backup_codes::redeem(&state, &c.user.id, &code).await? {
            let proof = Proof::new(&c.user.id, Method::BackupCode, state.now());
            return complete(&state, &req, &session, &c, proof).await;
        }
        audit::record(
            &state,
            &req,
            Audit::sign_in_failure(Method::BackupCode, SECOND_STEP, "wrong or used code")
                .user(&c.user.id)
                .client(&c.pending.request.client_id),
        )
        .await;
        let message = tr.t("err-backup-wrong");
        return render(&tr, &state, &browser, &c, Form::Backup, Some(message)).await;
    }

    if let Some(exchange_id) = form.exchange_id.filter(|e| !e.is_empty()) {
        // Only a sign-in the state machine sends to enrollment may set up a factor here: a
        // user who has one continues with it (and `single_override` must not replace it).
        if sign_in::enrollment_ticket(&state, &c.pending, &c.track, &c.user)
            .await?
            .is_none()
        {
            return Err(not_allowed());
        }
        return match enroll::confirm_enrollment(&state, &c.user, &exchange_id, &code, None).await? {
            Confirmation::Enrolled(enrolled) => {
                let a = &enrolled.0;
                audit::record(
                    &state,
                    &req,
                    Audit::success("totp.enroll")
                        .user(&c.user.id)
                        .detail(format!("authenticator {} during login", a.id)),
                )
                .await;
                let proof = Proof::new(&c.user.id, Method::Totp, state.now());
                complete(&state, &req, &session, &c, proof).await
            }
            Confirmation::WrongCode => {
                let form = match existing_setup(&state, &exchange_id).await? {
                    Some(setup) => Form::Setup(setup),
                    None => Form::Setup(new_setup(&state, &c.user).await?),
                };
                let message = tr.t("err-app-code-wrong");
                render(&tr, &state, &browser, &c, form, Some(message)).await
            }
            Confirmation::Expired => {
                let form = Form::Setup(new_setup(&state, &c.user).await?);
                let message = tr.t("err-setup-expired");
                render(&tr, &state, &browser, &c, form, Some(message)).await
            }
        };
    }
    if !c.rules.allows(Method::Totp) {
        return Err(not_allowed());
    }
    match totp_check::check(
        &state,
        Some(&c.user.id),
        None,
        &code,
        totp_check::Guesser::Proven,
    )
    .await?
    {
        TotpOutcome::Accepted { .. } => {
            let proof = Proof::new(&c.user.id, Method::Totp, state.now());
            complete(&state, &req, &session, &c, proof).await
        }
        TotpOutcome::Locked { until } => {
            let message = crate::web::words::totp_locked(&tr, until);
            render(&tr, &state, &browser, &c, Form::Code, Some(message)).await
        }
        _ => {
            audit::record(
                &state,
                &req,
                Audit::sign_in_failure(Method::Totp, SECOND_STEP, "wrong code")
                    .user(&c.user.id)
                    .client(&c.pending.request.client_id),
            )
            .await;
            let message = tr.t("err-totp-wrong");
            render(&tr, &state, &browser, &c, Form::Code, Some(message)).await
        }
    }
}

/// A second step the application does not allow (the page never offers it).
fn not_allowed() -> WebError {
    WebError::BadRequest(
        "This application does not allow that way of signing in. Go back and choose another."
            .into(),
    )
}

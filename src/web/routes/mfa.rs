//! The second factor after a password (API.md §3 `/mfa`, §4 precheck): the hosted page asks for a
//! code (or, when the client requires two factors and the user has none, enrolls a TOTP first);
//! JSON clients verify through the verification service and continue with the track.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::one_time_code::{Channel, mask_phone};
use crate::domain::user::User;
use crate::domain::verification::{LoginTrack, Method, State, UsageType};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::factors::ClientRules;
use crate::web::login_flow::{self, form_browser, pending_for_browser, require_browser};
use crate::web::routes::code_login::send_problem;
use crate::web::routes::enroll::{self, Confirmation, EnrollRefusal};
use crate::web::state::AppState;
use crate::web::totp_check::{self, TotpOutcome, locked_message};
use crate::web::{backup_codes, browser::Browser, codes, factors, qr};

/// The QR code, secret and form of an enrollment in progress.
pub struct SetupView {
    pub exchange_id: String,
    pub qr_svg: String,
    pub secret_grouped: String,
    pub uri: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "mfa/mfa.html")]
struct MfaPage {
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
) -> Result<HttpResponse, WebError> {
    let browser = require_browser(&state, &req)?;
    let c = continuation(&state, &browser, &query.track_id, &query.request_id).await?;
    let has_totp = c.rules.allows(Method::Totp) && factors::has_totp(&state, &c.user.id).await?;
    let has_backup = has_backup_codes(&state, &c).await?;
    let wants_backup = query.method.as_deref() == Some("backupcode");
    let channels = code_channels(&state, &c).await?;
    let error = send_problem(query.error.as_deref());
    let form = if has_backup && wants_backup {
        Form::Backup
    } else if has_totp {
        Form::Code
    } else if channels.0.is_some() || channels.1 {
        Form::Choose
    } else if has_backup {
        Form::Backup
    } else {
        Form::Setup(new_setup(&state, &c.user).await?)
    };
    render(&state, &browser, &c, form, error).await
}

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

/// The code channels this user can receive a second factor on, as far as the application
/// allows them: (masked SMS number, push).
async fn code_channels(
    state: &AppState,
    c: &Continuation,
) -> Result<(Option<String>, bool), WebError> {
    let sms = c
        .user
        .sms_number()
        .filter(|_| c.rules.allows(Method::Sms) && codes::channel_enabled(state, Channel::Sms))
        .map(mask_phone);
    let push = c.rules.allows(Method::Push)
        && codes::channel_enabled(state, Channel::Push)
        && factors::has_push_device(state, &c.user.id).await?;
    Ok((sms, push))
}

/// Whether the user has unused backup codes and the application allows them.
async fn has_backup_codes(state: &AppState, c: &Continuation) -> Result<bool, WebError> {
    Ok(c.rules.allows(Method::BackupCode) && backup_codes::remaining(state, &c.user.id).await? > 0)
}

async fn new_setup(state: &AppState, user: &User) -> Result<SetupView, WebError> {
    match enroll::start_enrollment(state, user, None, None).await? {
        Ok(e) => Ok(SetupView {
            qr_svg: qr::svg(&e.uri).unwrap_or_default(),
            secret_grouped: crate::domain::totp::grouped(&e.secret_base32),
            uri: e.uri,
            label: e.label,
            exchange_id: e.verification.exchange_id,
        }),
        Err(EnrollRefusal::LimitReached(_)) => Err(WebError::BadRequest(
            "No more authenticators can be added to this account.".into(),
        )),
    }
}

async fn render(
    state: &AppState,
    browser: &Browser,
    c: &Continuation,
    form: Form,
    error: Option<String>,
) -> Result<HttpResponse, WebError> {
    let offer_backup =
        matches!(form, Form::Code | Form::Choose) && has_backup_codes(state, c).await?;
    let (sms_to, push) = code_channels(state, c).await?;
    let page = MfaPage {
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
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let c = continuation(&state, &browser, &form.track_id, &form.request_id).await?;
    let code = form.pass_code.unwrap_or_default();

    if form.method.as_deref() == Some("backupcode") {
        if !c.rules.allows(Method::BackupCode) {
            return Err(not_allowed());
        }
        if backup_codes::redeem(&state, &c.user.id, &code).await? {
            return complete(&state, &req, &session, &c, Method::BackupCode).await;
        }
        audit::record(
            &state,
            &req,
            Audit::failure("login.backupcode").user(&c.user.id),
        )
        .await;
        let message = "That backup code is not valid or was already used.".to_owned();
        return render(&state, &browser, &c, Form::Backup, Some(message)).await;
    }

    if let Some(exchange_id) = form.exchange_id.filter(|e| !e.is_empty()) {
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
                complete(&state, &req, &session, &c, Method::Totp).await
            }
            Confirmation::WrongCode => {
                let form = match existing_setup(&state, &exchange_id).await? {
                    Some(setup) => Form::Setup(setup),
                    None => Form::Setup(new_setup(&state, &c.user).await?),
                };
                render(
                    &state,
                    &browser,
                    &c,
                    form,
                    Some("The code is not correct. Check the app and try again.".into()),
                )
                .await
            }
            Confirmation::Expired => {
                let form = Form::Setup(new_setup(&state, &c.user).await?);
                render(
                    &state,
                    &browser,
                    &c,
                    form,
                    Some("That setup expired. Scan this new code and try again.".into()),
                )
                .await
            }
        };
    }
    if !c.rules.allows(Method::Totp) {
        return Err(not_allowed());
    }
    match totp_check::check(&state, Some(&c.user.id), None, &code).await? {
        TotpOutcome::Accepted { .. } => complete(&state, &req, &session, &c, Method::Totp).await,
        TotpOutcome::Locked { until } => {
            render(
                &state,
                &browser,
                &c,
                Form::Code,
                Some(locked_message(until)),
            )
            .await
        }
        _ => {
            audit::record(
                &state,
                &req,
                Audit::failure("login.mfa")
                    .user(&c.user.id)
                    .detail("wrong code".into()),
            )
            .await;
            let message =
                "The code is not correct. Enter the current code from your authenticator app.";
            render(&state, &browser, &c, Form::Code, Some(message.into())).await
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

/// Re-opens the setup of an enrollment in progress, to show its QR code again.
pub async fn existing_setup(
    state: &AppState,
    exchange_id: &str,
) -> Result<Option<SetupView>, WebError> {
    let id = exchange_id.to_owned();
    let Some(v) = state
        .store
        .run(move |c| store::verifications::find_by_exchange(c, &id))
        .await?
    else {
        return Ok(None);
    };
    let Some(medium) = v.medium_id.clone() else {
        return Ok(None);
    };
    let Some(a) = state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &medium))
        .await?
    else {
        return Ok(None);
    };
    let secret = state
        .sealer
        .open(&a.sealed_secret)
        .map_err(|e| WebError::Internal(e.into()))?;
    let user_id = a.user_id.clone();
    let email = state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    let uri = crate::domain::totp::provisioning_uri(
        &secret,
        a.params,
        &state.live().config.totp_issuer,
        &format!("{email} ({})", a.label),
    );
    Ok(Some(SetupView {
        exchange_id: exchange_id.to_owned(),
        qr_svg: qr::svg(&uri).unwrap_or_default(),
        secret_grouped: crate::domain::totp::grouped(&crate::domain::totp::secret_base32(&secret)),
        uri,
        label: a.label,
    }))
}

pub async fn complete(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    c: &Continuation,
    method: Method,
) -> Result<HttpResponse, WebError> {
    let (id, now) = (c.track.id.clone(), state.now());
    if !state
        .store
        .run(move |conn| store::tracks::complete_track(conn, &id, now))
        .await?
    {
        return Err(WebError::BadRequest(
            "This sign-in was already completed. Go back to the application.".into(),
        ));
    }
    login_flow::finish(
        state,
        req,
        session,
        &c.pending,
        &c.user,
        c.track.amr_with(method),
    )
    .await
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
        && v.user_id.as_deref() == Some(c.user.id.as_str())
        && Some(v.method) == method
        && v.method != Method::Password
        && c.rules.allows(v.method);
    if !bound {
        return Err(refused());
    }
    let (status_id, now) = (v.status_id.clone(), state.now());
    if !state
        .store
        .run(move |conn| store::verifications::consume(conn, &status_id, now))
        .await?
    {
        return Err(refused());
    }
    complete(&state, &req, &session, &c, v.method).await
}

//! Self-registration (API.md §3): `GET/POST /register?requestId=…` asks for a name, an email and
//! a new password, creates the account with an unconfirmed email and mails a code;
//! `/register/confirm` takes the code, confirms the address and continues the sign-in the
//! application started; `/register/resend` sends the same code again after the cooldown.
//!
//! The pages never tell whether an address already has an account. Every valid submission ends
//! on the same "check your email" page; what happens behind it differs:
//! - a new address: the account is created (unconfirmed) and gets a code;
//! - an unconfirmed account whose code lifetime has passed: it is replaced (an abandoned or
//!   squatted sign-up must not block the real owner);
//! - an unconfirmed account still within its code lifetime: a new code only when the password
//!   matches (the same person trying again); otherwise nothing is changed, because letting a
//!   second sign-up set the password of a pending one would let whoever registers first
//!   pre-hijack the account;
//! - a confirmed account: nothing is changed, and its owner gets a notice (no code) saying
//!   someone tried to register with the address.
//!
//! Where nobody gets a code, a code row that is never delivered stands in (`codes::send_new`
//! with no user), so the page, its resend button and its lockout behave exactly alike. Every
//! path costs one Argon2 computation.
//!
//! The code page and its checks are in `register_confirm`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::oauth::pending::PendingRequest;
use crate::domain::one_time_code::{Channel, Purpose};
use crate::domain::password_policy::check_new_password_min;
use crate::domain::user::{Email, User};
use crate::flows::AppState;
use crate::flows::branding::Sender;
use crate::flows::codes::{self, Destination, Recipient, Sent};
use crate::i18n::Tr;
use crate::store::{self, StoreError};
use crate::web::audit::{self, Audit};
use crate::web::brand::{self as branding, Brand};
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::hosted::password_problem;
use crate::web::hosted::{MAIL_NOT_SENT, MAX_NAME_CHARS, app_name, html, see_other, sender};
use crate::web::login_flow::{form_browser, pending_for_browser};
use crate::web::notices::{self, Notice};

/// Errors shown next to their fields.
#[derive(Debug, Default)]
struct FieldErrors {
    name: Option<String>,
    email: Option<String>,
    password: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.name.is_some() || self.email.is_some() || self.password.is_some()
    }
}

#[derive(Template)]
#[template(path = "register/register.html")]
struct RegisterPage {
    tr: Tr,
    brand: Option<Brand>,
    client_name: String,
    request_id: String,
    csrf_token: String,
    name: String,
    email: String,
    errors: FieldErrors,
    /// About the whole form (too many wrong codes, mail not sent).
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct RegisterQuery {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
}

/// `GET /register?requestId=…`: the sign-up form.
pub async fn register_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<RegisterQuery>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let browser = Browser::get_or_create(&state, &req);
    let pending = pending_for_browser(&state, query.request_id.as_deref(), &browser).await?;
    let page = RegisterPage {
        tr: lang.for_request(&pending),
        brand: branding::for_client(&state, &pending.request.client_id).await?,
        client_name: app_name(&state, Some(&pending.request.client_id)).await?,
        request_id: pending.id.clone(),
        csrf_token: browser.csrf_token(&state),
        name: String::new(),
        email: pending.request.login_hint.clone().unwrap_or_default(),
        errors: FieldErrors::default(),
        error: None,
    };
    html(&state, &browser, &page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    password: Option<String>,
    csrf_token: Option<String>,
}

/// Checks the form; the parsed email when every field is acceptable.
fn validate(
    tr: &Tr,
    name: &str,
    email: &str,
    password: &str,
    min_length: usize,
) -> (Option<Email>, FieldErrors) {
    let mut errors = FieldErrors::default();
    if name.is_empty() {
        errors.name = Some(tr.t("err-enter-name"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        errors.name = Some(tr.n("err-name-too-long", "max", MAX_NAME_CHARS as i64));
    } else if name.chars().any(char::is_control) {
        errors.name = Some(tr.t("err-name-characters"));
    }
    let parsed = if email.trim().is_empty() {
        errors.email = Some(tr.t("err-enter-email"));
        None
    } else {
        match Email::parse(email) {
            Ok(parsed) => Some(parsed),
            Err(_) => {
                errors.email = Some(tr.t("err-email-format"));
                None
            }
        }
    };
    if password.is_empty() {
        errors.password = Some(tr.t("err-choose-password"));
    } else {
        let context = parsed.as_ref().map_or(email.trim(), Email::as_str);
        if let Err(problem) = check_new_password_min(password, context, min_length) {
            errors.password = Some(password_problem(tr, &problem));
        }
    }
    let parsed = if errors.any() { None } else { parsed };
    (parsed, errors)
}

/// `POST /register`: creates the account (or not, see the module docs) and sends the browser
/// to the code page.
pub async fn register_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<RegisterForm>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let browser = form_browser(&state, &req, form.csrf_token.as_deref())?;
    let pending = pending_for_browser(&state, form.request_id.as_deref(), &browser).await?;
    let tr = lang.for_request(&pending);
    let name = form.name.unwrap_or_default().trim().to_owned();
    let typed_email = form.email.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    let app = sender(&state, Some(&pending.request.client_id)).await?;
    let (email, errors) = validate(
        &tr,
        &name,
        &typed_email,
        &password,
        state.live().config.password_min_length,
    );
    let brand = branding::for_client(&state, &pending.request.client_id).await?;
    let page = |errors: FieldErrors, error: Option<String>| RegisterPage {
        tr: tr.clone(),
        brand: brand.clone(),
        client_name: app.name.clone(),
        request_id: pending.id.clone(),
        csrf_token: browser.csrf_token(&state),
        name: name.clone(),
        email: typed_email.trim().to_owned(),
        errors,
        error,
    };
    let Some(email) = email else {
        return html(
            &state,
            &browser,
            &page(errors, None),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let to = Addressee {
        app: &app,
        lang: tr.lang(),
    };
    match register(&state, &req, &pending, &name, &email, password, to).await? {
        Registered::Code(code_id) => Ok(see_other(format!(
            "/register/confirm?requestId={}&code_id={}",
            pending.id, code_id
        ))),
        Registered::Locked(until) => html(
            &state,
            &browser,
            &page(
                FieldErrors::default(),
                Some(crate::web::words::address_locked(&tr, until)),
            ),
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Registered::NotSent => html(
            &state,
            &browser,
            &page(FieldErrors::default(), Some(tr.t(MAIL_NOT_SENT))),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}

/// For whom the messages of a sign-up are worded: the application's name, the language.
#[derive(Clone, Copy)]
struct Addressee<'a> {
    app: &'a Sender,
    lang: &'a str,
}

/// How a valid sign-up ended.
enum Registered {
    /// A code "went out" (or a stand-in row was made): show the code page for this id.
    Code(String),
    /// Too many wrong codes for this address recently.
    Locked(i64),
    /// The mail could not be sent; a new account was removed again.
    NotSent,
}

/// Which account, if any, the code of this sign-up confirms.
enum Account {
    /// Created just now.
    New(User),
    /// The same person again, before the first code expired.
    Pending(User),
    /// Nobody: the address is taken (the code is a stand-in).
    None,
}

async fn register(
    state: &AppState,
    req: &HttpRequest,
    pending: &PendingRequest,
    name: &str,
    email: &Email,
    password: String,
    Addressee { app, lang }: Addressee<'_>,
) -> Result<Registered, WebError> {
    let now = state.now();
    let ttl = state.live().code_policy_for(Channel::Email).ttl;
    let lookup = email.as_str().to_owned();
    let existing = state
        .store
        .run(move |c| store::users::find_user_by_email(c, &lookup))
        .await?;
    let account = match existing {
        None => create(state, name, email, password, None).await?,
        Some(old) if !old.email_verified && !old.disabled && old.created_at + ttl <= now => {
            create(state, name, email, password, Some(old.id)).await?
        }
        Some(old) if !old.email_verified && !old.disabled => {
            if state
                .hashing
                .verify(password, old.password_hash.clone())
                .await?
            {
                Account::Pending(old)
            } else {
                Account::None
            }
        }
        Some(old) => {
            // The same cost as creating an account, so timing does not tell them apart.
            state
                .hashing
                .verify_for(crate::flows::limits::client_ip().as_deref(), password, None)
                .await?;
            // At most once an hour per address: sign-up attempts must not mail-bomb anyone.
            if !old.disabled
                && crate::flows::limits::may_send_register_notice(state, &old.email).await
            {
                notices::send(state, &old, Notice::AlreadyRegistered, app, lang).await;
            }
            audit::record(
                state,
                req,
                Audit::failure("register")
                    .user(&old.id)
                    .client(&pending.request.client_id)
                    .detail("the email already has an account; its owner was notified".into()),
            )
            .await;
            Account::None
        }
    };
    let user = match &account {
        Account::New(user) | Account::Pending(user) => Some(user),
        Account::None => None,
    };
    let code_id = uuid::Uuid::new_v4().to_string();
    let recipient = Recipient {
        user,
        typed_name: email.as_str(),
        device_id: None,
        destination: Destination::Account,
        lang,
    };
    let sent = codes::send_new(
        state,
        &code_id,
        Purpose::Register,
        Channel::Email,
        &recipient,
        app,
        ttl,
    )
    .await?;
    match (sent, account) {
        (Sent::Sent(_), Account::New(user)) => {
            audit::record(
                state,
                req,
                Audit::success("register")
                    .user(&user.id)
                    .client(&pending.request.client_id)
                    .detail("account created; email not yet confirmed".into()),
            )
            .await;
            Ok(Registered::Code(code_id))
        }
        (Sent::Sent(_), _) => Ok(Registered::Code(code_id)),
        // A code went out moments ago and still works: confirm with that one, no new mail.
        (Sent::TooSoon { existing, .. }, _) => Ok(Registered::Code(existing.id)),
        (Sent::Locked { until }, _) => Ok(Registered::Locked(until)),
        (Sent::Unavailable | Sent::Failed, account) => {
            if let Account::New(user) = account {
                // Nobody can confirm it: let the person try again from scratch.
                state
                    .store
                    .run(move |c| store::users::delete_user(c, &user.id))
                    .await?;
            }
            Ok(Registered::NotSent)
        }
    }
}

/// Creates the unconfirmed account, in place of `replacing` if given. `Account::None` when the
/// address was taken in the meantime.
async fn create(
    state: &AppState,
    name: &str,
    email: &Email,
    password: String,
    replacing: Option<String>,
) -> Result<Account, WebError> {
    let password_hash = state
        .hashing
        .hash_for(crate::flows::limits::client_ip().as_deref(), password)
        .await?;
    let now = state.now();
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email: email.as_str().to_owned(),
        email_verified: false,
        name: Some(name.to_owned()),
        password_hash: Some(password_hash),
        is_admin: false,
        disabled: false,
        created_at: now,
        updated_at: now,
        phone_number: None,
        phone_verified: false,
    };
    let row = user.clone();
    let created_by = now - state.live().code_policy_for(Channel::Email).ttl;
    let inserted = state
        .store
        .run(move |c| match replacing {
            None => match store::users::insert_user(c, &row) {
                Ok(()) => Ok(true),
                Err(StoreError::Conflict(_)) => Ok(false),
                Err(e) => Err(e),
            },
            Some(old) => store::users::replace_unverified_user(c, &old, created_by, &row),
        })
        .await?;
    Ok(if inserted {
        Account::New(user)
    } else {
        Account::None
    })
}

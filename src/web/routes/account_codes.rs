//! Confirming a new email address or phone number with a one-time code sent to it, shared by
//! `account_profile` (email) and `account_phone`: the page that asks for the code, checking a
//! typed code, and sending the same code again. The new address or number travels with the
//! code (its `target`), never through the browser.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::one_time_code::{Channel, OneTimeCode, Purpose, normalize, subject_for_user};
use crate::domain::user::User;
use crate::flows::AppState;
use crate::flows::codes::{self, Checked, Resent, Sent};
use crate::i18n::{Arg, Tr};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, SignedIn};
use crate::web::hosted::{MAX_CODE_CHARS, html, sender};
use crate::web::routes::account::{Forms, render_account};

const CODE_GONE: &str = "err-reset-code-gone";

/// What differs between confirming an email address and a phone number.
pub(crate) struct Kind {
    pub purpose: Purpose,
    pub channel: Channel,
    /// The catalog key of the page's heading.
    title: &'static str,
    /// Where its forms post: `{path}/confirm`, `{path}/resend`.
    path: &'static str,
    /// The catalog key of what the code came in ("email", "text message").
    medium: &'static str,
    /// The catalog key of what entering the code does.
    lead: &'static str,
    /// The audit action of the change.
    pub action: &'static str,
}

pub(crate) const EMAIL: Kind = Kind {
    purpose: Purpose::EmailChange,
    channel: Channel::Email,
    title: "acct-code-email-title",
    path: "/account/email",
    medium: "medium-email",
    lead: "acct-code-email-lead",
    action: "email.change",
};

pub(crate) const PHONE: Kind = Kind {
    purpose: Purpose::PhoneConfirm,
    channel: Channel::Sms,
    title: "acct-code-phone-title",
    path: "/account/phone",
    medium: "medium-sms",
    lead: "acct-code-phone-lead",
    action: "phone.confirm",
};

impl Kind {
    /// The account page's forms with `message` next to this kind's field.
    pub fn field_error(&self, message: String) -> Forms {
        match self.purpose {
            Purpose::EmailChange => Forms {
                email_error: Some(message),
                ..Forms::default()
            },
            _ => Forms {
                phone_error: Some(message),
                ..Forms::default()
            },
        }
    }

    /// What the code came in, in `tr`'s words.
    fn medium(&self, tr: &Tr) -> String {
        tr.t(self.medium)
    }

    fn page(&self, tr: Tr, csrf_token: String, code: &OneTimeCode) -> ConfirmCodePage {
        ConfirmCodePage {
            title: tr.t(self.title),
            path: self.path,
            medium: self.medium(&tr),
            lead: tr.t(self.lead),
            tr,
            destination: code.destination.clone(),
            code_id: code.id.clone(),
            csrf_token,
            error: None,
            notice: None,
        }
    }
}

#[derive(Template)]
#[template(path = "account/confirm_code.html")]
pub(crate) struct ConfirmCodePage {
    tr: Tr,
    title: String,
    path: &'static str,
    medium: String,
    lead: String,
    /// Masked: where the code went.
    destination: String,
    code_id: String,
    csrf_token: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct CodeForm {
    code_id: Option<String>,
    code: Option<String>,
}

/// The page after sending a code of `kind` to a new address or number: the code page, or the
/// account page with the problem next to the field.
pub(crate) async fn after_send(
    state: &AppState,
    user: &SignedIn,
    kind: &Kind,
    sent: Sent,
    typed: Forms,
) -> Result<HttpResponse, WebError> {
    let csrf = user.csrf_token(state);
    let tr = user.tr();
    let (problem, status) = match sent {
        Sent::Sent(code) => {
            return html(
                state,
                &user.browser,
                &kind.page(tr, csrf, &code),
                StatusCode::OK,
            );
        }
        Sent::TooSoon { existing, wait } => {
            let notice = tr.args(
                "err-acct-code-too-soon",
                &[
                    ("destination", Arg::Text(existing.destination.clone())),
                    ("seconds", Arg::Number(wait)),
                ],
            );
            let mut page = kind.page(tr, csrf, &existing);
            page.notice = Some(notice);
            return html(state, &user.browser, &page, StatusCode::OK);
        }
        Sent::Locked { until } => (
            crate::web::words::account_code_locked(&tr, until),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Sent::Unavailable => (
            tr.a("err-acct-unavailable", "medium", kind.medium(&tr)),
            StatusCode::CONFLICT,
        ),
        Sent::Failed => (
            tr.a("err-acct-not-sent", "medium", kind.medium(&tr)),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    };
    let mut forms = kind.field_error(problem);
    forms.new_email = typed.new_email;
    forms.phone = typed.phone;
    render_account(state, user, forms, status).await
}

/// The user's live-or-not code `id` of `kind`, if it is theirs.
async fn own_code(
    state: &AppState,
    user: &User,
    kind: &Kind,
    id: &str,
) -> Result<Option<OneTimeCode>, WebError> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    let lookup = id.to_owned();
    let subject = subject_for_user(&user.id);
    Ok(state
        .store
        .run(move |c| store::one_time_codes::find_code(c, &lookup))
        .await?
        .filter(|c| c.purpose == kind.purpose && c.subject == subject))
}

/// What checking a typed code came to.
pub(crate) enum Confirmed {
    /// The right code: the new address or number to set.
    Target(String),
    /// The page to show instead (the code page with its error, or the account page).
    Page(HttpResponse),
}

/// Checks the code of `user`'s posted confirmation form of `kind` (the extractors checked the
/// CSRF token and the fresh sign-in). A withheld code (an address of another account) is never
/// right.
pub(crate) async fn confirm(
    state: &AppState,
    req: &HttpRequest,
    user: &SignedIn,
    kind: &Kind,
    form: &Csrf<CodeForm>,
) -> Result<Confirmed, WebError> {
    let code_id = form.code_id.clone().unwrap_or_default();
    let tr = user.tr();
    let Some(code) = own_code(state, user, kind, &code_id).await? else {
        let forms = kind.field_error(tr.t("err-acct-code-expired"));
        let page = render_account(state, user, forms, StatusCode::UNPROCESSABLE_ENTITY).await?;
        return Ok(Confirmed::Page(page));
    };
    let mut page = kind.page(tr.clone(), form.token().to_owned(), &code);
    let typed = normalize(form.code.as_deref().unwrap_or_default());
    let checked = if typed.is_empty() {
        page.error = Some(tr.a("err-acct-enter-code", "medium", kind.medium(&tr)));
        None
    } else if typed.chars().count() > MAX_CODE_CHARS {
        Some(Checked::Wrong)
    } else {
        Some(
            codes::check(
                state,
                &code.id,
                kind.purpose,
                &typed,
                codes::Guesser::Proven,
            )
            .await?,
        )
    };
    match checked {
        None => {}
        Some(Checked::Accepted { user_id }) if user_id == user.id => {
            if let Some(target) = code.target {
                return Ok(Confirmed::Target(target));
            }
            page.error = Some(tr.t(CODE_GONE));
        }
        Some(Checked::Accepted { .. } | Checked::Wrong) => {
            audit::record(
                state,
                req,
                Audit::failure(kind.action)
                    .by_owner(&user.id)
                    .detail(format!("wrong code for {}", code.destination)),
            )
            .await;
            page.error = Some(tr.a("err-acct-code-wrong", "medium", kind.medium(&tr)));
        }
        Some(Checked::Locked { until }) => {
            page.error = Some(crate::web::words::account_code_locked(&tr, until))
        }
        Some(Checked::Expired) => page.error = Some(tr.t(CODE_GONE)),
    }
    Ok(Confirmed::Page(html(
        state,
        &user.browser,
        &page,
        StatusCode::UNPROCESSABLE_ENTITY,
    )?))
}

/// `POST {path}/resend` of `kind`: the same code again, once the cooldown has passed.
async fn resend(
    state: &AppState,
    user: &SignedIn,
    kind: &Kind,
    form: &Csrf<CodeForm>,
) -> Result<HttpResponse, WebError> {
    let code_id = form.code_id.clone().unwrap_or_default();
    let tr = user.tr();
    let Some(code) = own_code(state, user, kind, &code_id).await? else {
        let forms = kind.field_error(tr.t("err-acct-code-expired"));
        return render_account(state, user, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let mut page = kind.page(tr.clone(), form.token().to_owned(), &code);
    let app = sender(state, None).await?;
    let status = match codes::resend(state, &code.id, &app, tr.lang()).await? {
        Resent::Sent(_) => {
            page.notice = Some(tr.t(if kind.channel == Channel::Email {
                "email-sent-again"
            } else {
                "acct-sent-again-sms"
            }));
            StatusCode::OK
        }
        Resent::TooSoon { wait } => {
            page.notice = Some(tr.n("email-wait", "seconds", wait));
            StatusCode::OK
        }
        Resent::Gone => {
            page.error = Some(tr.t(CODE_GONE));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Resent::Failed => {
            page.error = Some(tr.a("err-acct-resend-failed", "medium", kind.medium(&tr)));
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    html(state, &user.browser, &page, status)
}

/// `POST /account/email/resend`.
pub async fn resend_email(
    state: web::Data<AppState>,
    form: Csrf<CodeForm>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    resend(&state, &user, &EMAIL, &form).await
}

/// `POST /account/phone/resend`.
pub async fn resend_phone(
    state: web::Data<AppState>,
    form: Csrf<CodeForm>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    resend(&state, &user, &PHONE, &form).await
}

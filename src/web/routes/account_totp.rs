//! Authenticator apps on the account page: add one with a label (QR code, key by hand, first
//! code), rename, remove. Every one of these needs a fresh sign-in (see `account`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::totp;
use crate::flows::AppState;
use crate::flows::own_factors::{self, Change, Kind};
use crate::flows::totp_enrollment::{self as enroll, Confirmation, EnrollRefusal};
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn, NoFields};
use crate::web::hosted::{found, html};
use crate::web::qr;
use crate::web::routes::account::{Forms, render_account};
use crate::web::routes::mfa::SetupView;

#[derive(Template)]
#[template(path = "account/totp_setup.html")]
struct TotpSetupPage {
    tr: crate::i18n::Tr,
    csrf_token: String,
    setup: SetupView,
    error: Option<String>,
}

/// The authenticator forms: the label (to add or rename one), or the first code of a new one.
#[derive(Deserialize)]
pub struct TotpForm {
    label: Option<String>,
    exchange_id: Option<String>,
    pass_code: Option<String>,
}

/// The account page with a problem that belongs to no one field.
fn with_error(message: String) -> Forms {
    Forms {
        error: Some(message),
        ..Forms::default()
    }
}

/// `POST /account/totp`: starts adding an authenticator app with the given label.
pub async fn add_totp(
    state: web::Data<AppState>,
    form: Csrf<TotpForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    match enroll::start_enrollment(&state, &user, form.label.as_deref(), None).await? {
        Err(EnrollRefusal::LimitReached(max)) => {
            let message = enroll::limit_message(max);
            render_account(&state, &user, with_error(message), StatusCode::CONFLICT).await
        }
        Ok(e) => {
            let setup = SetupView {
                qr_svg: qr::svg(&e.uri).unwrap_or_default(),
                secret_grouped: totp::grouped(&e.secret_base32),
                uri: e.uri,
                label: e.label,
                exchange_id: e.verification.exchange_id,
            };
            html(
                &state,
                &user.browser,
                &TotpSetupPage {
                    // a switch would lose the new key: none on this page
                    tr: user.tr().with_back(String::new()),
                    csrf_token: form.token().to_owned(),
                    setup,
                    error: None,
                },
                StatusCode::OK,
            )
        }
    }
}

/// `POST /account/totp/confirm`: the first code from the app activates it.
pub async fn confirm_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<TotpForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let exchange_id = form.exchange_id.clone().unwrap_or_default();
    match enroll::confirm_enrollment(
        &state,
        &user,
        &exchange_id,
        form.pass_code.as_deref().unwrap_or(""),
        None,
    )
    .await?
    {
        Confirmation::Enrolled(enrolled) => {
            let a = &enrolled.0;
            audit::record(
                &state,
                &req,
                Audit::success("totp.enroll")
                    .user(&user.id)
                    .detail(format!("authenticator {} ({})", a.id, a.label)),
            )
            .await;
            Ok(found("/account?notice=added"))
        }
        Confirmation::WrongCode => {
            match crate::web::routes::mfa::existing_setup(&state, &exchange_id).await? {
                Some(setup) => {
                    let tr = user.tr().with_back(String::new());
                    let page = TotpSetupPage {
                        error: Some(tr.t("err-app-code-wrong")),
                        tr,
                        csrf_token: form.token().to_owned(),
                        setup,
                    };
                    html(
                        &state,
                        &user.browser,
                        &page,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                }
                None => {
                    render_account(
                        &state,
                        &user,
                        with_error(user.tr().t("err-acct-setup-expired")),
                        StatusCode::BAD_REQUEST,
                    )
                    .await
                }
            }
        }
        Confirmation::Expired => {
            render_account(
                &state,
                &user,
                with_error(user.tr().t("err-acct-setup-expired")),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// `POST /account/totp/{id}/rename`.
pub async fn rename_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: Csrf<TotpForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let label = form.label.as_deref().unwrap_or("");
    match own_factors::rename(&state, &audit::meta(&req), Kind::Totp, &user.id, &id, label).await? {
        Change::Done => Ok(found("/account?notice=renamed")),
        Change::NotFound => Err(WebError::NotFound("No such authenticator.".into())),
        Change::EmptyName => {
            let forms = Forms {
                rename_for: id,
                rename_error: Some("Give the authenticator a name.".into()),
                ..Forms::default()
            };
            render_account(&state, &user, forms, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `POST /account/totp/{id}/remove`.
pub async fn remove_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    match own_factors::remove(&state, &audit::meta(&req), Kind::Totp, &user.id, &id).await? {
        Change::Done => Ok(found("/account?notice=removed")),
        _ => Err(WebError::NotFound("No such authenticator.".into())),
    }
}

//! Authenticator apps on the account page: add one with a label (QR code, key by hand, first
//! code), rename, remove. Every one of these needs a fresh sign-in (see `account`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::totp;
use crate::flows::AppState;
use crate::flows::totp_enrollment::{self as enroll, Confirmation, EnrollRefusal};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn, NoFields};
use crate::web::hosted::{found, html};
use crate::web::qr;
use crate::web::routes::account::{Forms, render_account};
use crate::web::routes::admin::changes;
use crate::web::routes::mfa::SetupView;

#[derive(Template)]
#[template(path = "account/totp_setup.html")]
struct TotpSetupPage {
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

/// The label of the user's authenticator `id`, if it is theirs.
async fn own_label(state: &AppState, user_id: &str, id: &str) -> Result<Option<String>, WebError> {
    let (user_id, id) = (user_id.to_owned(), id.to_owned());
    Ok(state
        .store
        .run(move |c| store::authenticators::list_user_authenticators(c, &user_id))
        .await?
        .into_iter()
        .find(|a| a.id == id && a.active)
        .map(|a| a.label))
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
                    let page = TotpSetupPage {
                        csrf_token: form.token().to_owned(),
                        setup,
                        error: Some("The code is not correct. Check the app and try again.".into()),
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
                        with_error("That setup expired. Start again.".into()),
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
                with_error("That setup expired. Start again.".into()),
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
    let label: String = form
        .label
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .take(64)
        .collect();
    let Some(before) = own_label(&state, &user.id, &id).await? else {
        return Err(WebError::NotFound("No such authenticator.".into()));
    };
    if label.is_empty() {
        let forms = Forms {
            rename_for: id,
            rename_error: Some("Give the authenticator a name.".into()),
            ..Forms::default()
        };
        return render_account(&state, &user, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (lookup, user_id, new_label) = (id.clone(), user.id.clone(), label.clone());
    if !state
        .store
        .run(move |c| store::authenticators::rename_authenticator(c, &lookup, &user_id, &new_label))
        .await?
    {
        return Err(WebError::NotFound("No such authenticator.".into()));
    }
    audit::record(
        &state,
        &req,
        Audit::success("totp.rename")
            .by_owner(&user.id)
            .detail(format!(
                "authenticator {id}: {}",
                changes(&[("label", before, label)])
            )),
    )
    .await;
    Ok(found("/account?notice=renamed"))
}

/// `POST /account/totp/{id}/remove`.
pub async fn remove_totp(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let (id, user_id) = (path.into_inner(), user.id.clone());
    let label = own_label(&state, &user.id, &id).await?.unwrap_or_default();
    let lookup = id.clone();
    if !state
        .store
        .run(move |c| store::authenticators::delete_authenticator(c, &lookup, &user_id))
        .await?
    {
        return Err(WebError::NotFound("No such authenticator.".into()));
    }
    audit::record(
        &state,
        &req,
        Audit::success("totp.revoke")
            .by_owner(&user.id)
            .detail(format!("authenticator {id} ({label}) removed by its owner")),
    )
    .await;
    Ok(found("/account?notice=removed"))
}

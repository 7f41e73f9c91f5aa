//! Passkeys on the account page (`/account/passkeys`): register one (named), list, rename,
//! remove. Every one of these needs a fresh sign-in ([`FreshSignIn`]) like the other changes to
//! how the account signs in, and a CSRF-checked form. Registering needs JavaScript
//! (`static/js/passkey.js`); the page says so when it is off.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::passkey::Passkey;
use crate::flows::AppState;
use crate::flows::passkeys::{self, registration};
use crate::i18n::{Arg, Tr};
use crate::web::audit;
use crate::web::authenticator_view::{when, when_in};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn, NoFields};
use crate::web::hosted::{html, see_other};

/// One passkey in the list.
pub struct PasskeyView {
    pub id: String,
    pub name: String,
    /// "Synced passkey" or "On this device / security key".
    pub kind: String,
    pub created: String,
    pub last_used: String,
    /// Kind, added, last used: the line under its name.
    pub meta: String,
}

/// The passkeys in `tr`'s words (the admin area passes English and its own time format).
pub fn passkey_views(tr: &Tr, passkeys: &[Passkey], admin: bool) -> Vec<PasskeyView> {
    let time = |t: Option<i64>| if admin { when(t) } else { when_in(tr, t) };
    passkeys
        .iter()
        .map(|p| {
            let kind = tr.t(if p.backup_eligible {
                "passkey-kind-synced"
            } else {
                "passkey-kind-device"
            });
            let (created, last_used) = (time(Some(p.created_at)), time(p.last_used_at));
            let meta = tr.args(
                "passkeys-meta",
                &[
                    ("kind", Arg::Text(kind.clone())),
                    ("added", Arg::Text(created.clone())),
                    ("used", Arg::Text(last_used.clone())),
                ],
            );
            PasskeyView {
                id: p.id.clone(),
                name: p.name.clone(),
                kind,
                created,
                last_used,
                meta,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "account/passkeys.html")]
struct PasskeysPage {
    tr: Tr,
    notice: Option<String>,
    error: Option<String>,
    passkeys: Vec<PasskeyView>,
    can_add: bool,
    passkey_action: &'static str,
    passkey_kind: &'static str,
    passkey_button: String,
    passkey_fields: Vec<(&'static str, String)>,
    options_json: String,
    ceremony_id: String,
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct PasskeysQuery {
    notice: Option<String>,
}

async fn render(
    state: &AppState,
    user: &FreshSignIn,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let list = passkeys::list(state, &user.id).await?;
    let started = registration::start(state, &user.user).await?;
    let (options_json, ceremony_id) = match &started {
        Some(s) => (s.options.to_string(), s.ceremony_id.clone()),
        None => (String::new(), String::new()),
    };
    let tr = user.tr();
    let page = PasskeysPage {
        notice,
        error,
        passkeys: passkey_views(&tr, &list, false),
        can_add: started.is_some(),
        passkey_action: "/account/passkeys",
        passkey_kind: "create",
        passkey_button: tr.t("passkeys-add"),
        passkey_fields: Vec::new(),
        options_json,
        ceremony_id,
        csrf_token: user.csrf_token(state),
        tr,
    };
    html(state, &user.browser, &page, status)
}

fn notice(tr: &Tr, key: Option<&str>) -> Option<String> {
    let key = match key? {
        "added" => "passkey-notice-added",
        "renamed" => "passkey-notice-renamed",
        "removed" => "passkey-notice-removed",
        _ => return None,
    };
    Some(tr.t(key))
}

/// `GET /account/passkeys`.
pub async fn passkeys_page(
    state: web::Data<AppState>,
    query: web::Query<PasskeysQuery>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let notice = notice(&user.tr(), query.notice.as_deref());
    render(&state, &user, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct RegisterForm {
    ceremony_id: Option<String>,
    credential: Option<String>,
    name: Option<String>,
}

/// `POST /account/passkeys`: the browser's new credential, with its name.
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<RegisterForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    use registration::RegisterRefusal as R;
    let outcome = registration::finish(
        &state,
        &audit::meta(&req),
        &user.user,
        form.ceremony_id.as_deref().unwrap_or(""),
        form.credential.as_deref().unwrap_or(""),
        form.name.as_deref().unwrap_or(""),
    )
    .await?;
    let tr = user.tr();
    let error = match outcome {
        Ok(_) => return Ok(see_other("/account/passkeys?notice=added".into())),
        Err(R::Name(why)) => why.to_owned(),
        Err(R::UnknownCeremony) => tr.t("err-passkey-too-slow"),
        Err(R::Invalid) => tr.t("err-passkey-unchecked"),
        Err(R::Duplicate) => tr.t("err-passkey-duplicate"),
        Err(R::TooMany) => tr.t("err-passkey-too-many"),
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render(&state, &user, None, Some(error), status).await
}

#[derive(Deserialize)]
pub struct RenameForm {
    name: Option<String>,
}

/// `POST /account/passkeys/{id}/rename`.
pub async fn rename(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: Csrf<RenameForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let name = form.name.as_deref().unwrap_or("");
    match passkeys::rename(&state, &audit::meta(&req), &user.id, &path, name).await? {
        Ok(true) => Ok(see_other("/account/passkeys?notice=renamed".into())),
        Ok(false) => Err(WebError::NotFound("No such passkey.".into())),
        Err(why) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&state, &user, None, Some(why.to_owned()), status).await
        }
    }
}

/// `POST /account/passkeys/{id}/remove`.
pub async fn remove(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    if passkeys::remove(&state, &audit::meta(&req), &user.id, &path, &user.id).await? {
        Ok(see_other("/account/passkeys?notice=removed".into()))
    } else {
        Err(WebError::NotFound("No such passkey.".into()))
    }
}

/// `GET /static/js/passkey.js`: the one script of the passkey pages.
pub async fn passkey_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("cache-control", "public, max-age=3600"))
        .body(include_str!("../../../static/js/passkey.js"))
}

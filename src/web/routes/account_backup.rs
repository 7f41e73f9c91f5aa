//! Backup codes on the account page: a new set shown once (after a fresh sign-in, see
//! `account`), and its text-file download.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::flows::AppState;
use crate::flows::backup_codes;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::routes::account::{CsrfForm, form_user, fresh_form_user, html};

#[derive(Template)]
#[template(path = "account/backup_codes.html")]
struct BackupCodesPage {
    csrf_token: String,
    codes: Vec<String>,
    codes_joined: String,
}

/// `POST /account/backup-codes`: a new set (the old one stops working), shown once.
pub async fn new_backup_codes(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    let user = match fresh_form_user(&state, &req, &session, form.csrf_token.as_deref()).await? {
        Ok(user) => user,
        Err(sign_in_again) => return Ok(sign_in_again),
    };
    let codes = backup_codes::new_set(&state, &user.id).await?;
    audit::record(
        &state,
        &req,
        Audit::success("backupcodes.generate").by_owner(&user.id),
    )
    .await;
    let page = BackupCodesPage {
        csrf_token: form.csrf_token.clone().unwrap_or_default(),
        codes_joined: codes.join(" "),
        codes,
    };
    html(&page, actix_web::http::StatusCode::OK)
}

#[derive(Deserialize)]
pub struct DownloadForm {
    csrf_token: Option<String>,
    codes: String,
}

/// `POST /account/backup-codes/download`: the set just shown, as a text file. The codes come
/// back from the page (we keep only their hashes).
pub async fn download_backup_codes(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<DownloadForm>,
) -> Result<HttpResponse, WebError> {
    let user = form_user(&state, &req, &session, form.csrf_token.as_deref()).await?;
    let codes: Vec<&str> = form
        .codes
        .split_whitespace()
        .take(crate::domain::backup::SET_SIZE)
        .collect();
    let mut text = format!(
        "Backup codes for {} ({})\r\nEach code works once. Keep them somewhere safe.\r\n\r\n",
        user.email, state.issuer
    );
    for code in codes {
        text.push_str(code);
        text.push_str("\r\n");
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"gatehouse-backup-codes.txt\"",
        ))
        .body(text))
}

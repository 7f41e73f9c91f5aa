//! Backup codes on the account page: a new set shown once (after a fresh sign-in, see
//! `account`), and its text-file download.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::flows::AppState;
use crate::flows::backup_codes;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn, NoFields, SignedIn};
use crate::web::hosted::html;

#[derive(Template)]
#[template(path = "account/backup_codes.html")]
struct BackupCodesPage {
    tr: crate::i18n::Tr,
    csrf_token: String,
    codes: Vec<String>,
    codes_joined: String,
}

/// `POST /account/backup-codes`: a new set (the old one stops working), shown once.
pub async fn new_backup_codes(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<NoFields>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let codes = backup_codes::new_set(&state, &user.id).await?;
    audit::record(
        &state,
        &req,
        Audit::success("backupcodes.generate").by_owner(&user.id),
    )
    .await;
    let page = BackupCodesPage {
        // the codes are shown once: no language switch that would lose them
        tr: user.tr().with_back(String::new()),
        csrf_token: form.token().to_owned(),
        codes_joined: codes.join(" "),
        codes,
    };
    html(
        &state,
        &user.browser,
        &page,
        actix_web::http::StatusCode::OK,
    )
}

#[derive(Deserialize)]
pub struct DownloadForm {
    codes: String,
}

/// `POST /account/backup-codes/download`: the set just shown, as a text file. The codes come
/// back from the page (we keep only their hashes).
pub async fn download_backup_codes(
    state: web::Data<AppState>,
    form: Csrf<DownloadForm>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
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

//! Small pieces the pages share (sign-up, password reset, the account page, the admin area):
//! rendering a page with the browser cookie, redirects, the application's name for messages,
//! and the words for a locked code.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;

use super::browser::Browser;
use super::error::WebError;
use crate::domain::password_policy::{MAX_CHARS, PasswordProblem};
use crate::flows::AppState;
use crate::flows::branding::Sender;
use crate::i18n::Tr;

/// The longest name a person may give (characters).
pub const MAX_NAME_CHARS: usize = 100;

/// The longest code input we look at; anything longer is simply wrong.
pub const MAX_CODE_CHARS: usize = 32;

/// The catalog key of what a page says when the mail server did not take a message. Only a
/// real account's mail can fail, so this is the one answer that can tell a known address from
/// an unknown one; a working mail server never shows it.
pub const MAIL_NOT_SENT: &str = "err-mail-not-sent";

/// What a page says about a new password that is refused, in the page's language.
pub fn password_problem(tr: &Tr, problem: &PasswordProblem) -> String {
    match problem {
        PasswordProblem::TooShort { min } => tr.n("err-pw-too-short", "min", *min as i64),
        PasswordProblem::TooLong => tr.n("err-pw-too-long", "max", MAX_CHARS as i64),
        PasswordProblem::Common => tr.t("err-pw-common"),
        PasswordProblem::ContainsEmail => tr.t("err-pw-email"),
        PasswordProblem::ContainsServiceName => tr.t("err-pw-service"),
    }
}

/// Renders `page` with `status`, setting the browser cookie when it is new.
pub fn html(
    state: &AppState,
    browser: &Browser,
    page: &impl Template,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let body = page.render().map_err(|e| WebError::Internal(e.into()))?;
    let mut response = HttpResponse::build(status);
    if browser.is_new {
        response.cookie(browser.cookie(state));
    }
    Ok(response.content_type("text/html; charset=utf-8").body(body))
}

/// `303 See Other` to `location`: the page after a POST is fetched with GET, so reloading it
/// never submits the form again.
pub fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// `302 Found` to `location`.
pub fn found(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location.to_owned()))
        .finish()
}

/// The name of the client `client_id` for pages (its display name when it is branded), or our
/// own name.
pub async fn app_name(state: &AppState, client_id: Option<&str>) -> Result<String, WebError> {
    Ok(sender(state, client_id).await?.name)
}

/// Who messages about client `client_id` are from (its name and logo), or our own name.
pub async fn sender(state: &AppState, client_id: Option<&str>) -> Result<Sender, WebError> {
    Ok(crate::flows::branding::sender(state, client_id).await?)
}

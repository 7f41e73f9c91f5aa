//! Delivering an authorization response to the browser: a redirect, or the form_post page
//! (OAuth 2.0 Form Post Response Mode). What it carries is made by [`crate::flows::issue`].

use actix_web::HttpResponse;
use actix_web::http::header;
use askama::Template;

use super::error::WebError;
use crate::domain::oauth::authorize::AuthorizationRequest;
use crate::domain::oauth::redirect::{AuthorizationResponse, ResponseMode};
use crate::domain::sign_in::Completion;
use crate::domain::user::User;
use crate::flows::{self, AppState};

/// The answer to a completed authorization request (see [`flows::issue::authorization_response`]).
pub async fn authorization_response(
    state: &AppState,
    meta: &flows::RequestMeta,
    request: &AuthorizationRequest,
    user: &User,
    done: &Completion,
) -> Result<HttpResponse, WebError> {
    let response = flows::issue::authorization_response(state, meta, request, user, done).await?;
    Ok(deliver(response))
}

/// Sends an OAuth error to the client's redirect URI.
pub fn error_response(
    state: &AppState,
    redirect_uri: &str,
    mode: ResponseMode,
    client_state: Option<&str>,
    error: &str,
    description: &str,
) -> HttpResponse {
    deliver(flows::issue::error_response(
        state,
        redirect_uri,
        mode,
        client_state,
        error,
        description,
    ))
}

/// A redirect, or the page that posts the fields to the client.
pub fn deliver(response: AuthorizationResponse) -> HttpResponse {
    match response {
        AuthorizationResponse::Redirect(location) => HttpResponse::Found()
            .insert_header((header::LOCATION, location))
            .finish(),
        AuthorizationResponse::FormPost { action, fields } => {
            // Submitted by a script at once; its words are English (no language switch here).
            let page = FormPostPage {
                tr: crate::i18n::Tr::new("en"),
                action,
                fields,
            };
            match page.render() {
                Ok(html) => HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .body(html),
                Err(e) => actix_web::ResponseError::error_response(&WebError::Internal(e.into())),
            }
        }
    }
}

/// The form_post response mode: a form the browser submits to the client (by a small script,
/// or by the button when scripts are off).
#[derive(Template)]
#[template(path = "authz/form_post.html")]
struct FormPostPage {
    tr: crate::i18n::Tr,
    action: String,
    fields: Vec<(String, String)>,
}

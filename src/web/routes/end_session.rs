//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at `/session/end_session`.
//!
//! With a valid `id_token_hint` for the signed-in user the session ends at once; otherwise the
//! user confirms on a page (a cross-site GET must not sign anyone out). A
//! `post_logout_redirect_uri` must be registered for the client, or we show a page instead.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::domain::client::Client;
use crate::domain::oauth::claims::IdTokenClaims;
use crate::flows::AppState;
use crate::i18n::Tr;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::bearer;
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::extract::Lang;
use crate::web::login_session;

#[derive(Deserialize, Default)]
pub struct EndSessionParams {
    id_token_hint: Option<String>,
    access_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
    csrf_token: Option<String>,
    confirm: Option<String>,
}

#[derive(Template)]
#[template(path = "session/end_session.html")]
struct EndSessionPage {
    tr: Tr,
    signed_out: bool,
    client_name: String,
    csrf_token: String,
    id_token_hint: String,
    post_logout_redirect_uri: String,
    state: String,
    client_id: String,
}

pub async fn end_session_get(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    params: web::Query<EndSessionParams>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    end_session(
        &state,
        &req,
        &session,
        params.into_inner(),
        (false, lang.tr()),
    )
    .await
}

pub async fn end_session_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    params: web::Form<EndSessionParams>,
    lang: Lang,
) -> Result<HttpResponse, WebError> {
    end_session(
        &state,
        &req,
        &session,
        params.into_inner(),
        (true, lang.tr()),
    )
    .await
}

async fn end_session(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    params: EndSessionParams,
    (is_post, tr): (bool, Tr),
) -> Result<HttpResponse, WebError> {
    // Expired ID tokens are fine as hints (the spec expects them), forged ones are not.
    let hint: Option<IdTokenClaims> =
        match params.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
            Some(token) => Some(
                state
                    .keys
                    .verify(token, &state.issuer, false)
                    .map_err(|_| {
                        WebError::BadRequest("The id_token_hint is not a token issued here.".into())
                    })?,
            ),
            None => None,
        };
    let client_id = match (&hint, params.client_id.as_deref()) {
        (Some(h), Some(c)) if h.aud != c => {
            return Err(WebError::BadRequest(
                "client_id does not match the id_token_hint.".into(),
            ));
        }
        (Some(h), _) => Some(h.aud.clone()),
        (None, Some(c)) => Some(c.to_owned()),
        (None, None) => match params.access_token_hint.as_deref() {
            Some(t) => bearer::resolve(state, t).await?.map(|t| t.client_id),
            None => None,
        },
    };
    let client: Option<Client> = match client_id {
        Some(id) => {
            state
                .store
                .run(move |c| store::clients::find_client(c, &id))
                .await?
        }
        None => None,
    };
    let redirect = match params
        .post_logout_redirect_uri
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        None => None,
        Some(uri) => match &client {
            Some(c) if c.has_post_logout_redirect_uri(uri) => Some(uri.to_owned()),
            _ => {
                return Err(WebError::BadRequest(
                    "The post_logout_redirect_uri is not registered for this application.".into(),
                ));
            }
        },
    };

    let login = login_session::current(session);
    let browser = Browser::get_or_create(state, req);
    let hint_matches = match (&hint, &login) {
        (Some(h), Some(l)) => h.sub == l.user_id,
        (_, None) => true, // nobody to sign out
        (None, Some(_)) => false,
    };
    let confirmed = is_post
        && params.confirm.is_some()
        && params
            .csrf_token
            .as_deref()
            .is_some_and(|t| browser.csrf_matches(state, t));
    if !(hint_matches || confirmed) {
        let page = EndSessionPage {
            tr,
            signed_out: false,
            client_name: client.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            csrf_token: browser.csrf_token(state),
            id_token_hint: params.id_token_hint.unwrap_or_default(),
            post_logout_redirect_uri: redirect.unwrap_or_default(),
            state: params.state.unwrap_or_default(),
            client_id: client.map(|c| c.id).unwrap_or_default(),
        };
        let mut response = HttpResponse::Ok();
        if browser.is_new {
            response.cookie(browser.cookie(state));
        }
        return Ok(response
            .content_type("text/html; charset=utf-8")
            .body(page.render().map_err(|e| WebError::Internal(e.into()))?));
    }

    if let Some(login) = &login {
        login_session::end(session);
        let mut event = Audit::success("logout").user(&login.user_id);
        if let Some(c) = &client {
            event = event.client(&c.id);
        }
        audit::record(state, req, event).await;
    }
    match redirect {
        Some(uri) => {
            let params: Vec<(&str, String)> =
                params.state.into_iter().map(|s| ("state", s)).collect();
            let location = crate::domain::oauth::redirect::append_query(&uri, &params);
            Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, location))
                .finish())
        }
        None => {
            let page = EndSessionPage {
                // nothing to come back to: the session it showed is gone
                tr: tr.with_back(String::new()),
                signed_out: true,
                client_name: String::new(),
                csrf_token: String::new(),
                id_token_hint: String::new(),
                post_logout_redirect_uri: String::new(),
                state: String::new(),
                client_id: String::new(),
            };
            Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(page.render().map_err(|e| WebError::Internal(e.into()))?))
        }
    }
}

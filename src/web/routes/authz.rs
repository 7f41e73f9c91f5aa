//! The authorization endpoint (`/authz-srv/authz`), the JSON request generator and the public
//! view of a pending request (API.md §2).

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::domain::client::Client;
use crate::domain::oauth::authorize::{
    AuthorizationRequest, AuthorizeError, AuthorizeParams, ExistingLogin, Prompt, SessionDecision,
    ViewType, decide, validate,
};
use crate::domain::oauth::pending::PendingRequest;
use crate::domain::sign_in::FromSession;
use crate::flows::AppState;
use crate::flows::sign_in;
use crate::store;
use crate::web::browser::Browser;
use crate::web::error::WebError;
use crate::web::{audit, envelope, issue, login_flow, login_session};

pub async fn authorize_get(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    params: web::Query<AuthorizeParams>,
) -> Result<HttpResponse, WebError> {
    authorize(&state, &req, &session, params.into_inner()).await
}

pub async fn authorize_post(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    params: web::Form<AuthorizeParams>,
) -> Result<HttpResponse, WebError> {
    authorize(&state, &req, &session, params.into_inner()).await
}

async fn authorize(
    state: &AppState,
    req: &HttpRequest,
    session: &Session,
    params: AuthorizeParams,
) -> Result<HttpResponse, WebError> {
    let client = load_client(state, params.client_id.as_deref()).await?;
    let request = match validate(&params, &client) {
        Ok(request) => request,
        Err(AuthorizeError::Fatal(message)) => return Err(WebError::BadRequest(message)),
        Err(AuthorizeError::Redirect {
            redirect_uri,
            response_mode,
            state: s,
            error,
            description,
        }) => {
            return Ok(issue::error_response(
                state,
                &redirect_uri,
                response_mode,
                s.as_deref(),
                error,
                &description,
            ));
        }
    };

    let login = login_session::current(session);
    let user = match &login {
        Some(l) => {
            let id = l.user_id.clone();
            state
                .store
                .run(move |c| store::users::find_user(c, &id))
                .await?
                .filter(|u| u.can_sign_in())
        }
        None => None,
    };
    // `prompt`, `max_age` and `login_hint` say whether this session may answer at all (OIDC
    // Core §3.1.2.1); the sign-in state machine says whether it meets this request's
    // requirement (its application's policy and methods, `acr_values`), or continues with
    // only the missing second factor (step-up).
    let existing = match (&login, &user) {
        (Some(l), Some(u)) => Some(ExistingLogin {
            user_email: u.email.clone(),
            auth_time: l.auth_time,
        }),
        _ => None,
    };
    let decision = decide(&request, existing.as_ref(), state.now());
    let from_session = match (decision, &login, &user) {
        (SessionDecision::UseSession, Some(l), Some(u)) => {
            sign_in::from_session(state, &request, u, &l.amr, l.auth_time).await?
        }
        _ => FromSession::SignInAgain,
    };
    let silent = request.prompt == Some(Prompt::None);
    match (from_session, user) {
        (FromSession::Reuse(done), Some(user)) => {
            issue::authorization_response(state, &audit::meta(req), &request, &user, &done).await
        }
        (FromSession::SecondFactor(sign_in), Some(_)) if !silent => {
            let browser = Browser::get_or_create(state, req);
            let pending = save_pending(state, request, Some(browser.binding())).await?;
            let track = sign_in::continue_session(state, &pending, &sign_in).await?;
            Ok(redirect(
                &login_flow::track_location(&pending, &track),
                &browser,
                state,
            ))
        }
        _ if silent => Ok(issue::error_response(
            state,
            &request.redirect_uri,
            request.response_mode,
            request.state.as_deref(),
            "login_required",
            "The user is not signed in.",
        )),
        _ => {
            let browser = Browser::get_or_create(state, req);
            let pending = save_pending(state, request, Some(browser.binding())).await?;
            // `view_type=register` opens the sign-up page; it links back to the login page.
            let page = match pending.request.view_type {
                ViewType::Register => "/register",
                ViewType::Login => "/login",
            };
            let location = format!(
                "{page}?requestId={}&view_type={}",
                pending.id,
                pending.request.view_type.as_str()
            );
            Ok(redirect(&location, &browser, state))
        }
    }
}

/// A redirect into the hosted pages, setting the browser cookie the request is bound to.
fn redirect(location: &str, browser: &Browser, state: &AppState) -> HttpResponse {
    let mut response = HttpResponse::Found();
    response.insert_header((header::LOCATION, location));
    if browser.is_new {
        response.cookie(browser.cookie(state));
    }
    response.finish()
}

async fn load_client(state: &AppState, client_id: Option<&str>) -> Result<Client, WebError> {
    let Some(client_id) = client_id.filter(|c| !c.is_empty() && c.len() <= 128) else {
        return Err(WebError::BadRequest(
            "The request has no valid client_id.".into(),
        ));
    };
    crate::flows::clients::find(state, client_id)
        .await?
        .ok_or_else(|| {
            WebError::BadRequest("The application (client_id) is not known here.".into())
        })
}

async fn save_pending(
    state: &AppState,
    request: AuthorizationRequest,
    browser_binding: Option<String>,
) -> Result<PendingRequest, WebError> {
    let now = state.now();
    let pending = PendingRequest {
        id: uuid::Uuid::new_v4().to_string(),
        request,
        browser_binding,
        created_at: now,
        expires_at: now + state.lifetimes.request,
        completed_at: None,
    };
    let row = pending.clone();
    state
        .store
        .run(move |c| store::requests::insert_request(c, &row))
        .await?;
    state.fresh_requests.put(&pending);
    Ok(pending)
}

/// `POST /authz-srv/authrequest/authz/generate`: validates an authorization request given as
/// JSON and returns its requestId for a custom login UI. The request is bound to the first
/// browser that uses it.
pub async fn generate(
    state: web::Data<AppState>,
    req: HttpRequest,
    params: web::Json<AuthorizeParams>,
) -> Result<HttpResponse, WebError> {
    let params = params.into_inner();
    let bad = |code: &str, message: &str| {
        envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            code,
            "AuthorizationError",
            message,
        )
    };
    let client = match load_client(&state, params.client_id.as_deref()).await {
        Ok(client) => client,
        Err(WebError::BadRequest(message)) => return Ok(bad("invalid_client", &message)),
        Err(other) => return Err(other),
    };
    let request = match validate(&params, &client) {
        Ok(request) => request,
        Err(AuthorizeError::Fatal(message)) => return Ok(bad("invalid_request", &message)),
        Err(AuthorizeError::Redirect {
            error, description, ..
        }) => return Ok(bad(error, &description)),
    };
    let pending = save_pending(&state, request, None).await?;
    Ok(envelope::ok(json!({
        "requestId": pending.id,
        "view_type": pending.request.view_type.as_str(),
        "lang": pending.request.ui_locales.as_deref().and_then(|l| l.split_whitespace().next()).unwrap_or("en"),
        "groupname": "default",
    })))
}

/// `GET /public-srv/public/{requestId}`: what a login UI needs to render a pending request.
pub async fn public_info(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let now = state.now();
    let found = state
        .store
        .run(move |c| store::requests::find_request(c, &id))
        .await?;
    let Some(pending) = found.filter(|p| p.is_live(now)) else {
        return Ok(envelope::error(
            &req,
            StatusCode::NOT_FOUND,
            "request_not_found",
            "NotFound",
            "The requestId is unknown or has expired.",
        ));
    };
    let client = crate::flows::clients::find(&state, &pending.request.client_id).await?;
    Ok(envelope::ok(json!({
        "requestId": pending.id,
        "client_id": pending.request.client_id,
        "client_name": client.map(|c| c.name).unwrap_or_default(),
        "view_type": pending.request.view_type.as_str(),
        "methods": ["password"],
        "login_hint": pending.request.login_hint,
        "expires_at": crate::web::iso8601(pending.expires_at),
    })))
}

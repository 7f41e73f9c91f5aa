//! Validating an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) and deciding
//! whether an existing login session can answer it.
//!
//! Errors come in two kinds (RFC 6749 §4.1.2.1): when the client or redirect URI cannot be
//! trusted we must not redirect ([`AuthorizeError::Fatal`]); every other error is sent back to the
//! client's redirect URI ([`AuthorizeError::Redirect`]).

use serde::Deserialize;

use super::authorization_details::{ApprovalAsk, INVALID_DETAILS, approval_ask};
use super::pkce;
use super::redirect::ResponseMode;
use super::scope::Scopes;
use crate::domain::client::Client;

/// The raw parameters of `/authz-srv/authz` (query or form). Unknown parameters are ignored.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuthorizeParams {
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub response_type: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub response_mode: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub acr_values: Option<String>,
    pub view_type: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
    /// RFC 9396; only the `transaction_approval` type is understood.
    pub authorization_details: Option<String>,
    /// The transaction approval a resumed request comes back from.
    pub approval_id: Option<String>,
}

/// What the client asked to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    Code,
    Token,
    IdToken,
    IdTokenToken,
}

impl ResponseType {
    /// Parses the space-separated set; hybrid combinations with `code` are not offered.
    pub fn parse(s: &str) -> Option<ResponseType> {
        let mut parts: Vec<&str> = s.split_whitespace().collect();
        parts.sort_unstable();
        parts.dedup();
        match parts.as_slice() {
            ["code"] => Some(ResponseType::Code),
            ["token"] => Some(ResponseType::Token),
            ["id_token"] => Some(ResponseType::IdToken),
            ["id_token", "token"] => Some(ResponseType::IdTokenToken),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Code => "code",
            ResponseType::Token => "token",
            ResponseType::IdToken => "id_token",
            ResponseType::IdTokenToken => "id_token token",
        }
    }

    pub fn is_implicit(self) -> bool {
        self != ResponseType::Code
    }

    pub fn returns_id_token(self) -> bool {
        matches!(self, ResponseType::IdToken | ResponseType::IdTokenToken)
    }

    pub fn returns_access_token(self) -> bool {
        matches!(self, ResponseType::Token | ResponseType::IdTokenToken)
    }
}

/// `prompt` values we act on (OIDC Core §3.1.2.1); `consent` and `select_account` are accepted
/// and need no action, as there is no consent screen and one account per browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    None,
    Login,
}

/// Which hosted page the user starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewType {
    Login,
    Register,
}

impl ViewType {
    pub fn as_str(self) -> &'static str {
        match self {
            ViewType::Login => "login",
            ViewType::Register => "register",
        }
    }

    pub fn parse(s: &str) -> Option<ViewType> {
        match s {
            "login" => Some(ViewType::Login),
            "register" => Some(ViewType::Register),
            _ => None,
        }
    }
}

/// A validated authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub response_type: ResponseType,
    pub response_mode: ResponseMode,
    pub scope: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Option<Prompt>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub acr_values: Option<String>,
    pub view_type: ViewType,
    /// A transaction to approve before the code is issued (`authorization_details`).
    pub approval: Option<ApprovalAsk>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Show an error page; never redirect.
    Fatal(String),
    /// Send `error` to the client's redirect URI.
    Redirect {
        redirect_uri: String,
        response_mode: ResponseMode,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

const MAX_PARAM_LEN: usize = 2048;

/// Validates `params` for `client` (already looked up by `client_id`).
pub fn validate(
    params: &AuthorizeParams,
    client: &Client,
) -> Result<AuthorizationRequest, AuthorizeError> {
    let redirect_uri = match params.redirect_uri.as_deref() {
        None | Some("") => {
            return Err(AuthorizeError::Fatal(
                "The request has no redirect_uri.".into(),
            ));
        }
        Some(uri) if !client.has_redirect_uri(uri) => {
            return Err(AuthorizeError::Fatal(
                "The redirect_uri is not registered for this application.".into(),
            ));
        }
        Some(uri) => uri.to_owned(),
    };
    let state = non_empty(&params.state);
    let parsed_type = params.response_type.as_deref().map(ResponseType::parse);
    // Until the response type is known, errors go back the safest way: in the query for code
    // flows, in the fragment for anything that could carry a token.
    let default_mode = match parsed_type {
        Some(Some(ResponseType::Code)) | None => ResponseMode::Query,
        _ => ResponseMode::Fragment,
    };
    let fail =
        |mode: ResponseMode, error: &'static str, description: &str| AuthorizeError::Redirect {
            redirect_uri: redirect_uri.clone(),
            response_mode: mode,
            state: state.clone(),
            error,
            description: description.to_owned(),
        };

    let response_mode = match non_empty(&params.response_mode) {
        None => default_mode,
        Some(m) => match m.parse::<ResponseMode>() {
            Ok(mode) => mode,
            Err(()) => {
                return Err(fail(
                    default_mode,
                    "invalid_request",
                    "Unsupported response_mode.",
                ));
            }
        },
    };
    if params.request.is_some() {
        return Err(fail(
            response_mode,
            "request_not_supported",
            "Request objects are not supported.",
        ));
    }
    if params.request_uri.is_some() {
        return Err(fail(
            response_mode,
            "request_uri_not_supported",
            "request_uri is not supported.",
        ));
    }
    let response_type = match parsed_type {
        None => {
            return Err(fail(
                response_mode,
                "invalid_request",
                "response_type is required.",
            ));
        }
        Some(None) => {
            return Err(fail(
                response_mode,
                "unsupported_response_type",
                "Only code, token and id_token token are supported.",
            ));
        }
        Some(Some(t)) => t,
    };
    if response_type.is_implicit() && response_mode == ResponseMode::Query {
        return Err(fail(
            default_mode,
            "invalid_request",
            "Tokens are never returned in the query.",
        ));
    }
    if response_type.is_implicit() && !client.allow_implicit {
        return Err(fail(
            response_mode,
            "unauthorized_client",
            "This application may not use the implicit flow.",
        ));
    }
    if response_type == ResponseType::Code
        && !client.allows_grant(crate::domain::client::GrantType::AuthorizationCode)
    {
        return Err(fail(
            response_mode,
            "unauthorized_client",
            "This application may not use the authorization code flow.",
        ));
    }
    for value in [
        &params.state,
        &params.nonce,
        &params.login_hint,
        &params.ui_locales,
        &params.acr_values,
        &params.scope,
    ] {
        if value.as_ref().is_some_and(|v| v.len() > MAX_PARAM_LEN) {
            return Err(fail(
                response_mode,
                "invalid_request",
                "A parameter is too long.",
            ));
        }
    }

    let scope = Scopes::parse_supported(params.scope.as_deref().unwrap_or(""));
    let nonce = non_empty(&params.nonce);
    if response_type.returns_id_token() {
        if !scope.contains("openid") {
            return Err(fail(
                response_mode,
                "invalid_scope",
                "The openid scope is required to receive an ID token.",
            ));
        }
        if nonce.is_none() {
            return Err(fail(
                response_mode,
                "invalid_request",
                "nonce is required when an ID token is returned from the authorization endpoint.",
            ));
        }
    }

    let code_challenge = non_empty(&params.code_challenge);
    if let Some(challenge) = &code_challenge {
        // RFC 7636 §4.3: a missing method means "plain", which we refuse (RFC 9700 §2.1.1).
        if params.code_challenge_method.as_deref() != Some("S256") {
            return Err(fail(
                response_mode,
                "invalid_request",
                "code_challenge_method must be S256.",
            ));
        }
        if !pkce::is_valid_challenge(challenge) {
            return Err(fail(
                response_mode,
                "invalid_request",
                "code_challenge is malformed.",
            ));
        }
    } else if params.code_challenge_method.is_some() {
        return Err(fail(
            response_mode,
            "invalid_request",
            "code_challenge_method was sent without a code_challenge.",
        ));
    } else if client.is_public && response_type == ResponseType::Code {
        return Err(fail(
            response_mode,
            "invalid_request",
            "PKCE is required: send a code_challenge with method S256.",
        ));
    }

    let prompt = match parse_prompt(params.prompt.as_deref()) {
        Ok(p) => p,
        Err(description) => return Err(fail(response_mode, "invalid_request", description)),
    };
    let max_age = match non_empty(&params.max_age) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n),
            _ => {
                return Err(fail(
                    response_mode,
                    "invalid_request",
                    "max_age must be a non-negative integer.",
                ));
            }
        },
    };
    let view_type = match non_empty(&params.view_type) {
        None => ViewType::Login,
        Some(v) => match ViewType::parse(&v) {
            Some(t) => t,
            None => {
                return Err(fail(
                    response_mode,
                    "invalid_request",
                    "view_type must be login or register.",
                ));
            }
        },
    };

    let approval = approval_ask(
        params.authorization_details.as_deref(),
        params.approval_id.as_deref(),
        client,
        response_type,
    )
    .map_err(|description| fail(response_mode, INVALID_DETAILS, &description))?;

    Ok(AuthorizationRequest {
        approval,
        client_id: client.id.clone(),
        redirect_uri,
        response_type,
        response_mode,
        scope,
        state,
        nonce,
        code_challenge,
        prompt,
        max_age,
        login_hint: non_empty(&params.login_hint),
        ui_locales: non_empty(&params.ui_locales),
        acr_values: non_empty(&params.acr_values),
        view_type,
    })
}

fn parse_prompt(prompt: Option<&str>) -> Result<Option<Prompt>, &'static str> {
    let values: Vec<&str> = prompt.unwrap_or("").split_whitespace().collect();
    if values
        .iter()
        .any(|v| !matches!(*v, "none" | "login" | "consent" | "select_account"))
    {
        return Err("Unsupported prompt value.");
    }
    if values.contains(&"none") {
        // OIDC Core §3.1.2.1: none must stand alone.
        return if values.len() == 1 {
            Ok(Some(Prompt::None))
        } else {
            Err("prompt=none cannot be combined with other values.")
        };
    }
    Ok(values.contains(&"login").then_some(Prompt::Login))
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The login this browser already has, as far as an authorization request cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingLogin {
    pub user_email: String,
    pub auth_time: i64,
}

/// What to do with a valid request given the browser's login session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionDecision {
    /// The session satisfies the request: answer at once.
    UseSession,
    /// Interaction is needed but `prompt=none` forbids it.
    LoginRequired,
    /// Show the hosted login pages.
    Interact,
}

/// OIDC Core §3.1.2.1: `prompt=login` and an exceeded `max_age` force a new login; a
/// `login_hint` naming someone else than the signed-in user does too.
pub fn decide(
    request: &AuthorizationRequest,
    login: Option<&ExistingLogin>,
    now: i64,
) -> SessionDecision {
    let usable = login.is_some_and(|l| {
        request.prompt != Some(Prompt::Login)
            && request.max_age.is_none_or(|max| now - l.auth_time <= max)
            && request
                .login_hint
                .as_deref()
                .is_none_or(|hint| hint.trim().eq_ignore_ascii_case(&l.user_email))
    });
    match (usable, request.prompt) {
        (true, _) => SessionDecision::UseSession,
        (false, Some(Prompt::None)) => SessionDecision::LoginRequired,
        (false, _) => SessionDecision::Interact,
    }
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;

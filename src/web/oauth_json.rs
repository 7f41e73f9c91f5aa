//! Shared pieces of the JSON OAuth endpoints (token, introspection, revocation): body parsing
//! (form or JSON), client authentication (RFC 6749 §2.3) and RFC 6749 §5.2 error bodies.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::WebError;
use crate::domain::client::Client;
use crate::domain::ids::{constant_time_eq, hash_secret};
use crate::domain::oauth::token::TokenError;
use crate::flows::AppState;

/// Parses a form-encoded (the standard) or JSON body.
pub fn parse_body<T: DeserializeOwned>(req: &HttpRequest, body: &[u8]) -> Result<T, TokenError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") {
        serde_json::from_slice(body)
            .map_err(|e| TokenError::InvalidRequest(format!("Malformed JSON body: {e}")))
    } else {
        serde_urlencoded::from_bytes(body)
            .map_err(|e| TokenError::InvalidRequest(format!("Malformed form body: {e}")))
    }
}

/// An OAuth error, remembering whether the client tried HTTP Basic (then a 401 must carry
/// `WWW-Authenticate`, RFC 6749 §5.2).
pub struct OAuthError {
    pub error: TokenError,
    pub basic: bool,
}

impl From<TokenError> for OAuthError {
    fn from(error: TokenError) -> Self {
        OAuthError {
            error,
            basic: false,
        }
    }
}

/// Either an OAuth error body or an infrastructure failure.
pub enum Failure {
    OAuth(OAuthError),
    Web(WebError),
}

impl From<TokenError> for Failure {
    fn from(e: TokenError) -> Self {
        Failure::OAuth(e.into())
    }
}

impl From<OAuthError> for Failure {
    fn from(e: OAuthError) -> Self {
        Failure::OAuth(e)
    }
}

impl From<WebError> for Failure {
    fn from(e: WebError) -> Self {
        Failure::Web(e)
    }
}

impl From<crate::flows::FlowError> for Failure {
    fn from(e: crate::flows::FlowError) -> Self {
        Failure::Web(e.into())
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        Failure::Web(e.into())
    }
}

impl Failure {
    /// An OAuth error becomes its RFC 6749 body here; a [`WebError`] (busy, a store failure) is
    /// returned as is and answered in the same JSON shape by `web::error_shape`.
    pub fn into_response(self) -> Result<HttpResponse, WebError> {
        match self {
            Failure::OAuth(e) => Ok(error_response(&e)),
            Failure::Web(e) => Err(e),
        }
    }
}

/// RFC 6749 §5.2 error body with `Cache-Control: no-store`.
pub fn error_response(e: &OAuthError) -> HttpResponse {
    let status = match e.error {
        TokenError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = HttpResponse::build(status);
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == StatusCode::UNAUTHORIZED && e.basic {
        response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"gatehouse\""));
    }
    response.json(error_body(e.error.code(), e.error.description()))
}

/// An RFC 6749 §5.2 error body (also for errors no handler answered, see `web::error_shape`).
pub fn error_body(code: &str, description: &str) -> serde_json::Value {
    serde_json::json!({ "error": code, "error_description": description })
}

/// A successful JSON body with `Cache-Control: no-store` (RFC 6749 §5.1).
pub fn no_store_json<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(body)
}

/// Authenticates the calling client by `client_secret_basic`, `client_secret_post`, or — for
/// public clients only — by `client_id` alone. Using two methods at once is refused.
pub async fn authenticate_client(
    state: &AppState,
    req: &HttpRequest,
    body_client_id: Option<&str>,
    body_secret: Option<&str>,
) -> Result<Client, Failure> {
    let basic = basic_credentials(req)?;
    let used_basic = basic.is_some();
    let fail = |d: &str| OAuthError {
        error: TokenError::InvalidClient(d.to_owned()),
        basic: used_basic,
    };
    let (client_id, secret) = match (basic, body_secret) {
        (Some(_), Some(_)) => {
            return Err(TokenError::InvalidRequest(
                "Use one client authentication method, not two.".into(),
            )
            .into());
        }
        (Some((id, secret)), None) => {
            if body_client_id.is_some_and(|b| b != id) {
                return Err(TokenError::InvalidRequest(
                    "client_id does not match the credentials.".into(),
                )
                .into());
            }
            (id, Some(secret))
        }
        (None, secret) => match body_client_id {
            Some(id) => (id.to_owned(), secret.map(str::to_owned)),
            None => return Err(fail("Client authentication is required.").into()),
        },
    };
    let client = crate::flows::clients::find(state, &client_id)
        .await?
        .ok_or_else(|| fail("Unknown client or wrong credentials."))?;
    match (&client.secret_hash, secret) {
        (Some(expected), Some(given)) if constant_time_eq(expected, &hash_secret(&given)) => {
            Ok(client)
        }
        (None, None) if client.is_public => Ok(client),
        (None, Some(_)) => Err(fail("This public client has no secret.").into()),
        _ => Err(fail("Unknown client or wrong credentials.").into()),
    }
}

/// `Authorization: Basic` credentials; each part is form-urlencoded first (RFC 6749 §2.3.1).
fn basic_credentials(req: &HttpRequest) -> Result<Option<(String, String)>, Failure> {
    let Some(value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Ok(None);
    };
    let malformed = || OAuthError {
        error: TokenError::InvalidClient("Malformed Basic credentials.".into()),
        basic: true,
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

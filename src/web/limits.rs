//! The rate limit in front of every anonymous POST, in ONE place: a middleware that resolves
//! the client's address (trusted proxies, `domain::client_ip`), counts the request against the
//! per-IP limiter of `flows::limits`, and answers 429 with `Retry-After` when it is over. The
//! answer is a bodiless [`WebError::Limited`] response: the app's error middleware renders it
//! in the path's own shape (HTML page, cidaas envelope, RFC 6749 JSON). Every request then
//! runs with its client address known to the sending flows (`flows::limits::with_client_ip`).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use super::error::WebError;
use crate::flows::AppState;
use crate::flows::limits::with_client_ip;

/// Anonymous POST endpoints limited per client IP, by exact path.
const LIMITED: &[&str] = &[
    "/login-srv/login",
    "/login-srv/verification/login",
    "/login/verify",
    "/login/code/send",
    "/login/code",
    "/login/code/resend",
    "/mfa",
    "/register",
    "/register/confirm",
    "/register/resend",
    "/password/forgot",
    "/password/reset",
    "/password/resend",
    "/token-srv/token",
    "/authz-srv/authrequest/authz/generate",
    "/verification-srv/public/graph/user/setup",
    "/verification-srv/v2/setup/public/configured/list",
];

/// … and by path prefix (initiate, verify, resend and cancel of the verification service; the
/// precheck continuation).
const LIMITED_PREFIXES: &[&str] = &[
    "/verification-srv/authentication/",
    "/verification-srv/v2/authenticate/",
    "/login-srv/precheck/",
];

/// Whether a request counts against the per-IP limit.
pub fn is_limited(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (LIMITED.contains(&path) || LIMITED_PREFIXES.iter().any(|p| path.starts_with(p)))
}

/// What a limited person is told (the `Retry-After` header carries the seconds too).
pub fn message(retry_after: u64, budget: Option<&str>) -> String {
    match budget {
        Some(_) => format!(
            "Too many messages were sent lately. Please try again in about {} minute(s).",
            retry_after.div_ceil(60)
        ),
        None => format!(
            "Too many attempts from here. Please wait {retry_after} second(s) and try again."
        ),
    }
}

/// The middleware (`middleware::from_fn`), registered inside the error middleware.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, actix_web::Error> {
    let ip = super::audit::client_addr(req.request());
    if let (Some(ip), Some(state)) = (ip, req.app_data::<web::Data<AppState>>())
        && is_limited(req.method(), req.path())
        && let Err(e) = state.limits.check_ip(ip)
    {
        let response = WebError::from(e).error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    let res = with_client_ip(ip.map(|ip| ip.to_string()), next.call(req)).await?;
    Ok(res.map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_anonymous_posts_are_limited() {
        assert!(is_limited(&Method::POST, "/login-srv/login"));
        assert!(is_limited(
            &Method::POST,
            "/verification-srv/authentication/sms/initiation"
        ));
        assert!(is_limited(&Method::POST, "/token-srv/token"));
        assert!(!is_limited(&Method::GET, "/login-srv/login"));
        assert!(!is_limited(&Method::POST, "/admin/users"));
        assert!(!is_limited(&Method::POST, "/token-srv/introspect"));
    }
}

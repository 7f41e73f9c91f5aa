//! An application's own login UI posting the password to `POST /login-srv/login` (API.md §4).
//! It runs on another site, so it has neither our cookie (SameSite=Lax keeps it away from a
//! cross-site post) nor our form's CSRF token. What binds its post instead: the request it
//! names, and the browser's `Origin` (or `Referer`) being one the application registered as its
//! login UI — a page elsewhere cannot make a browser post someone else's password sign-in
//! (login CSRF), because browsers set `Origin` themselves.

use actix_web::HttpRequest;
use actix_web::http::header;

use super::error::WebError;
use super::login_flow::pending_for_proof;
use crate::domain::oauth::pending::PendingRequest;
use crate::flows::AppState;

/// A password post from the application's registered login UI: its request, and the page to
/// send the user back to when the password is refused.
pub struct LoginUiPost {
    pub pending: PendingRequest,
    pub page: url::Url,
}

/// Accepts the post when it comes from one of the request's application's login UI origins.
/// When our cookie is there anyway, it must be the browser the request is bound to.
pub async fn login_ui_post(
    state: &AppState,
    req: &HttpRequest,
    request_id: &str,
) -> Result<LoginUiPost, WebError> {
    let refused = || {
        WebError::Forbidden("The form has expired. Go back, reload the page and try again.".into())
    };
    let origin = sender_origin(req).ok_or_else(refused)?;
    let pending = pending_for_proof(state, req, request_id).await?;
    let client = crate::flows::clients::find(state, &pending.request.client_id)
        .await?
        .ok_or_else(refused)?;
    if !client.has_login_ui_origin(&origin) {
        return Err(refused());
    }
    // Back to the page that posted, when the browser told us which one (same origin); else the
    // origin's root.
    let page = referer(req)
        .filter(|r| r.origin().ascii_serialization() == origin)
        .or_else(|| url::Url::parse(&origin).ok())
        .ok_or_else(refused)?;
    Ok(LoginUiPost { pending, page })
}

impl LoginUiPost {
    /// The login UI's page with `error` (and the request) in its query, as cidaas does.
    pub fn back_with(&self, error: &str, extra: &[(&str, String)]) -> String {
        let mut page = self.page.clone();
        let kept: Vec<(String, String)> = page
            .query_pairs()
            .filter(|(k, _)| {
                !matches!(
                    &**k,
                    "requestId" | "error" | "error_description" | "minutes"
                )
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        {
            let mut query = page.query_pairs_mut();
            query.clear().extend_pairs(kept);
            query.append_pair("requestId", &self.pending.id);
            query.append_pair("error", error);
            for (k, v) in extra {
                query.append_pair(k, v);
            }
        }
        page.into()
    }
}

/// The origin of the page that sent the request: `Origin`, else the `Referer`'s origin.
fn sender_origin(req: &HttpRequest) -> Option<String> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null");
    match origin {
        Some(o) => Some(o.to_owned()),
        None => referer(req).map(|r| r.origin().ascii_serialization()),
    }
}

fn referer(req: &HttpRequest) -> Option<url::Url> {
    req.headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
}

//! The files of applications' branding: `GET /branding/{client_id}/logo-{sha256}.{png|svg}`
//! and `GET /branding/{client_id}/style-{hash}.css`. Each URL names its content, so browsers
//! and mail clients may keep it for a year (`immutable`); a URL whose hash is not the current
//! content's is 404. A served SVG gets a CSP of its own that lets it draw and nothing else,
//! should anyone open it as a document.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::flows::AppState;
use crate::store;
use crate::web::brand::{stylesheet, stylesheet_hash};
use crate::web::error::WebError;

/// Content-addressed: the URL changes when the content does.
const FOREVER: &str = "public, max-age=31536000, immutable";
/// A served SVG may use its own inline styles; no script, no fetching.
const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// `GET /branding/{client_id}/{file}`.
pub async fn file(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, WebError> {
    let (client_id, file) = path.into_inner();
    if let Some(name) = file.strip_prefix("logo-") {
        return logo(&state, client_id, name).await;
    }
    if let Some(hash) = file
        .strip_prefix("style-")
        .and_then(|rest| rest.strip_suffix(".css"))
    {
        return style(&state, &client_id, hash).await;
    }
    Err(not_found())
}

fn not_found() -> WebError {
    WebError::NotFound("There is no such file.".into())
}

/// `logo-{sha256}.{png|svg}`: the stored logo, if it is this one.
async fn logo(state: &AppState, client_id: String, name: &str) -> Result<HttpResponse, WebError> {
    let (sha256, extension) = name.rsplit_once('.').ok_or_else(not_found)?;
    let logo = state
        .store
        .run(move |c| store::branding::find_logo(c, &client_id))
        .await?
        .filter(|l| l.sha256 == sha256 && l.kind.extension() == extension)
        .ok_or_else(not_found)?;
    let mut response = HttpResponse::Ok();
    response
        .content_type(logo.kind.content_type())
        .insert_header((header::CACHE_CONTROL, FOREVER))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if logo.kind == crate::domain::branding::LogoKind::Svg {
        response.insert_header((header::CONTENT_SECURITY_POLICY, SVG_CSP));
    }
    Ok(response.body(logo.bytes))
}

/// `style-{hash}.css`: the application's accent colour, if this is its stylesheet.
async fn style(state: &AppState, client_id: &str, hash: &str) -> Result<HttpResponse, WebError> {
    let accent = crate::flows::branding::find(state, client_id)
        .await?
        .and_then(|b| b.accent)
        .filter(|accent| stylesheet_hash(*accent) == hash)
        .ok_or_else(not_found)?;
    Ok(HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, FOREVER))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(stylesheet(accent)))
}

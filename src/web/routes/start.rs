//! The start page, `/health`, and the embedded static assets.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use askama::Template;
use askama_web::WebTemplate;

use crate::flows::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "start/index.html")]
pub struct StartPage {
    tr: crate::i18n::Tr,
    issuer: String,
}

pub async fn start(state: web::Data<AppState>, lang: crate::web::extract::Lang) -> StartPage {
    StartPage {
        tr: lang.tr(),
        issuer: state.issuer.to_string(),
    }
}

/// Healthy when the database answers.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    match state.store.ping().await {
        Ok(()) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({"status": "ok"})),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            HttpResponse::ServiceUnavailable()
                .json(serde_json::json!({"status": "unavailable", "database": "unreachable"}))
        }
    }
}

const STYLE: &str = include_str!("../../../static/style.css");
const FORM_POST_JS: &str = include_str!("../../../static/form_post.js");

pub async fn style() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLE)
}

pub async fn form_post_js() -> HttpResponse {
    asset("text/javascript; charset=utf-8", FORM_POST_JS)
}

fn asset(content_type: &'static str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

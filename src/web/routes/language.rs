//! `POST /language` (form `lang`, `back`): the language switch of the hosted and account pages.
//! The choice is kept in the session (`web::extract::lang`) and the browser goes back to the
//! page it came from — only ever a path on this site, so the form cannot redirect elsewhere.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::flows::AppState;
use crate::i18n::is_shipped;
use crate::web::error::WebError;
use crate::web::extract::remember_choice;
use crate::web::hosted::see_other;

/// The longest `back` we follow; a longer one is no page of ours.
const MAX_BACK: usize = 2048;

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    back: Option<String>,
}

pub async fn switch(
    state: web::Data<AppState>,
    req: HttpRequest,
    session: Session,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, WebError> {
    // Another site's page may not change it: the session cookie is SameSite=Lax, but a new
    // session set by a cross-site post would still replace the visitor's.
    if let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
    {
        let ours = url::Url::parse(&state.issuer)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_default();
        if origin != ours {
            return Err(WebError::Forbidden(
                "The language can only be changed from our own pages.".into(),
            ));
        }
    }
    if !is_shipped(&form.lang) {
        return Err(WebError::BadRequest(
            "Choose one of the languages offered.".into(),
        ));
    }
    remember_choice(&session, &form.lang, state.now())
        .map_err(|e| WebError::Internal(anyhow::anyhow!("keeping the language: {e}")))?;
    Ok(see_other(local_path(form.back.as_deref())))
}

/// `back` when it is a path on this site (`/…`, not `//host` or `/\host`, which browsers read
/// as another site), otherwise the start page.
pub fn local_path(back: Option<&str>) -> String {
    match back {
        Some(b)
            if b.len() <= MAX_BACK
                && b.starts_with('/')
                && !b.starts_with("//")
                && !b.contains('\\')
                && !b.chars().any(char::is_control) =>
        {
            b.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_a_local_path_is_followed_back() {
        assert_eq!(
            local_path(Some("/login?requestId=abc")),
            "/login?requestId=abc"
        );
        assert_eq!(local_path(Some("/account")), "/account");
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "",
            "/a\r\nLocation: x",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}

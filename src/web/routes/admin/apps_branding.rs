//! The Branding section of an application's page (`/admin/apps/{id}`): the name users see, a
//! logo (uploaded as multipart/form-data), an accent colour and links to the application's
//! privacy policy and terms. The rules are `domain::branding`'s; a refused form is shown again
//! with an error next to each field and nothing stored. Every save is audit-logged.

use actix_multipart::MultipartError;
use actix_multipart::form::bytes::Bytes as Upload;
use actix_multipart::form::text::Text;
use actix_multipart::form::{MultipartForm, MultipartFormConfig};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::apps::{edit_page, editable};
use super::changes;
use crate::domain::branding::{
    Branding, BrandingChange, BrandingDraft, FieldError, LogoChange, LogoRef,
};
use crate::flows::AppState;
use crate::flows::branding::logo_path;
use crate::web::audit::{self, Audit};
use crate::web::error::{WebError, error_response};
use crate::web::extract::{Admin, CsrfUpload, UploadToken};
use crate::web::hosted::see_other;

/// The largest branding form accepted at all (bigger is a 413 before it is read): room for a
/// logo a little over the limit, so its refusal can say by how much.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The size limit of the branding form, and a clear answer to a form that is too large or
/// malformed (one that is not multipart at all is answered by `CsrfUpload`).
pub fn upload_config() -> MultipartFormConfig {
    MultipartFormConfig::default()
        .total_limit(MAX_FORM_BYTES)
        .memory_limit(MAX_FORM_BYTES)
        .error_handler(|e, _| {
            let too_large = matches!(
                e,
                MultipartError::Payload(actix_web::error::PayloadError::Overflow)
            );
            if !too_large {
                return WebError::BadRequest(format!("The branding form cannot be read: {e}."))
                    .into();
            }
            let response = error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The logo was not saved",
                "The form is larger than 1 MB. The logo may be at most 100 KB.".into(),
            );
            actix_web::error::InternalError::from_response(e, response).into()
        })
}

/// The branding form as posted.
#[derive(MultipartForm)]
pub struct BrandingUpload {
    csrf_token: Option<Text<String>>,
    display_name: Option<Text<String>>,
    accent: Option<Text<String>>,
    privacy_url: Option<Text<String>>,
    terms_url: Option<Text<String>>,
    remove_logo: Option<Text<String>>,
    logo: Option<Upload>,
}

impl UploadToken for BrandingUpload {
    fn csrf_token(&self) -> Option<&str> {
        self.csrf_token.as_ref().map(|t| t.as_str())
    }
}

impl BrandingUpload {
    fn into_draft(self) -> BrandingDraft {
        let text = |t: Option<Text<String>>| t.map(Text::into_inner).unwrap_or_default();
        BrandingDraft {
            display_name: text(self.display_name),
            accent: text(self.accent),
            privacy_url: text(self.privacy_url),
            terms_url: text(self.terms_url),
            remove_logo: self.remove_logo.is_some(),
            // A browser sends an empty part for a file input left empty: no new logo.
            logo: self
                .logo
                .map(|upload| upload.data.to_vec())
                .filter(|data| !data.is_empty()),
        }
    }
}

/// The section as the template shows it.
pub struct BrandingForm {
    pub display_name: String,
    pub accent: String,
    pub privacy_url: String,
    pub terms_url: String,
    /// The stored logo, to show beside the upload.
    pub logo_url: Option<String>,
    pub errors: Vec<FieldError>,
    pub saved: bool,
}

impl BrandingForm {
    pub fn new(
        client_id: &str,
        stored: &Branding,
        draft: &BrandingDraft,
        errors: Vec<FieldError>,
    ) -> BrandingForm {
        BrandingForm {
            display_name: draft.display_name.clone(),
            accent: draft.accent.clone(),
            privacy_url: draft.privacy_url.clone(),
            terms_url: draft.terms_url.clone(),
            logo_url: stored.logo.as_ref().map(|l| logo_path(client_id, l)),
            errors,
            saved: false,
        }
    }

    /// The form showing what is stored.
    pub fn stored(client_id: &str, stored: &Branding) -> BrandingForm {
        BrandingForm::new(
            client_id,
            stored,
            &BrandingDraft::from_branding(stored),
            vec![],
        )
    }

    /// The error of the field named `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field.as_str() == field)
            .map(|e| e.message.as_str())
    }
}

/// The stored branding of `client_id` (the default when none).
pub async fn stored(state: &AppState, client_id: &str) -> Result<Branding, WebError> {
    Ok(crate::flows::branding::find(state, client_id)
        .await?
        .unwrap_or_default())
}

/// `POST /admin/apps/{id}/branding`.
pub async fn save(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: CsrfUpload<BrandingUpload>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let client = editable(&state, &path).await?;
    let draft = form.into_inner().into_draft();
    let before = stored(&state, &client.id).await?;
    let change = match draft.validate() {
        Ok(change) => change,
        Err(errors) => {
            let view = BrandingForm::new(&client.id, &before, &draft, errors);
            return edit_page(
                &state,
                &admin,
                client,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let detail = audit_detail(&before, &change);
    crate::flows::branding::save(&state, &client.id, change).await?;
    audit::record(
        &state,
        &req,
        Audit::success("admin.client.branding")
            .actor(&admin.id)
            .client(&client.id)
            .detail(if detail.is_empty() {
                "no changes".into()
            } else {
                detail
            }),
    )
    .await;
    Ok(see_other(format!(
        "/admin/apps/{}?notice=branding#branding",
        url::form_urlencoded::byte_serialize(client.id.as_bytes()).collect::<String>()
    )))
}

/// "field: before → after" for each branding field that changed (the logo by kind and hash).
fn audit_detail(before: &Branding, change: &BrandingChange) -> String {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
    let logo = |l: Option<&LogoRef>| {
        l.map_or_else(
            || "none".to_owned(),
            |l| {
                format!(
                    "{} {}",
                    l.kind.extension(),
                    &l.sha256[..12.min(l.sha256.len())]
                )
            },
        )
    };
    let after_logo = match &change.logo {
        LogoChange::Keep => logo(before.logo.as_ref()),
        LogoChange::Remove => "none".to_owned(),
        LogoChange::Replace(new) => logo(Some(&LogoRef {
            kind: new.kind,
            sha256: new.sha256.clone(),
        })),
    };
    let accent = |a: Option<crate::domain::branding::Rgb>| {
        a.map_or_else(|| "none".to_owned(), |a| a.to_string())
    };
    changes(&[
        (
            "display_name",
            text(&before.display_name),
            text(&change.display_name),
        ),
        ("accent", accent(before.accent), accent(change.accent)),
        (
            "privacy_url",
            text(&before.privacy_url),
            text(&change.privacy_url),
        ),
        (
            "terms_url",
            text(&before.terms_url),
            text(&change.terms_url),
        ),
        ("logo", logo(before.logo.as_ref()), after_logo),
    ])
}

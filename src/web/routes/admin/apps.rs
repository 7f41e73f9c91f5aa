//! `/admin/apps`: the registered applications (OAuth clients) — list, register, edit. Deleting
//! and rotating a secret are in `apps_manage.rs`. The rules are `gatehouse client create`'s
//! (`domain::client_settings`), so the page and the command line accept the same things.
//!
//! Gatehouse's own clients (ids starting with `gatehouse-`, e.g. the sign-in of `/account` and
//! `/admin`) are made and kept in shape by the application at every start; they are not listed
//! and cannot be changed here, so an administrator cannot lock everyone out of the admin area.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::apps_branding::{self, BrandingForm};
use super::apps_form::{self, FormView, audit_fields, client_type};
use super::{Chrome, Section, changes};
use crate::domain::client::Client;
use crate::domain::client_settings::ClientDraft;
use crate::domain::ids::hash_secret;
use crate::flows::AppState;
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf};
use crate::web::hosted::{html, see_other};

/// Applications per page of the list.
const PER_PAGE: i64 = 25;

/// One row of the list.
struct Row {
    id: String,
    name: String,
    client_type: &'static str,
    mfa_policy: &'static str,
    redirect_uris: usize,
    created: String,
}

#[derive(Template)]
#[template(path = "admin/apps.html")]
struct AppsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    page: i64,
    previous: Option<i64>,
    next: Option<i64>,
    total: i64,
    notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/app_form.html")]
struct AppFormPage {
    chrome: Chrome,
    /// `None` while registering a new application.
    client_id: Option<String>,
    /// Whether the stored application is confidential (it has a secret to rotate).
    has_secret: bool,
    form: FormView,
    /// The Branding section (a stored application only).
    branding: Option<BrandingForm>,
}

/// The page that shows a client secret, the only time it is shown.
#[derive(Template)]
#[template(path = "admin/app_secret.html")]
pub(super) struct AppSecretPage {
    pub chrome: Chrome,
    pub heading: &'static str,
    pub name: String,
    pub client_id: String,
    pub secret: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    notice: Option<String>,
}

/// `GET /admin/apps?page=N`.
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let page = query
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=1_000_000).contains(p))
        .unwrap_or(1);
    let (total, listed) = state
        .store
        .run(move |c| {
            Ok((
                store::clients::count_clients(c)?,
                store::clients::list_clients(c, (page - 1) * PER_PAGE, PER_PAGE)?,
            ))
        })
        .await?;
    let rows = listed
        .into_iter()
        .map(|l| Row {
            client_type: client_type(&l.client),
            mfa_policy: l.client.mfa_policy.as_str(),
            redirect_uris: l.client.redirect_uris.len(),
            created: crate::web::words::utc(l.created_at),
            id: l.client.id,
            name: l.client.name,
        })
        .collect();
    let page_view = AppsPage {
        chrome: Chrome::new(&state, &admin, Section::Applications),
        rows,
        page,
        previous: (page > 1).then_some(page - 1),
        next: (page * PER_PAGE < total).then_some(page + 1),
        total,
        notice: match query.notice.as_deref() {
            Some("updated") => Some("The application was saved."),
            Some("deleted") => Some("The application was deleted, with its tokens and grants."),
            _ => None,
        },
    };
    html(&state, &admin.browser, &page_view, StatusCode::OK)
}

/// `GET /admin/apps/new`.
pub async fn new_form(state: web::Data<AppState>, admin: Admin) -> Result<HttpResponse, WebError> {
    let form = FormView::new(&apps_form::new_draft(), state.lifetimes, Vec::new());
    render_form(&state, &admin, None, false, form, None, StatusCode::OK)
}

fn render_form(
    state: &AppState,
    admin: &Admin,
    client_id: Option<String>,
    has_secret: bool,
    form: FormView,
    branding: Option<BrandingForm>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let page = AppFormPage {
        chrome: Chrome::new(state, admin, Section::Applications),
        client_id,
        has_secret,
        form,
        branding,
    };
    html(state, &admin.browser, &page, status)
}

/// `POST /admin/apps`: registers an application and shows its secret once.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<Vec<(String, String)>>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let draft = apps_form::parse(form.into_inner());
    let settings = match draft.validate() {
        Ok(settings) => settings,
        Err(errors) => {
            let form = FormView::new(&draft, state.lifetimes, errors);
            return render_form(
                &state,
                &admin,
                None,
                false,
                form,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let secret = (!settings.is_public).then(crate::app::new_client_secret);
    let client = Client::new(
        uuid::Uuid::new_v4().to_string(),
        secret.as_deref().map(hash_secret),
        settings,
    );
    let (row, now) = (client.clone(), state.now());
    state
        .store
        .run(move |c| store::clients::insert_client(c, &row, now))
        .await?;
    crate::flows::clients::changed(&state);
    let fields: Vec<(&str, String, String)> = audit_fields(&client)
        .into_iter()
        .map(|(k, v)| (k, "—".to_owned(), v))
        .collect();
    audit::record(
        &state,
        &req,
        Audit::success("admin.client.create")
            .actor(&admin.id)
            .client(&client.id)
            .detail(changes(&fields)),
    )
    .await;
    let page = AppSecretPage {
        chrome: Chrome::new(&state, &admin, Section::Applications),
        heading: "Application registered",
        name: client.name,
        client_id: client.id,
        secret,
    };
    html(&state, &admin.browser, &page, StatusCode::OK)
}

/// A registered application that administrators may change; built-in and unknown ids are 404.
pub(super) async fn editable(state: &AppState, id: &str) -> Result<Client, WebError> {
    let lookup = id.to_owned();
    state
        .store
        .run(move |c| store::clients::find_client(c, &lookup))
        .await?
        .filter(|c| !c.is_builtin())
        .ok_or_else(|| WebError::NotFound("There is no such application.".into()))
}

#[derive(Deserialize)]
pub struct EditQuery {
    notice: Option<String>,
}

/// `GET /admin/apps/{id}`: the edit form, and the Branding section.
pub async fn edit_form(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let client = editable(&state, &path).await?;
    let mut branding = BrandingForm::stored(
        &client.id,
        &apps_branding::stored(&state, &client.id).await?,
    );
    branding.saved = query.notice.as_deref() == Some("branding");
    edit_page(&state, &admin, client, branding, StatusCode::OK).await
}

/// The page of a stored application with its settings as stored and `branding`.
pub(super) async fn edit_page(
    state: &AppState,
    admin: &Admin,
    client: Client,
    branding: BrandingForm,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let form = FormView::new(&ClientDraft::from_client(&client), state.lifetimes, vec![]);
    let has_secret = client.secret_hash.is_some();
    render_form(
        state,
        admin,
        Some(client.id),
        has_secret,
        form,
        Some(branding),
        status,
    )
}

/// `POST /admin/apps/{id}`: saves the settings. Turning a public client confidential gives it
/// a secret (shown once); turning it public removes the secret.
pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: Csrf<Vec<(String, String)>>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let draft = apps_form::parse(form.into_inner());
    let before = editable(&state, &path).await?;
    let settings = match draft.validate() {
        Ok(settings) => settings,
        Err(errors) => {
            let form = FormView::new(&draft, state.lifetimes, errors);
            let has_secret = before.secret_hash.is_some();
            let branding = BrandingForm::stored(
                &before.id,
                &apps_branding::stored(&state, &before.id).await?,
            );
            return render_form(
                &state,
                &admin,
                Some(before.id),
                has_secret,
                form,
                Some(branding),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let mut after = before.clone();
    after.apply(settings);
    let mut new_secret = None;
    let type_changed = before.is_public != after.is_public;
    if type_changed {
        new_secret = (!after.is_public).then(crate::app::new_client_secret);
        after.secret_hash = new_secret.as_deref().map(hash_secret);
    }
    let row = after.clone();
    let updated = state
        .store
        .run(move |c| store::clients::update_client(c, &row, type_changed))
        .await;
    crate::flows::clients::changed(&state);
    if !updated? {
        return Err(WebError::NotFound("There is no such application.".into()));
    }
    let fields: Vec<(&str, String, String)> = audit_fields(&before)
        .into_iter()
        .zip(audit_fields(&after))
        .map(|((k, b), (_, a))| (k, b, a))
        .collect();
    let mut detail = changes(&fields);
    if type_changed {
        detail.push_str(if after.is_public {
            "; client secret removed"
        } else {
            "; client secret issued"
        });
    }
    audit::record(
        &state,
        &req,
        Audit::success("admin.client.update")
            .actor(&admin.id)
            .client(&after.id)
            .detail(if detail.is_empty() {
                "no changes".into()
            } else {
                detail
            }),
    )
    .await;
    if new_secret.is_some() {
        let page = AppSecretPage {
            chrome: Chrome::new(&state, &admin, Section::Applications),
            heading: "Application saved: it now has a client secret",
            name: after.name,
            client_id: after.id,
            secret: new_secret,
        };
        return html(&state, &admin.browser, &page, StatusCode::OK);
    }
    Ok(see_other("/admin/apps?notice=updated".into()))
}

//! `/admin/users`: the list of accounts (search by email or name, only locked or disabled
//! ones, 25 a page) and "Create user". A user's own page is in `user_detail`, its actions in
//! `user_actions`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{Chrome, Section, changes};
use crate::domain::one_time_code::mask_phone;
use crate::domain::user::{OperatorUser, User};
use crate::flows::AppState;
use crate::store::users::UserFilter;
use crate::store::{self, StoreError};
use crate::web::audit::{self, Audit};
use crate::web::authenticator_view::admin_time;
use crate::web::error::WebError;
use crate::web::extract::{Admin, Csrf};
use crate::web::hosted::{MAX_NAME_CHARS, html, see_other};

/// Users on one page of the list.
pub const PAGE_SIZE: i64 = 25;

/// The longest search text we look at (an email address is at most 254 characters).
const MAX_QUERY_CHARS: usize = 254;

/// One user as the list shows it.
struct ListedUser {
    id: String,
    email: String,
    name: String,
    status: &'static str,
    is_admin: bool,
    created: String,
    second_factors: i64,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    chrome: Chrome,
    q: String,
    locked: bool,
    disabled: bool,
    users: Vec<ListedUser>,
    total: i64,
    page: i64,
    pages: i64,
    previous: Option<String>,
    next: Option<String>,
}

/// "Active", "Disabled" or "Email unconfirmed", for people.
pub fn status_text(user: &User) -> &'static str {
    if user.disabled {
        "Disabled"
    } else if !user.email_verified {
        "Email unconfirmed"
    } else {
        "Active"
    }
}

#[derive(Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    locked: Option<String>,
    disabled: Option<String>,
    page: Option<String>,
}

fn flag(value: Option<&str>) -> bool {
    matches!(value, Some("1" | "true" | "on" | "yes"))
}

/// The list's address for `page` with the same search and filters.
fn page_link(q: &str, locked: bool, disabled: bool, page: i64) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if !q.is_empty() {
        query.append_pair("q", q);
    }
    if locked {
        query.append_pair("locked", "1");
    }
    if disabled {
        query.append_pair("disabled", "1");
    }
    query.append_pair("page", &page.to_string());
    format!("/admin/users?{}", query.finish())
}

/// `GET /admin/users?q=&locked=1&disabled=1&page=N`.
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<UsersQuery>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let query = query.into_inner();
    let q: String = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let (locked, disabled) = (
        flag(query.locked.as_deref()),
        flag(query.disabled.as_deref()),
    );
    let wanted = query
        .page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1);
    let filter = UserFilter {
        text: Some(q.clone()).filter(|q| !q.is_empty()),
        locked_at: locked.then(|| state.now()),
        disabled_only: disabled,
    };
    let (total, page, pages, users) = state
        .store
        .run(move |c| {
            let total = store::users::count_matching_users(c, &filter)?;
            let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
            let page = wanted.clamp(1, pages);
            let users = store::users::list_users(c, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE)?;
            let mut listed = Vec::with_capacity(users.len());
            for user in users {
                let second_factors = second_factor_count(c, &user)?;
                listed.push((user, second_factors));
            }
            Ok((total, page, pages, listed))
        })
        .await?;
    let page = UsersPage {
        chrome: Chrome::new(&state, &admin, Section::Users),
        previous: (page > 1).then(|| page_link(&q, locked, disabled, page - 1)),
        next: (page < pages).then(|| page_link(&q, locked, disabled, page + 1)),
        q,
        locked,
        disabled,
        users: users
            .into_iter()
            .map(|(u, second_factors)| ListedUser {
                status: status_text(&u),
                created: admin_time(Some(u.created_at)).chars().take(10).collect(),
                id: u.id,
                email: u.email,
                name: u.name.unwrap_or_default(),
                is_admin: u.is_admin,
                second_factors,
            })
            .collect(),
        total,
        page,
        pages,
    };
    html(&state, &admin.browser, &page, StatusCode::OK)
}

/// What a user can prove themselves with besides the password: authenticator apps, push
/// devices, a confirmed phone number, and a set of unused backup codes.
fn second_factor_count(c: &mut store::AnyConnection, user: &User) -> Result<i64, StoreError> {
    Ok(
        store::authenticators::count_active_authenticators(c, &user.id)?
            + store::push_devices::count_user_devices(c, &user.id)?
            + i64::from(user.sms_number().is_some())
            + i64::from(store::backup_codes::count_unused_backup_codes(c, &user.id)? > 0),
    )
}

/// The create form's field errors.
#[derive(Default)]
struct FieldErrors {
    email: Option<String>,
    name: Option<String>,
    password: Option<String>,
    phone: Option<String>,
}

impl FieldErrors {
    fn any(&self) -> bool {
        self.email.is_some()
            || self.name.is_some()
            || self.password.is_some()
            || self.phone.is_some()
    }
}

#[derive(Template)]
#[template(path = "admin/user_new.html")]
struct NewUserPage {
    chrome: Chrome,
    email: String,
    name: String,
    phone: String,
    is_admin: bool,
    errors: FieldErrors,
}

/// `GET /admin/users/new`: the empty form.
pub async fn new_form(state: web::Data<AppState>, admin: Admin) -> Result<HttpResponse, WebError> {
    let page = NewUserPage {
        chrome: Chrome::new(&state, &admin, Section::Users),
        email: String::new(),
        name: String::new(),
        phone: String::new(),
        is_admin: false,
        errors: FieldErrors::default(),
    };
    html(&state, &admin.browser, &page, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct NewUserForm {
    email: Option<String>,
    name: Option<String>,
    password: Option<String>,
    phone: Option<String>,
    admin: Option<String>,
}

/// `POST /admin/users/new`: creates the account (email confirmed, as from the command line)
/// and goes to its page; mistakes re-render the form with the error under the field.
pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<NewUserForm>,
    admin: Admin,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let email = form.email.unwrap_or_default().trim().to_owned();
    let name = form.name.unwrap_or_default().trim().to_owned();
    let phone = form.phone.unwrap_or_default().trim().to_owned();
    let password = form.password.unwrap_or_default();
    let is_admin = flag(form.admin.as_deref());
    let mut errors = FieldErrors::default();
    if name.chars().count() > MAX_NAME_CHARS {
        errors.name = Some(format!("Use at most {MAX_NAME_CHARS} characters."));
    }
    let checked = OperatorUser::check(
        &email,
        Some(name.clone()),
        Some(password.as_str()).filter(|p| !p.is_empty()),
        Some(phone.as_str()).filter(|p| !p.is_empty()),
        is_admin,
    );
    if let Err(problems) = &checked {
        if problems.email.is_some() {
            errors.email = Some(if email.is_empty() {
                "Enter the email address.".into()
            } else {
                "Enter an email address like name@example.com.".into()
            });
        }
        errors.password = problems.password.as_ref().map(|p| p.message());
        errors.phone = problems
            .phone
            .as_ref()
            .map(|_| "Enter the number in international form, like +49 151 12345678.".to_owned());
    }
    let render = |errors: FieldErrors| NewUserPage {
        chrome: Chrome::new(&state, &admin, Section::Users),
        email: email.clone(),
        name: name.clone(),
        phone: phone.clone(),
        is_admin,
        errors,
    };
    let checked = match checked {
        Ok(checked) if !errors.any() => checked,
        _ => {
            return html(
                &state,
                &admin.browser,
                &render(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let password_hash = if password.is_empty() {
        None
    } else {
        Some(state.hashing.hash(password).await?)
    };
    let user = checked.into_user(uuid::Uuid::new_v4().to_string(), password_hash, state.now());
    let stored = user.clone();
    match state
        .store
        .run(move |c| store::users::insert_user(c, &stored))
        .await
    {
        Err(StoreError::Conflict(_)) => {
            let errors = FieldErrors {
                email: Some("A user with this email address already exists.".into()),
                ..FieldErrors::default()
            };
            return html(
                &state,
                &admin.browser,
                &render(errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        other => other?,
    }
    let none = "(none)".to_owned();
    audit::record(
        &state,
        &req,
        Audit::success("admin.user.create")
            .actor(&admin.id)
            .user(&user.id)
            .detail(changes(&[
                ("email", none.clone(), user.email.clone()),
                (
                    "name",
                    none.clone(),
                    user.name.clone().unwrap_or_else(|| none.clone()),
                ),
                (
                    "admin",
                    "no".into(),
                    if user.is_admin { "yes" } else { "no" }.into(),
                ),
                (
                    "password",
                    none.clone(),
                    if user.password_hash.is_some() {
                        "set"
                    } else {
                        "(none)"
                    }
                    .into(),
                ),
                (
                    "phone",
                    none,
                    user.phone_number
                        .as_deref()
                        .map(mask_phone)
                        .unwrap_or_else(|| "(none)".into()),
                ),
            ])),
    )
    .await;
    Ok(see_other(format!(
        "/admin/users/{}?notice=created",
        user.id
    )))
}

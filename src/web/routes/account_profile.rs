//! The profile on the account page: the name, and the email address — changed only after a
//! code sent to the new address comes back. An address that belongs to another account gets
//! the very same pages (no code is sent, none can be right; its owner gets a notice instead,
//! as sign-up does), so the form cannot be used to find out who has an account. The old address
//! is told about a change.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::one_time_code::Channel;
use crate::domain::user::{Email, User};
use crate::flows::AppState;
use crate::flows::codes::{self, Destination, Recipient};
use crate::i18n::Tr;
use crate::store::{self, StoreError};
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn, SignedIn};
use crate::web::hosted::{MAX_NAME_CHARS, found, sender};
use crate::web::notices::{self, Notice};
use crate::web::routes::account::{Forms, render_account};
use crate::web::routes::account_codes::{self, CodeForm, Confirmed, EMAIL, after_send};
use crate::web::routes::admin::changes;

#[derive(Deserialize)]
pub struct NameForm {
    name: Option<String>,
}

/// Why a name cannot be used, if it cannot (the rules of sign-up).
fn name_problem(tr: &Tr, name: &str) -> Option<String> {
    if name.is_empty() {
        Some(tr.t("err-enter-name"))
    } else if name.chars().count() > MAX_NAME_CHARS {
        Some(tr.n("err-name-too-long", "max", MAX_NAME_CHARS as i64))
    } else if name.chars().any(char::is_control) {
        Some(tr.t("err-name-characters"))
    } else {
        None
    }
}

/// `POST /account/name`: changes the name (no fresh sign-in needed: it is not how the
/// account signs in).
pub async fn change_name(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<NameForm>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    let typed = form.name.clone().unwrap_or_default();
    let name = typed.trim().to_owned();
    if let Some(problem) = name_problem(&user.tr(), &name) {
        let forms = Forms {
            name: Some(typed),
            name_error: Some(problem),
            ..Forms::default()
        };
        return render_account(&state, &user, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let before = user.name.clone().unwrap_or_default();
    if before == name {
        return Ok(found("/account?notice=name_changed"));
    }
    let (id, new, now) = (user.id.clone(), name.clone(), state.now());
    if !state
        .store
        .run(move |c| store::users::update_name(c, &id, Some(&new), now))
        .await?
    {
        return Err(WebError::Forbidden("Please sign in again.".into()));
    }
    audit::record(
        &state,
        &req,
        Audit::success("account.name")
            .by_owner(&user.id)
            .detail(changes(&[("name", before, name)])),
    )
    .await;
    Ok(found("/account?notice=name_changed"))
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: Option<String>,
}

/// `POST /account/email`: sends a code to the new address (fresh sign-in needed).
pub async fn change_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<EmailForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let typed = form.email.clone().unwrap_or_default();
    let tr = user.tr();
    let refuse = |key: &str| Forms {
        new_email: typed.clone(),
        email_error: Some(tr.t(key)),
        ..Forms::default()
    };
    let new = match Email::parse(&typed) {
        Ok(new) if new.as_str() == user.email => {
            let forms = refuse("err-already-your-email");
            return render_account(&state, &user, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Ok(new) => new,
        Err(_) => {
            let forms = refuse("err-email-format");
            return render_account(&state, &user, forms, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let lookup = new.as_str().to_owned();
    let owner = state
        .store
        .run(move |c| store::users::find_user_by_email(c, &lookup))
        .await?;
    let taken = owner.is_some();
    let recipient = Recipient {
        user: Some(&user.user),
        typed_name: new.as_str(),
        device_id: None,
        destination: if taken {
            Destination::Withheld(new.as_str())
        } else {
            Destination::Pending(new.as_str())
        },
        lang: tr.lang(),
    };
    let app = sender(&state, None).await?;
    let sent = codes::send_new(
        &state,
        &uuid::Uuid::new_v4().to_string(),
        EMAIL.purpose,
        Channel::Email,
        &recipient,
        &app,
        state.live().code_policy_for(Channel::Email).ttl,
    )
    .await?;
    if let codes::Sent::Sent(code) = &sent {
        // Only admins read the audit trail: they may know that the address was taken.
        let detail = if taken {
            format!(
                "{} belongs to another account: nothing sent",
                code.destination
            )
        } else {
            format!("code sent to {}", code.destination)
        };
        audit::record(
            &state,
            &req,
            Audit::success("email.change.start")
                .by_owner(&user.id)
                .detail(detail),
        )
        .await;
        // The owner hears of it (no code), which also makes both answers take one mail's time.
        if let Some(owner) = &owner {
            notices::send(&state, owner, Notice::EmailInUse, &app, tr.lang()).await;
        }
    }
    let typed = Forms {
        new_email: typed,
        ..Forms::default()
    };
    after_send(&state, &user, &EMAIL, sent, typed).await
}

/// `POST /account/email/confirm`: the right code changes the address; the old one is told.
pub async fn confirm_email(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<CodeForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let new = match account_codes::confirm(&state, &req, &user, &EMAIL, &form).await? {
        Confirmed::Target(new) => new,
        Confirmed::Page(page) => return Ok(page),
    };
    let (id, address, now) = (user.id.clone(), new.clone(), state.now());
    match state
        .store
        .run(move |c| store::users::update_email(c, &id, &address, now))
        .await
    {
        Ok(true) => {}
        Ok(false) => return Err(WebError::Forbidden("Please sign in again.".into())),
        Err(StoreError::Conflict(_)) => {
            // Taken between the code and now; the person has shown the mailbox is theirs.
            let forms = EMAIL.field_error(user.tr().t("err-address-unusable"));
            return render_account(&state, &user, forms, StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        &state,
        &req,
        Audit::success(EMAIL.action)
            .by_owner(&user.id)
            .detail(changes(&[("email", user.email.clone(), new)])),
    )
    .await;
    tell_old_address(&state, &user, user.tr().lang()).await?;
    Ok(found("/account?notice=email_changed"))
}

/// The notice to the address the account had before (`user` as it was).
async fn tell_old_address(state: &AppState, before: &User, lang: &str) -> Result<(), WebError> {
    let app = sender(state, None).await?;
    notices::send(state, before, Notice::EmailChanged, &app, lang).await;
    Ok(())
}

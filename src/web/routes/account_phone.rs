//! The phone number for SMS codes on the account page: a new number is confirmed by a code
//! sent to it (the number waits with the code, the account keeps its old number until then),
//! and the number can be removed. Both need a fresh sign-in.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::domain::one_time_code::Channel;
use crate::domain::user::normalize_phone;
use crate::flows::AppState;
use crate::flows::codes::{self, Destination, Recipient, channel_enabled};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn, NoFields};
use crate::web::hosted::{found, sender};
use crate::web::routes::account::{Forms, render_account};
use crate::web::routes::account_codes::{self, CodeForm, Confirmed, PHONE, after_send};
use crate::web::routes::admin::changes;

#[derive(Deserialize)]
pub struct PhoneForm {
    phone: Option<String>,
}

/// `POST /account/phone`: sends a code to the new number.
pub async fn add_phone(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<PhoneForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let typed = form.phone.clone().unwrap_or_default();
    let tr = user.tr();
    let refuse = |problem: String| Forms {
        phone: typed.clone(),
        phone_error: Some(problem),
        ..Forms::default()
    };
    let problem = if !channel_enabled(&state, Channel::Sms) {
        Some((tr.t("acct-sms-unavailable"), StatusCode::CONFLICT))
    } else {
        match normalize_phone(&typed) {
            Err(_) => Some((tr.t("err-phone-format"), StatusCode::UNPROCESSABLE_ENTITY)),
            Ok(number) if user.sms_number() == Some(number.as_str()) => {
                Some((tr.t("err-phone-already"), StatusCode::UNPROCESSABLE_ENTITY))
            }
            Ok(_) => None,
        }
    };
    if let Some((message, status)) = problem {
        return render_account(&state, &user, refuse(message), status).await;
    }
    let number = normalize_phone(&typed).unwrap_or_default();
    let recipient = Recipient {
        user: Some(&user.user),
        typed_name: &number,
        device_id: None,
        destination: Destination::Pending(&number),
        lang: tr.lang(),
    };
    let app = sender(&state, None).await?;
    let sent = codes::send_new(
        &state,
        &uuid::Uuid::new_v4().to_string(),
        PHONE.purpose,
        Channel::Sms,
        &recipient,
        &app,
        state.live().code_policy_for(Channel::Sms).ttl,
    )
    .await?;
    if let codes::Sent::Sent(code) = &sent {
        audit::record(
            &state,
            &req,
            Audit::success("phone.confirm.start")
                .by_owner(&user.id)
                .detail(format!("code sent to {}", code.destination)),
        )
        .await;
    }
    let typed = Forms {
        phone: typed,
        ..Forms::default()
    };
    after_send(&state, &user, &PHONE, sent, typed).await
}

/// `POST /account/phone/confirm`: the right code makes the number the account's.
pub async fn confirm_phone(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: Csrf<CodeForm>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let number = match account_codes::confirm(&state, &req, &user, &PHONE, &form).await? {
        Confirmed::Target(number) => number,
        Confirmed::Page(page) => return Ok(page),
    };
    let (id, new, now) = (user.id.clone(), number.clone(), state.now());
    if !state
        .store
        .run(move |c| store::users::update_phone(c, &id, Some(&new), now))
        .await?
    {
        return Err(WebError::Forbidden("Please sign in again.".into()));
    }
    audit::record(
        &state,
        &req,
        Audit::success(PHONE.action)
            .by_owner(&user.id)
            .detail(changes(&[("phone", shown(user.sms_number()), number)])),
    )
    .await;
    Ok(found("/account?notice=phone_added"))
}

fn shown(phone: Option<&str>) -> String {
    phone.unwrap_or("none").to_owned()
}

/// `POST /account/phone/remove`.
pub async fn remove_phone(
    state: web::Data<AppState>,
    req: HttpRequest,
    _form: Csrf<NoFields>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    if user.phone_number.is_none() {
        return Ok(found("/account?notice=phone_removed"));
    }
    let (id, now) = (user.id.clone(), state.now());
    state
        .store
        .run(move |c| store::users::update_phone(c, &id, None, now))
        .await?;
    audit::record(
        &state,
        &req,
        Audit::success("phone.remove")
            .by_owner(&user.id)
            .detail(changes(&[(
                "phone",
                shown(user.phone_number.as_deref()),
                "none".into(),
            )])),
    )
    .await;
    Ok(found("/account?notice=phone_removed"))
}

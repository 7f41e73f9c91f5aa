//! Type `FIDO2` (or `PASSKEY`) in the verification service, for custom login UIs: initiate
//! answers the WebAuthn request options with the `exchange_id`; verify takes the assertion
//! (`credential`, the JSON of `navigator.credentials.get`) with that `exchange_id`. The rest —
//! finishing with `status_id`, the second step of a login track — is the same as every method.
//!
//! Named users get the options for their own passkeys; with no name at all the options are
//! discoverable and the passkey chosen names the user. A name that matches nobody gets
//! discoverable options too and fails at verify, like a wrong code.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use crate::domain::user::User;
use crate::domain::verification::{EXCHANGE_TTL, UsageType, Verification};
use crate::flows::AppState;
use crate::flows::login_codes::{self, Opening};
use crate::flows::passkeys::{self, assertion};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;

/// `medium_id` of an initiated passkey verification that nobody was named for.
const ANYONE: &str = "discover:";

/// What initiate knows when it hands over to passkeys.
pub struct Start<'a> {
    pub request_id: Option<&'a str>,
    pub usage: UsageType,
    pub user: Option<&'a User>,
    /// Whether the client named a user (identifier, email, sub…).
    pub named: bool,
    pub alias: String,
}

pub async fn initiate(
    state: &AppState,
    start: Start<'_>,
    medium_text: &str,
) -> Result<HttpResponse, WebError> {
    let for_user = match start.user {
        Some(user) => assertion::start_for_user(state, &user.id).await?,
        None => None,
    };
    let (started, medium_id) = match for_user {
        Some(s) => {
            let id = s.ceremony_id.clone();
            (s, id)
        }
        None => {
            let s = assertion::start_discoverable(state).await?;
            let id = if start.named {
                s.ceremony_id.clone()
            } else {
                format!("{ANYONE}{}", s.ceremony_id)
            };
            (s, id)
        }
    };
    let verification = login_codes::open(
        state,
        Opening {
            request_id: start.request_id,
            user: start.user,
            alias: start.alias,
            method: crate::domain::verification::Method::Passkey,
            usage: start.usage,
            medium_id: Some(medium_id),
        },
    );
    let mut extra = Map::new();
    extra.insert("options".into(), started.options);
    super::started(state, verification, medium_text, extra).await
}

pub async fn verify(
    state: &AppState,
    req: &HttpRequest,
    v: &Verification,
    credential: Option<&Value>,
) -> Result<HttpResponse, WebError> {
    let refused = |req: &HttpRequest, message: &str| {
        envelope::error(
            req,
            StatusCode::UNAUTHORIZED,
            "invalid_credential",
            "VerificationFailed",
            message,
        )
    };
    let credential = match credential {
        Some(Value::String(s)) => s.clone(),
        Some(object @ Value::Object(_)) => object.to_string(),
        _ => {
            return Ok(envelope::error(
                req,
                StatusCode::BAD_REQUEST,
                "credential_required",
                "ValidationError",
                "Send the passkey's answer as credential (the JSON of navigator.credentials.get).",
            ));
        }
    };
    let medium = v.medium_id.as_deref().unwrap_or("");
    let (anyone, ceremony_id) = match medium.strip_prefix(ANYONE) {
        Some(id) => (true, id),
        None => (false, medium),
    };
    let meta = audit::meta(req);
    let asserted = match assertion::finish(state, &meta, ceremony_id, &credential).await? {
        Ok(a) => a,
        Err(assertion::AssertRefusal::CounterRegression) => {
            return Ok(refused(
                req,
                "This passkey's signature counter went back: it may have been copied. It is refused.",
            ));
        }
        Err(_) => return Ok(refused(req, "The passkey was not accepted.")),
    };
    if !anyone && v.user_id.as_deref() != Some(asserted.user_id.as_str()) {
        let event = Audit::sign_in_failure(
            v.method,
            "verification service",
            "another account's passkey",
        )
        .maybe_user(v.user_id.as_deref());
        audit::record(state, req, event).await;
        return Ok(refused(req, "The passkey was not accepted."));
    }
    let user_id = asserted.user_id.clone();
    let active = state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .is_some_and(|u| u.can_sign_in());
    if !active {
        return Ok(refused(req, "The passkey was not accepted."));
    }
    let now = state.now();
    let next_exchange = uuid::Uuid::new_v4().to_string();
    let (exchange, next, medium, user_id) = (
        v.exchange_id.clone(),
        next_exchange.clone(),
        passkeys::verified_medium(&asserted),
        asserted.user_id.clone(),
    );
    let stepped = state
        .store
        .run(move |c| {
            store::passkeys::verify_exchange(
                c,
                &exchange,
                &next,
                now + EXCHANGE_TTL,
                &medium,
                &user_id,
                now,
            )
        })
        .await?;
    if !stepped {
        return Ok(envelope::error(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "ValidationError",
            "exchange_id is unknown, used or expired. Start again.",
        ));
    }
    audit::record(
        state,
        req,
        Audit::success("verification.fido2").user(&asserted.user_id),
    )
    .await;
    Ok(envelope::ok(json!({
        "exchange_id": { "exchange_id": next_exchange, "expires_at": iso8601(now + EXCHANGE_TTL) },
        "sub": v.alias,
        "status_id": v.status_id,
    })))
}

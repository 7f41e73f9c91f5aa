//! The cidaas verification service (API.md §4), served under both path families with identical
//! behaviour: configured methods → initiate → verify → (cancel, status). Answers use the cidaas
//! envelope; no answer reveals whether an account exists.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::domain::one_time_code::Channel;
use crate::domain::user::User;
use crate::domain::verification::{
    EXCHANGE_TTL, Method, State, UsageType, Verification, mask_email,
};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::iso8601;
use crate::web::password_check::PasswordOutcome;
use crate::web::routes::{verification_codes, verification_password};
use crate::web::state::AppState;
use crate::web::totp_check::{self, TotpOutcome, locked_message};
use crate::web::{backup_codes, envelope, factors};

/// The ways a client may name the user.
#[derive(Deserialize, Default)]
pub struct Identifier {
    identifier: Option<String>,
    email: Option<String>,
    username: Option<String>,
    mobile_number: Option<String>,
    sub: Option<String>,
    q: Option<String>,
}

impl Identifier {
    fn login_name(&self) -> Option<&str> {
        [
            &self.identifier,
            &self.email,
            &self.username,
            &self.mobile_number,
        ]
        .into_iter()
        .find_map(|v| v.as_deref().filter(|s| !s.trim().is_empty()))
    }

    fn alias(&self) -> Option<&str> {
        self.sub
            .as_deref()
            .or(self.q.as_deref())
            .filter(|s| !s.is_empty())
    }
}

/// Finds the user a client named; `None` for unknown identifiers.
async fn resolve_user(state: &AppState, who: &Identifier) -> Result<Option<User>, WebError> {
    if let Some(alias) = who.alias() {
        // A masked alias: of a login waiting for its second factor, or of an earlier verification.
        let alias = alias.to_owned();
        let now = state.now();
        return Ok(state
            .store
            .run(move |c| {
                let user_id = match store::tracks::find_track_by_alias(c, &alias)? {
                    Some(track) if track.is_live(now) => Some(track.user_id),
                    Some(_) => None,
                    None => store::verifications::find_user_by_alias(c, &alias)?,
                };
                let Some(user_id) = user_id else {
                    return Ok(None);
                };
                store::users::find_user(c, &user_id)
            })
            .await?
            .filter(User::can_sign_in));
    }
    match who.login_name() {
        Some(name) => factors::user_by_email(state, name).await,
        None => Ok(None),
    }
}

/// The client of a live login request, `None` when the request is unknown or expired.
async fn live_request(
    state: &AppState,
    request_id: Option<&str>,
) -> Result<Option<String>, WebError> {
    let Some(id) = request_id
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_owned)
    else {
        return Ok(None);
    };
    let now = state.now();
    Ok(state
        .store
        .run(move |c| store::requests::find_request(c, &id))
        .await?
        .filter(|p| p.is_live(now))
        .map(|p| p.request.client_id))
}

#[derive(Deserialize)]
pub struct ListBody {
    request_id: Option<String>,
    #[serde(flatten)]
    who: Identifier,
}

/// `POST /verification-srv/public/graph/user/setup` and `…/v2/setup/public/configured/list`.
pub async fn configured_list(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<ListBody>,
) -> Result<HttpResponse, WebError> {
    let Some(client_id) = live_request(&state, body.request_id.as_deref()).await? else {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_request_id",
            "ValidationError",
            "request_id is unknown or has expired.",
        ));
    };
    let rules = factors::client_rules(&state, &client_id).await?;
    let user = resolve_user(&state, &body.who).await?;
    let mut list = Vec::new();
    if let Some(user) = &user {
        let id = user.id.clone();
        let totps: Vec<_> = state
            .store
            .run(move |c| store::authenticators::list_user_authenticators(c, &id))
            .await?
            .into_iter()
            .filter(|a| a.active)
            .collect();
        if !totps.is_empty() {
            let mediums: Vec<_> = totps
                .iter()
                .map(|a| json!({"id": a.id, "key_name": a.label}))
                .collect();
            list.push(json!({"type": "TOTP", "mediums": mediums}));
        }
    }
    list.extend(
        verification_codes::configured_entries(&state, user.as_ref(), body.who.login_name())
            .await?,
    );
    if let Some(user) = &user
        && backup_codes::remaining(&state, &user.id).await? > 0
    {
        list.push(json!({"type": "BACKUPCODE"}));
    }
    // An unknown identifier looks like an account with a password only.
    if user.as_ref().is_none_or(|u| u.password_hash.is_some()) {
        list.push(json!({"type": "PASSWORD"}));
    }
    // Only the methods the application allows (the same for known and unknown identifiers).
    list.retain(|entry| {
        entry["type"]
            .as_str()
            .and_then(|t| t.parse::<Method>().ok())
            .is_none_or(|m| rules.allows(m))
    });
    Ok(envelope::ok(json!({ "configured_list": list })))
}

#[derive(Deserialize)]
pub struct InitiateBody {
    request_id: Option<String>,
    usage_type: Option<String>,
    medium_id: Option<String>,
    #[serde(flatten)]
    who: Identifier,
}

/// `POST …/authentication/{type}/initiation` and `…/v2/authenticate/initiate/{type}`.
pub async fn initiate(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<InitiateBody>,
) -> Result<HttpResponse, WebError> {
    let Ok(method) = path.parse::<Method>() else {
        return Ok(envelope::error(
            &req,
            StatusCode::NOT_FOUND,
            "unknown_type",
            "NotFound",
            "Unknown verification type.",
        ));
    };
    if !crate::web::codes::method_enabled(&state.live().config, method)
        || Channel::for_method(method)
            .is_some_and(|c| !crate::web::codes::channel_enabled(&state, c))
    {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "method_not_available",
            "ValidationError",
            "This verification type is not available.",
        ));
    }
    let usage_type = match body.usage_type.as_deref().map(str::parse::<UsageType>) {
        None => UsageType::PasswordlessAuthentication,
        Some(Ok(UsageType::Setup)) => {
            return Ok(envelope::error(
                &req,
                StatusCode::BAD_REQUEST,
                "invalid_usage_type",
                "ValidationError",
                "Use the setup endpoints to enroll.",
            ));
        }
        Some(Ok(u)) => u,
        Some(Err(e)) => {
            return Ok(envelope::error(
                &req,
                StatusCode::BAD_REQUEST,
                "invalid_usage_type",
                "ValidationError",
                &e,
            ));
        }
    };
    if method == Method::BackupCode && usage_type != UsageType::MultifactorAuthentication {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_usage_type",
            "ValidationError",
            "Backup codes are a second factor: use MULTIFACTOR_AUTHENTICATION.",
        ));
    }
    if usage_type == UsageType::MultifactorAuthentication && body.who.alias().is_none() {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "sub_required",
            "ValidationError",
            "MULTIFACTOR_AUTHENTICATION needs the sub of the running login.",
        ));
    }
    let Some(client_id) = live_request(&state, body.request_id.as_deref()).await? else {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_request_id",
            "ValidationError",
            "request_id is unknown or has expired.",
        ));
    };
    if !factors::client_rules(&state, &client_id)
        .await?
        .allows(method)
    {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "method_not_allowed",
            "ValidationError",
            "This application does not allow this verification type.",
        ));
    }
    let user = resolve_user(&state, &body.who).await?;
    let now = state.now();
    let alias = body
        .who
        .alias()
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let medium_text = match method {
        Method::Totp => "Authenticator app".to_owned(),
        _ => user
            .as_ref()
            .map(|u| mask_email(&u.email))
            .or_else(|| body.who.login_name().map(mask_email))
            .unwrap_or_default(),
    };
    let verification = Verification {
        status_id: uuid::Uuid::new_v4().to_string(),
        exchange_id: uuid::Uuid::new_v4().to_string(),
        exchange_expires_at: now + EXCHANGE_TTL,
        request_id: body.request_id.clone(),
        user_id: user.as_ref().map(|u| u.id.clone()),
        alias: alias.clone(),
        method,
        usage_type,
        medium_id: match method {
            // A password has no medium: the verification keeps whom wrong passwords count
            // against instead, as an unknown name is not stored anywhere else. Never the
            // client's value, which could point the count at someone else.
            Method::Password => Some(verification_password::subject(
                user.as_ref(),
                body.who.login_name(),
                &alias,
            )),
            _ => body.medium_id.clone().filter(|m| !m.is_empty()),
        },
        state: State::Initiated,
        created_at: now,
        expires_at: now + state.lifetimes.request,
    };
    if let Some(channel) = Channel::for_method(method) {
        let typed_name = body.who.login_name().unwrap_or_default().to_owned();
        return verification_codes::initiate(
            &state,
            &req,
            channel,
            verification,
            user.as_ref(),
            &typed_name,
        )
        .await;
    }
    let row = verification.clone();
    state
        .store
        .run(move |c| store::verifications::insert_verification(c, &row))
        .await?;
    Ok(envelope::ok(json!({
        "exchange_id": { "exchange_id": verification.exchange_id, "expires_at": iso8601(verification.exchange_expires_at) },
        "status_id": verification.status_id,
        "sub": alias,
        "q": alias,
        "medium_text": medium_text,
    })))
}

#[derive(Deserialize)]
pub struct VerifyBody {
    exchange_id: Option<String>,
    pass_code: Option<String>,
    passcode: Option<String>,
    password: Option<String>,
}

/// `POST …/authentication/{type}/verification` and `…/v2/authenticate/authenticate/{type}`.
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Json<VerifyBody>,
) -> Result<HttpResponse, WebError> {
    let invalid_exchange = |req: &HttpRequest| {
        envelope::error(
            req,
            StatusCode::BAD_REQUEST,
            "invalid_exchange_id",
            "ValidationError",
            "exchange_id is unknown, used or expired. Start again.",
        )
    };
    let Ok(method) = path.parse::<Method>() else {
        return Ok(envelope::error(
            &req,
            StatusCode::NOT_FOUND,
            "unknown_type",
            "NotFound",
            "Unknown verification type.",
        ));
    };
    let Some(exchange_id) = body.exchange_id.clone().filter(|e| !e.is_empty()) else {
        return Ok(invalid_exchange(&req));
    };
    let now = state.now();
    let lookup = exchange_id.clone();
    let found = state
        .store
        .run(move |c| store::verifications::find_by_exchange(c, &lookup))
        .await?;
    let Some(verification) = found.filter(|v| v.exchange_usable(now) && v.method == method) else {
        return Ok(invalid_exchange(&req));
    };
    let code = body
        .pass_code
        .as_deref()
        .or(body.passcode.as_deref())
        .or(body.password.as_deref())
        .unwrap_or("");
    let wrong = |req: &HttpRequest| {
        envelope::error(
            req,
            StatusCode::UNAUTHORIZED,
            "invalid_code",
            "VerificationFailed",
            "The code is not correct.",
        )
    };

    let accepted = match method {
        Method::Totp => match totp_check::check(
            &state,
            verification.user_id.as_deref(),
            verification.medium_id.as_deref(),
            code,
        )
        .await?
        {
            TotpOutcome::Accepted { .. } => true,
            TotpOutcome::Locked { until } => {
                audit_failure(&state, &req, &verification, "locked").await;
                let message = locked_message(until);
                return Ok(envelope::error(
                    &req,
                    StatusCode::TOO_MANY_REQUESTS,
                    "authenticator_locked",
                    "AuthenticatorLocked",
                    &message,
                ));
            }
            TotpOutcome::Rejected | TotpOutcome::Replayed | TotpOutcome::NoAuthenticator => false,
        },
        Method::Password => {
            match verification_password::verify(&state, &req, &verification, code).await? {
                PasswordOutcome::Right => true,
                PasswordOutcome::Wrong => false,
                PasswordOutcome::Locked { until } => {
                    audit_failure(&state, &req, &verification, "locked").await;
                    return Ok(verification_password::locked(&req, until, now));
                }
            }
        }
        Method::BackupCode => match &verification.user_id {
            Some(user_id) => backup_codes::redeem(&state, user_id, code).await?,
            None => false,
        },
        Method::Email | Method::Sms | Method::Push => {
            match verification_codes::verify(&state, &req, &verification, code).await? {
                None => true,
                Some(refused) => {
                    audit_failure(&state, &req, &verification, "wrong code").await;
                    return Ok(refused);
                }
            }
        }
    };
    if !accepted {
        audit_failure(&state, &req, &verification, "wrong code").await;
        return Ok(wrong(&req));
    }
    let next_exchange = uuid::Uuid::new_v4().to_string();
    let next = next_exchange.clone();
    let stepped = state
        .store
        .run(move |c| {
            store::verifications::advance(
                c,
                &exchange_id,
                State::Initiated,
                State::Verified,
                &next,
                now + EXCHANGE_TTL,
                now,
            )
        })
        .await?;
    if !stepped {
        return Ok(invalid_exchange(&req));
    }
    let mut event = Audit::success(&format!("verification.{}", method.as_str().to_lowercase()));
    if let Some(user_id) = &verification.user_id {
        event = event.user(user_id);
    }
    audit::record(&state, &req, event).await;
    Ok(envelope::ok(json!({
        "exchange_id": { "exchange_id": next_exchange, "expires_at": iso8601(now + EXCHANGE_TTL) },
        "sub": verification.alias,
        "status_id": verification.status_id,
    })))
}

async fn audit_failure(state: &AppState, req: &HttpRequest, v: &Verification, why: &str) {
    let mut event = Audit::failure(&format!(
        "verification.{}",
        v.method.as_str().to_lowercase()
    ))
    .detail(why.to_owned());
    if let Some(user_id) = &v.user_id {
        event = event.user(user_id);
    }
    audit::record(state, req, event).await;
}

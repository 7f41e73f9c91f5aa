//! Starting a verification: an `exchange_id` for a method of the named user (or of nobody,
//! looking the same).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::Map;

use crate::domain::one_time_code::Channel;
use crate::domain::verification::{Method, UsageType, mask_email};
use crate::flows::AppState;
use crate::flows::factors;
use crate::flows::login_codes::{self, Opening};
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::routes::{verification_codes, verification_password};

use super::{Identifier, request_and_user, started};

#[derive(Deserialize)]
pub struct InitiateBody {
    request_id: Option<String>,
    usage_type: Option<String>,
    medium_id: Option<String>,
    /// With `usage_type=TRANSACTION`: the approval to approve.
    approval_id: Option<String>,
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
    if !crate::flows::codes::method_enabled(&state.live().config, method)
        || Channel::for_method(method)
            .is_some_and(|c| !crate::flows::codes::channel_enabled(&state, c))
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
        Some(Ok(UsageType::Transaction)) => {
            return super::transaction::initiate(&state, &req, method, body.approval_id.as_deref())
                .await;
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
    let (client_id, mut user) =
        request_and_user(&state, body.request_id.as_deref(), &body.who).await?;
    let Some(client_id) = client_id else {
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
    let named_medium = body.medium_id.as_deref().filter(|m| !m.is_empty());
    // The medium names the user only when nothing else does (the JS SDK's `initiateMFA` sends
    // the `medium_id` of the configured list and no identifier).
    let owner = match named_medium {
        Some(m) => factors::medium_owner(&state, method, m).await?,
        None => None,
    };
    if user.is_none() && body.who.alias().is_none() && body.who.login_name().is_none() {
        user = owner.clone();
    }
    let alias = body
        .who
        .alias()
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    // Every method is told like the others: the masked address of the account (or of what was
    // typed, so an unknown name looks the same).
    let medium_text = user
        .as_ref()
        .map(|u| mask_email(&u.email))
        .or_else(|| body.who.login_name().map(mask_email))
        .unwrap_or_default();
    let medium_id = match method {
        // A password has no medium: the verification keeps whom wrong passwords count against
        // instead, as an unknown name is not stored anywhere else. Never the client's value,
        // which could point the count at someone else.
        Method::Password => Some(verification_password::subject(
            user.as_ref(),
            body.who.login_name(),
            &alias,
        )),
        // Only a medium of this user narrows the check: one that names nothing of theirs (the
        // guide's placeholder, "TOTP" as the PHP SDK sends, another user's device) checks all
        // of the user's active authenticators, as Mosaic does — never someone else's.
        Method::Totp | Method::Push => named_medium
            .filter(|_| matches!((&owner, &user), (Some(o), Some(u)) if o.id == u.id))
            .map(str::to_owned),
        _ => None,
    };
    if method == Method::Passkey {
        let named = body.who.login_name().is_some() || body.who.alias().is_some();
        let start = super::passkey::Start {
            request_id: body.request_id.as_deref(),
            usage: usage_type,
            user: user.as_ref(),
            named,
            alias,
        };
        return super::passkey::initiate(&state, start, &medium_text).await;
    }
    let verification = login_codes::open(
        &state,
        Opening {
            request_id: body.request_id.as_deref(),
            user: user.as_ref(),
            alias,
            method,
            usage: usage_type,
            medium_id,
        },
    );
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
    started(&state, verification, &medium_text, Map::new()).await
}

//! The cidaas verification service (API.md §4), served under both path families with identical
//! behaviour: configured methods → initiate → verify → (cancel, status). Answers use the cidaas
//! envelope; no answer reveals whether an account exists.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::domain::user::{Email, User};
use crate::domain::verification::Verification;
use crate::flows::AppState;
use crate::flows::factors;
use crate::store;
use crate::web::envelope;
use crate::web::error::WebError;
use crate::web::iso8601;

mod initiate;
mod passkey;
mod transaction;
mod verify;

pub use initiate::initiate;
pub use verify::verify;

/// Stores a started verification and gives the initiate answer: its `exchange_id`, the alias
/// to name the user by, what the user is told the code went to, and the method's `extra`
/// fields (for codes, when it expires and when it may be sent again).
pub async fn started(
    state: &AppState,
    verification: Verification,
    medium_text: &str,
    extra: Map<String, Value>,
) -> Result<HttpResponse, WebError> {
    let row = verification.clone();
    state
        .store
        .run(move |c| store::verifications::insert_verification(c, &row))
        .await?;
    Ok(answer_started(verification, medium_text, extra))
}

/// The initiate answer of a stored verification.
pub fn answer_started(
    verification: Verification,
    medium_text: &str,
    extra: Map<String, Value>,
) -> HttpResponse {
    let mut answer = json!({
        "exchange_id": {
            "exchange_id": verification.exchange_id,
            "expires_at": iso8601(verification.exchange_expires_at),
        },
        "status_id": verification.status_id,
        "sub": verification.alias,
        "q": verification.alias,
        "medium_text": medium_text,
    });
    if let Value::Object(fields) = &mut answer {
        fields.extend(extra);
    }
    envelope::ok(answer)
}

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

/// The client of a live login request (`None` when the request is unknown or expired) and the
/// user the client named (`None` for unknown identifiers), in one trip to the database.
async fn request_and_user(
    state: &AppState,
    request_id: Option<&str>,
    who: &Identifier,
) -> Result<(Option<String>, Option<User>), WebError> {
    let request_id = request_id
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .map(str::to_owned);
    let alias = who.alias().map(str::to_owned);
    // Only a well-formed address can name an account.
    let email = match (&alias, who.login_name()) {
        (None, Some(name)) => Email::parse(name).ok().map(|e| e.as_str().to_owned()),
        _ => None,
    };
    let now = state.now();
    let (pending, user) = state
        .store
        .run(move |c| {
            let pending = match &request_id {
                Some(id) => store::requests::find_request(c, id)?,
                None => None,
            };
            let user_id = match alias {
                // A masked alias: of a login waiting for its second factor, or of an earlier
                // verification.
                Some(alias) => match store::tracks::find_track_by_alias(c, &alias)? {
                    Some(track) if track.is_live(now) => Some(track.user_id),
                    Some(_) => None,
                    None => store::verifications::find_user_by_alias(c, &alias)?,
                },
                None => None,
            };
            let user = match (user_id, email) {
                (Some(id), _) => store::users::find_user(c, &id)?,
                (None, Some(email)) => store::users::find_user_by_email(c, &email)?,
                (None, None) => None,
            };
            Ok((pending, user))
        })
        .await?;
    Ok((
        pending
            .filter(|p| p.is_live(now))
            .map(|p| p.request.client_id),
        user.filter(User::can_sign_in),
    ))
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
    let (client_id, user) = request_and_user(&state, body.request_id.as_deref(), &body.who).await?;
    let Some(client_id) = client_id else {
        return Ok(envelope::error(
            &req,
            StatusCode::BAD_REQUEST,
            "invalid_request_id",
            "ValidationError",
            "request_id is unknown or has expired.",
        ));
    };
    let rules = factors::client_rules(&state, &client_id).await?;
    let methods = factors::methods(&state, user.as_ref(), body.who.login_name(), &rules).await?;
    let mediums = |items: &[(String, String)]| -> Vec<Value> {
        items
            .iter()
            .map(|(id, label)| json!({"id": id, "key_name": label}))
            .collect()
    };
    let mut list = Vec::new();
    if !methods.totp.is_empty() {
        list.push(json!({"type": "TOTP", "mediums": mediums(&methods.totp)}));
    }
    // Every identifier, known or not, gets EMAIL: every account has an address.
    if let Some(masked) = &methods.email {
        list.push(json!({"type": "EMAIL", "mediums": [{"id": "email", "key_name": masked}]}));
    }
    if let Some(masked) = &methods.sms {
        list.push(json!({"type": "SMS", "mediums": [{"id": "sms", "key_name": masked}]}));
    }
    if !methods.push.is_empty() {
        list.push(json!({"type": "PUSH", "mediums": mediums(&methods.push)}));
    }
    if methods.backup_codes {
        list.push(json!({"type": "BACKUPCODE"}));
    }
    if methods.passkeys > 0 {
        list.push(json!({"type": "FIDO2"}));
    }
    // An unknown identifier looks like an account with a password only.
    if methods.password {
        list.push(json!({"type": "PASSWORD"}));
    }
    Ok(envelope::ok(json!({ "configured_list": list })))
}

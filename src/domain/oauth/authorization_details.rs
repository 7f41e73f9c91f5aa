//! RFC 9396 (Rich Authorization Requests) for transaction approvals: an authorization request
//! may carry `authorization_details=[{"type": "transaction_approval", "approval_data": {…}}]`;
//! after the sign-in the user approves the data before a code is issued, and the token response
//! echoes the entry with the approval's artifact.
//!
//! The approval page sends the browser back to the authorization endpoint with the same request
//! and `approval_id` ([`resume_params`]); the live session answers it, and the code is issued
//! with the approval attached. Pure: parsing and the resumed request only.

use serde_json::{Map, Value, json};

use super::authorize::{AuthorizationRequest, ResponseType};
use crate::domain::approval::{Approval, check_data};
use crate::domain::client::Client;

/// The `type` of an RFC 9396 `authorization_details` entry that asks for an approval.
pub const DETAILS_TYPE: &str = "transaction_approval";
/// The OAuth error for unusable `authorization_details` (RFC 9396 §5).
pub const INVALID_DETAILS: &str = "invalid_authorization_details";

/// What an authorization request asks to have approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalAsk {
    pub data: Map<String, Value>,
    /// The approval the browser comes back from (the authorization endpoint's `approval_id`).
    pub approval_id: Option<String>,
}

/// The approval asked for by the request's `authorization_details` (and `approval_id`), if
/// any, or the description of an [`INVALID_DETAILS`] error.
pub fn approval_ask(
    details: Option<&str>,
    approval_id: Option<&str>,
    client: &Client,
    response_type: ResponseType,
) -> Result<Option<ApprovalAsk>, String> {
    let Some(details) = details.filter(|d| !d.is_empty()) else {
        return Ok(None);
    };
    let Some(data) = from_authorization_details(details)? else {
        return Ok(None);
    };
    if !client.may_request_approvals || client.is_public {
        return Err("This application may not request transaction approvals.".into());
    }
    if response_type != ResponseType::Code {
        return Err("A transaction approval needs response_type=code.".into());
    }
    Ok(Some(ApprovalAsk {
        data,
        approval_id: approval_id
            .filter(|id| !id.is_empty() && id.len() <= 64)
            .map(str::to_owned),
    }))
}

/// The approval data asked for in an RFC 9396 `authorization_details` parameter: the first
/// entry of type [`DETAILS_TYPE`], its `approval_data` member (or, failing that, the entry
/// without its `type`). `Ok(None)` when no entry asks for an approval.
pub fn from_authorization_details(details: &str) -> Result<Option<Map<String, Value>>, String> {
    let parsed: Value = serde_json::from_str(details)
        .map_err(|e| format!("authorization_details is not JSON: {e}"))?;
    let Value::Array(entries) = parsed else {
        return Err("authorization_details must be a JSON array (RFC 9396 §2)".into());
    };
    let mut approval = None;
    for entry in entries {
        let Value::Object(mut entry) = entry else {
            return Err("each authorization_details entry must be an object".into());
        };
        match entry.get("type") {
            Some(Value::String(t)) if t == DETAILS_TYPE => {}
            Some(Value::String(_)) => continue,
            _ => return Err("each authorization_details entry needs a type".into()),
        }
        if approval.is_some() {
            return Err(format!("only one {DETAILS_TYPE} entry may be sent"));
        }
        let data = match entry.remove("approval_data") {
            Some(data) => Some(data),
            None => {
                entry.remove("type");
                Some(Value::Object(entry))
            }
        };
        approval = Some(check_data(data).map_err(|e| e.to_string())?);
    }
    Ok(approval)
}

/// The `authorization_details` entry of approved (or refused) data, as the token response
/// carries it (RFC 9396 §7).
pub fn details_entry(data: &Map<String, Value>) -> Value {
    json!({ "type": DETAILS_TYPE, "approval_data": data })
}

/// The `authorization_details` entry of a decided approval in the token response: the data
/// with the approval's id, state, data hash and, once approved, its artifact.
pub fn approved_entry(approval: &Approval) -> Value {
    let mut entry = details_entry(&approval.data);
    if let Value::Object(fields) = &mut entry {
        fields.insert("approval_id".into(), json!(approval.id));
        fields.insert("state".into(), json!(approval.state.as_str()));
        fields.insert("approval_data_hash".into(), json!(approval.data_hash));
        if let Some(artifact) = &approval.artifact {
            fields.insert("artifact".into(), json!(artifact));
        }
    }
    entry
}

/// The authorization request to replay once approval `approval_id` is decided: the same
/// request, without what would force another sign-in (`prompt`, `max_age`, `login_hint`: the
/// user has just signed in for it), with the approval's id.
pub fn resume_params(
    request: &AuthorizationRequest,
    approval_id: &str,
) -> Vec<(&'static str, String)> {
    let mut params = vec![
        ("client_id", request.client_id.clone()),
        ("redirect_uri", request.redirect_uri.clone()),
        ("response_type", request.response_type.as_str().to_owned()),
        ("response_mode", request.response_mode.as_str().to_owned()),
        ("scope", request.scope.to_string()),
        ("view_type", request.view_type.as_str().to_owned()),
    ];
    let optional = [
        ("state", &request.state),
        ("nonce", &request.nonce),
        ("code_challenge", &request.code_challenge),
        ("acr_values", &request.acr_values),
        ("ui_locales", &request.ui_locales),
    ];
    params.extend(
        optional
            .into_iter()
            .filter_map(|(name, value)| value.clone().map(|v| (name, v))),
    );
    if request.code_challenge.is_some() {
        params.push(("code_challenge_method", "S256".to_owned()));
    }
    if let Some(ask) = &request.approval {
        let entry = Value::Array(vec![details_entry(&ask.data)]);
        params.push(("authorization_details", entry.to_string()));
    }
    params.push(("approval_id", approval_id.to_owned()));
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn authorization_details_name_the_approval_data() {
        let details = r#"[{"type":"payment_initiation","x":1},
            {"type":"transaction_approval","approval_data":{"amount":"10.00"}}]"#;
        let data = from_authorization_details(details).unwrap().unwrap();
        assert_eq!(Value::Object(data), json!({"amount": "10.00"}));
        let flat = r#"[{"type":"transaction_approval","amount":"10.00"}]"#;
        assert_eq!(
            Value::Object(from_authorization_details(flat).unwrap().unwrap()),
            json!({"amount": "10.00"})
        );
        assert_eq!(
            from_authorization_details(r#"[{"type":"other"}]"#).unwrap(),
            None
        );
        assert!(from_authorization_details("{}").is_err());
        assert!(from_authorization_details(r#"[{"amount":1}]"#).is_err());
    }
}

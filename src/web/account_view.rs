//! How the account page describes a user's sessions, sign-in activity and push devices to
//! them: times in UTC, sign-in methods in words (from RFC 8176 `amr` values and the names of
//! the methods in audit actions), browsers by name. The sessions table is shared with the
//! admin's user page (`templates/partials/sessions.html`). Web layer; reads rows from
//! `store`, writes no data.

use crate::domain::user_agent::device_name;
use crate::store::audit::AuditEventRow;
use crate::store::push_devices::PushDevice;
use crate::store::sessions::UserSession;
use crate::web::authenticator_view::when;
use crate::web::login_session;

/// One of the user's live sessions.
pub struct SessionView {
    /// The session's public id (never its lookup key), for its "Sign out" form.
    pub id: String,
    /// "Firefox on Windows", from the User-Agent it signed in with.
    pub device: String,
    pub ip: String,
    pub signed_in: String,
    pub method: String,
    pub last_seen: String,
    pub expires: String,
    /// The session of the browser looking at the page.
    pub current: bool,
}

/// What `templates/partials/sessions.html` shows: the sessions, and where and how each row's
/// "Sign out" form posts.
pub struct SessionsTable {
    pub rows: Vec<SessionView>,
    /// The forms post to `{end_path}/{id}/end`.
    pub end_path: String,
    pub csrf_token: String,
    /// The accessible name of the scrollable table region.
    pub label: &'static str,
}

/// One sign-in attempt of the user.
pub struct ActivityView {
    pub at: String,
    pub succeeded: bool,
    pub method: String,
    pub ip: String,
}

/// One of the user's push devices.
pub struct DeviceView {
    pub id: String,
    pub label: String,
    pub added: String,
    pub last_used: String,
}

/// The words for one method token (`amr` value or audit action part); `None` for `mfa`, which
/// only says that two methods were used.
fn method_name(token: &str) -> Option<&str> {
    Some(match token {
        "pwd" | "password" => "password",
        "otp" => "one-time code",
        "totp" => "authenticator app",
        "mail" | "email" => "email code",
        "sms" => "text message code",
        "push" => "push notification code",
        "backupcode" => "backup code",
        "mfa" => return None,
        other => other,
    })
}

/// `["pwd", "otp", "mfa"]` → "Password + one-time code".
pub fn describe_methods<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    let tokens: Vec<&str> = tokens.into_iter().collect();
    let words: Vec<&str> = tokens.iter().filter_map(|t| method_name(t)).collect();
    let text = match (words.is_empty(), tokens.contains(&"mfa")) {
        (false, _) => words.join(" + "),
        (true, true) => "second step".to_owned(),
        (true, false) => "unknown".to_owned(),
    };
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The user's sessions, the current one (`current_row`) marked.
pub fn session_views(sessions: &[UserSession], current_row: Option<&str>) -> Vec<SessionView> {
    sessions
        .iter()
        .map(|s| {
            let login = login_session::from_stored(&s.state);
            SessionView {
                id: s.public_id.clone(),
                device: device_name(s.user_agent.as_deref()),
                ip: s.ip.clone().unwrap_or_else(|| "unknown".into()),
                signed_in: when(Some(login.as_ref().map_or(s.created_at, |l| l.auth_time))),
                method: login.map_or_else(
                    || "Unknown".to_owned(),
                    |l| describe_methods(l.amr.iter().map(String::as_str)),
                ),
                last_seen: when(s.last_seen_at),
                expires: when(Some(s.expires_at)),
                current: current_row == Some(s.id_hash.as_str()),
            }
        })
        .collect()
}

/// Sign-in events (`login.pwd+otp+mfa`, `login.password`…) as the user's activity.
pub fn activity_views(events: &[AuditEventRow]) -> Vec<ActivityView> {
    events
        .iter()
        .map(|e| ActivityView {
            at: when(Some(e.at)),
            succeeded: e.outcome == "success",
            method: describe_methods(
                e.action
                    .strip_prefix("login.")
                    .unwrap_or(&e.action)
                    .split('+'),
            ),
            ip: e.ip.clone().unwrap_or_else(|| "unknown".into()),
        })
        .collect()
}

pub fn device_views(devices: &[PushDevice]) -> Vec<DeviceView> {
    devices
        .iter()
        .map(|d| DeviceView {
            id: d.id.clone(),
            label: d.label.clone(),
            added: when(Some(d.created_at)),
            last_used: when(d.last_used_at),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_described_in_words() {
        assert_eq!(describe_methods(["pwd"]), "Password");
        assert_eq!(
            describe_methods(["pwd", "otp", "mfa"]),
            "Password + one-time code"
        );
        assert_eq!(describe_methods(["mfa"]), "Second step");
        assert_eq!(describe_methods(["backupcode"]), "Backup code");
        assert_eq!(describe_methods(["sms"]), "Text message code");
        assert_eq!(describe_methods(Vec::<&str>::new()), "Unknown");
    }
}

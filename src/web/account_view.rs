//! How the account page describes a user's sessions, sign-in activity and push devices to
//! them: times in UTC, sign-in methods in words (from RFC 8176 `amr` values and the names of
//! the methods in audit actions), browsers by name. The sessions table is shared with the
//! admin's user page (`templates/partials/sessions.html`). Web layer; reads rows from
//! `store`, writes no data.

use crate::domain::user_agent::device_name;
use crate::i18n::Tr;
use crate::store::audit::AuditEventRow;
use crate::store::push_devices::PushDevice;
use crate::store::sessions::UserSession;
use crate::web::authenticator_view::when_in;
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
    pub label: String,
    /// The language of the table (the admin area passes English).
    pub tr: Tr,
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
fn method_name(tr: &Tr, token: &str) -> Option<String> {
    let key = match token {
        "pwd" | "password" => "method-password",
        "otp" => "method-otp",
        "totp" => "method-totp",
        "mail" | "email" => "method-email",
        "sms" => "method-sms",
        "push" => "method-push",
        "backupcode" => "method-backupcode",
        "mfa" => return None,
        other => return Some(other.to_owned()),
    };
    Some(tr.t(key))
}

/// `["pwd", "otp", "mfa"]` → "Password + one-time code".
pub fn describe_methods<'a>(tr: &Tr, tokens: impl IntoIterator<Item = &'a str>) -> String {
    let tokens: Vec<&str> = tokens.into_iter().collect();
    let words: Vec<String> = tokens.iter().filter_map(|t| method_name(tr, t)).collect();
    let text = match (words.is_empty(), tokens.contains(&"mfa")) {
        (false, _) => words.join(" + "),
        (true, true) => tr.t("method-second-step"),
        (true, false) => tr.t("method-unknown"),
    };
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The user's sessions, the current one (`current_row`) marked.
pub fn session_views(
    tr: &Tr,
    sessions: &[UserSession],
    current_row: Option<&str>,
) -> Vec<SessionView> {
    sessions
        .iter()
        .map(|s| {
            let login = login_session::from_stored(&s.state);
            SessionView {
                id: s.public_id.clone(),
                device: device_name(s.user_agent.as_deref()),
                ip: s.ip.clone().unwrap_or_else(|| tr.t("time-unknown")),
                signed_in: when_in(
                    tr,
                    Some(login.as_ref().map_or(s.created_at, |l| l.auth_time)),
                ),
                method: login.map_or_else(
                    || describe_methods(tr, []),
                    |l| describe_methods(tr, l.amr.iter().map(String::as_str)),
                ),
                last_seen: when_in(tr, s.last_seen_at),
                expires: when_in(tr, Some(s.expires_at)),
                current: current_row == Some(s.id_hash.as_str()),
            }
        })
        .collect()
}

/// Sign-in events (`login.pwd+otp+mfa`, `login.password`…) as the user's activity.
pub fn activity_views(tr: &Tr, events: &[AuditEventRow]) -> Vec<ActivityView> {
    events
        .iter()
        .map(|e| ActivityView {
            at: when_in(tr, Some(e.at)),
            succeeded: e.outcome == "success",
            method: describe_methods(
                tr,
                e.action
                    .strip_prefix("login.")
                    .unwrap_or(&e.action)
                    .split('+'),
            ),
            ip: e.ip.clone().unwrap_or_else(|| tr.t("time-unknown")),
        })
        .collect()
}

pub fn device_views(tr: &Tr, devices: &[PushDevice]) -> Vec<DeviceView> {
    devices
        .iter()
        .map(|d| DeviceView {
            id: d.id.clone(),
            label: d.label.clone(),
            added: when_in(tr, Some(d.created_at)),
            last_used: when_in(tr, d.last_used_at),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_described_in_words() {
        let en = Tr::new("en");
        assert_eq!(describe_methods(&en, ["pwd"]), "Password");
        assert_eq!(
            describe_methods(&en, ["pwd", "otp", "mfa"]),
            "Password + one-time code"
        );
        assert_eq!(describe_methods(&en, ["mfa"]), "Second step");
        assert_eq!(describe_methods(&en, ["backupcode"]), "Backup code");
        assert_eq!(describe_methods(&en, ["sms"]), "Text message code");
        assert_eq!(describe_methods(&en, Vec::<&str>::new()), "Unknown");
        let de = Tr::new("de");
        assert_eq!(
            describe_methods(&de, ["pwd", "totp", "mfa"]),
            "Passwort + Authentifizierungs-App"
        );
    }
}

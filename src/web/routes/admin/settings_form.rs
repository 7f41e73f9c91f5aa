//! The machinery shared by the settings pages (sign-in methods, connectors): fields named after
//! configuration keys, shown with their current value, validated by laying the posted values over
//! the running configuration (the same rules as the configuration file), saved as one revision,
//! applied at once.

use std::collections::BTreeMap;

use actix_web::HttpRequest;
use serde_json::Value;

use crate::config::Config;
use crate::domain::user::User;
use crate::flows::AppState;
use crate::settings::{EDITABLE, effective};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::hosted::see_other;

/// How a field is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Number,
    Text,
    Choice(Vec<&'static str>),
    /// Never shown back: empty keeps the stored value.
    Secret,
}

/// One input of a settings form.
#[derive(Debug, Clone)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub kind: Kind,
    /// What the input shows: the current value, or what was typed when the form is re-shown.
    pub value: String,
    /// For secrets: whether one is set.
    pub is_set: bool,
    pub error: Option<String>,
}

impl Field {
    pub fn input_type(&self) -> &'static str {
        match self.kind {
            Kind::Number => "number",
            Kind::Secret => "password",
            _ => "text",
        }
    }

    pub fn choices(&self) -> &[&'static str] {
        match &self.kind {
            Kind::Choice(options) => options,
            _ => &[],
        }
    }

    pub fn is_choice(&self) -> bool {
        matches!(self.kind, Kind::Choice(_))
    }
}

/// A titled group of fields.
pub struct Group {
    pub title: &'static str,
    pub fields: Vec<Field>,
    /// Optional overrides of other settings: folded away while none of them is set, so the
    /// page shows what is in force first.
    pub optional: bool,
}

impl Group {
    /// Whether an optional group opens: one of its fields has a value or an error.
    pub fn has_input(&self) -> bool {
        self.fields
            .iter()
            .any(|f| !f.value.is_empty() || f.error.is_some())
    }
}

/// The current value of `key` in `config`, as the input shows it.
pub fn shown(config: &Config, key: &str) -> String {
    let json = serde_json::to_value(config).unwrap_or(Value::Null);
    match &json[key] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Fills each field's value (and `is_set` for secrets) from `config`.
pub fn fill(groups: &mut [Group], config: &Config) {
    for field in groups.iter_mut().flat_map(|g| g.fields.iter_mut()) {
        let value = shown(config, field.key);
        if field.kind == Kind::Secret {
            field.is_set = !value.is_empty();
            field.value = String::new();
        } else if field.key == "smtp_url" {
            // Its credentials are a secret too.
            field.value = store::redact_url(&value);
        } else {
            field.value = value;
        }
    }
}

/// The JSON to store for a posted `raw` value of `field`, given the value in force; `None`
/// keeps the value in force (an empty secret, an unchanged redacted URL).
fn posted_json(field: &Field, raw: &str, current: &Config) -> Option<Value> {
    let raw = raw.trim();
    let in_force = shown(current, field.key);
    // Numbers are numbers in the configuration, whatever input typed them (a select of "6"/"8").
    let numeric = serde_json::to_value(current).is_ok_and(|c| c[field.key].is_number());
    match field.kind {
        Kind::Secret if raw.is_empty() => None,
        _ if field.key == "smtp_url" && raw == store::redact_url(&in_force) => None,
        // Empty: back to the value of the configuration file or environment.
        _ if raw.is_empty() => Some(Value::Null),
        _ if numeric || field.kind == Kind::Number => Some(match raw.parse::<i64>() {
            Ok(n) => Value::from(n),
            // Let validation report it against the field.
            Err(_) => Value::String(raw.to_owned()),
        }),
        _ => Some(Value::String(raw.to_owned())),
    }
}

/// What saving came to.
pub enum Saved {
    /// Stored and applied; the audit detail of what changed (empty: nothing changed).
    Applied(String),
    /// Refused; the fields carry their errors and the typed values.
    Invalid,
}

/// Validates the posted `form` for `groups` (plus `extra` computed values such as the enabled
/// methods), stores it as one revision and applies it. On errors, the fields get them.
pub async fn save(
    state: &AppState,
    req: &HttpRequest,
    admin: &User,
    groups: &mut [Group],
    form: &BTreeMap<String, String>,
    extra: Vec<(&'static str, Value)>,
    action: &str,
) -> Result<Saved, WebError> {
    let live = state.live();
    let current = &live.config;
    let mut values: Vec<(String, Value)> = Vec::new();
    for field in groups.iter_mut().flat_map(|g| g.fields.iter_mut()) {
        let raw = form.get(field.key).map(String::as_str).unwrap_or("");
        if field.kind != Kind::Secret {
            field.value = raw.trim().to_owned();
        }
        if let Some(json) = posted_json(field, raw, current) {
            values.push((field.key.to_owned(), json));
        }
    }
    values.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
    values.retain(|(k, _)| EDITABLE.contains(&k.as_str()));

    // Validate as the whole configuration that would be in force.
    let (_, stored) = state
        .settings
        .stored(&state.store)
        .await
        .map_err(WebError::Internal)?;
    let mut merged: BTreeMap<String, String> = stored.into_iter().collect();
    for (key, value) in &values {
        merged.insert(key.clone(), value.to_string());
    }
    let merged: Vec<(String, String)> = merged.into_iter().collect();
    let next = match effective(state.settings.base(), &merged) {
        Ok(config) => config,
        Err(e) => {
            let message = e.to_string();
            let message = message
                .strip_prefix("invalid configuration: ")
                .unwrap_or(&message)
                .to_owned();
            let blamed = groups
                .iter_mut()
                .flat_map(|g| g.fields.iter_mut())
                .find(|f| {
                    message.starts_with(&format!("{}:", f.key))
                        || message.contains(&format!("`{}`", f.key))
                });
            match blamed {
                Some(field) => {
                    let why = message
                        .split_once(": ")
                        .map_or(message.as_str(), |(_, why)| why);
                    field.error = Some(capitalised(why));
                }
                None => {
                    if let Some(first) = groups.iter_mut().flat_map(|g| g.fields.iter_mut()).next()
                    {
                        first.error = Some(capitalised(&message));
                    }
                }
            }
            return Ok(Saved::Invalid);
        }
    };
    // A connector that cannot be built (a bad SMTP URL…) is refused before it is stored.
    if let Err(e) = crate::settings::Live::build(next.clone(), 0) {
        if let Some(field) = groups
            .iter_mut()
            .flat_map(|g| g.fields.iter_mut())
            .find(|f| e.to_string().contains(f.key))
        {
            field.error = Some(capitalised(
                &e.to_string().replace("invalid configuration: ", ""),
            ));
        }
        return Ok(Saved::Invalid);
    }

    let detail = audit_changes(current, &next, &values, groups);
    if !detail.is_empty() {
        let rows: Vec<(String, String)> = values
            .iter()
            .map(|(k, v)| (k.clone(), state.settings.to_store(k, v.to_string())))
            .collect();
        let (by, now) = (admin.id.clone(), state.now());
        state
            .store
            .run(move |c| store::settings::put_settings(c, &rows, &by, now))
            .await?;
        state
            .settings
            .reload(&state.store, true)
            .await
            .map_err(WebError::Internal)?;
        audit::record(
            state,
            req,
            Audit::success(action)
                .actor(&admin.id)
                .detail(detail.clone()),
        )
        .await;
    }
    Ok(Saved::Applied(detail))
}

/// `key: before → after` for what changed; secrets only say that they changed.
fn audit_changes(
    before: &Config,
    after: &Config,
    values: &[(String, Value)],
    groups: &[Group],
) -> String {
    let secret = |key: &str| {
        key == "smtp_url"
            || groups
                .iter()
                .flat_map(|g| g.fields.iter())
                .any(|f| f.key == key && f.kind == Kind::Secret)
    };
    values
        .iter()
        .filter_map(|(key, _)| {
            let (old, new) = (shown(before, key), shown(after, key));
            if old == new {
                None
            } else if secret(key) {
                Some(format!("{key}: changed"))
            } else {
                Some(format!("{key}: {old} → {new}"))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Where a settings page goes after a save: back to itself, saying whether anything changed.
pub fn after_save(page: &str, detail: &str) -> actix_web::HttpResponse {
    see_other(format!("{page}?saved={}", u8::from(!detail.is_empty())))
}

/// The notice for `?saved=` after [`after_save`]; `applied` says what a change did.
pub fn saved_notice(query: &BTreeMap<String, String>, applied: &str) -> Option<String> {
    match query.get("saved").map(String::as_str) {
        Some("1") => Some(format!("Saved. {applied}")),
        Some("0") => Some("Nothing changed.".into()),
        _ => None,
    }
}

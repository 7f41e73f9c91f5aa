//! Writing audit events. A failed audit write is logged, not shown to the user: the action it
//! describes has already happened.

use super::{AppState, RequestMeta};
use crate::domain::client::method_key;
use crate::domain::verification::Method;
use crate::store::{self, audit::AuditEventRow};

/// An audit event under construction.
pub struct Audit {
    row: AuditEventRow,
}

impl Audit {
    fn new(action: &str, outcome: &str) -> Audit {
        Audit {
            row: AuditEventRow {
                id: uuid::Uuid::now_v7().to_string(),
                at: 0,
                action: action.to_owned(),
                outcome: outcome.to_owned(),
                actor: None,
                user_id: None,
                client_id: None,
                ip: None,
                detail: String::new(),
            },
        }
    }

    pub fn success(action: &str) -> Audit {
        Audit::new(action, "success")
    }

    pub fn failure(action: &str) -> Audit {
        Audit::new(action, "failure")
    }

    /// The user, when there is one (an unknown name has none).
    pub fn maybe_user(self, user_id: Option<&str>) -> Audit {
        match user_id {
            Some(id) => self.user(id),
            None => self,
        }
    }

    pub fn user(mut self, user_id: &str) -> Audit {
        self.row.user_id = Some(user_id.to_owned());
        self
    }

    pub fn client(mut self, client_id: &str) -> Audit {
        self.row.client_id = Some(client_id.to_owned());
        self
    }

    pub fn actor(mut self, actor: &str) -> Audit {
        self.row.actor = Some(actor.to_owned());
        self
    }

    /// A factor that failed during a sign-in, whichever page or endpoint it came through:
    /// `login.<method>` (`login.totp`, `login.email`, `login.backupcode`…), with where and why
    /// in the detail — one name per method, so the audit filter and the dashboard count them
    /// alike.
    pub fn sign_in_failure(method: Method, place: &str, why: &str) -> Audit {
        Audit::failure(&format!("login.{}", method_key(method))).detail(format!("{why} ({place})"))
    }

    /// A change the user made to their own account: about them, and by them.
    pub fn by_owner(self, user_id: &str) -> Audit {
        self.user(user_id).actor(user_id)
    }

    /// Free text for people; never put a secret here.
    pub fn detail(mut self, detail: String) -> Audit {
        self.row.detail = detail;
        self
    }
}

/// "field: before → after" for each field that changed, for an audit detail.
pub fn changes(fields: &[(&str, String, String)]) -> String {
    fields
        .iter()
        .filter(|(_, before, after)| before != after)
        .map(|(name, before, after)| format!("{name}: {before} → {after}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Stores `event`, stamped with the time and the client's address.
pub async fn record(state: &AppState, meta: &RequestMeta, event: Audit) {
    let row = stamped(state, meta, event);
    let action = row.action.clone();
    if let Err(e) = state
        .store
        .run(move |c| store::audit::insert_audit_event(c, &row))
        .await
    {
        tracing::error!(error = %e, action, "could not write audit event");
    }
}

/// `event` stamped with the time and the client's address, to be stored by [`write`] within
/// another trip to the database.
pub fn stamped(state: &AppState, meta: &RequestMeta, event: Audit) -> AuditEventRow {
    let mut row = event.row;
    row.at = state.now();
    row.ip = meta.ip.clone();
    // Every sign-in outcome is audited as `login.<method>`: counted here, once, for /metrics.
    if let Some(method) = row.action.strip_prefix("login.") {
        state.metrics.sign_in(method, &row.outcome);
    }
    row
}

/// Stores a [`stamped`] event on `conn`; like [`record`], a failure is logged, not returned.
pub fn write(conn: &mut store::AnyConnection, row: &AuditEventRow) {
    if let Err(e) = store::audit::insert_audit_event(conn, row) {
        tracing::error!(error = %e, action = row.action, "could not write audit event");
    }
}

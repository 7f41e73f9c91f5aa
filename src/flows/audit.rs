//! Writing audit events. A failed audit write is logged, not shown to the user: the action it
//! describes has already happened.

use super::{AppState, RequestMeta};
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

/// Stores `event`, stamped with the time and the client's address.
pub async fn record(state: &AppState, meta: &RequestMeta, event: Audit) {
    let mut row = event.row;
    row.at = state.now();
    row.ip = meta.ip.clone();
    let action = row.action.clone();
    if let Err(e) = state
        .store
        .run(move |c| store::audit::insert_audit_event(c, &row))
        .await
    {
        tracing::error!(error = %e, action, "could not write audit event");
    }
}

//! Authorization requests this instance has just stored, for the login page that shows them next.
//!
//! A browser sign-in stores its request at the authorization endpoint and is redirected at once
//! to the login page, which would read the row back: a trip to the database (a hand-off to the
//! blocking pool) for a row this instance wrote milliseconds before. The authorization endpoint
//! leaves the request here and the login page takes it, once, instead. Only that read is
//! saved: a request is read from the database whenever it is used for anything that counts
//! (every form posted, the binding, the completion), and when the page is shown again, by
//! another instance, or after newer requests pushed it out of here ([`CAPACITY`]). A request
//! only changes after a page was shown for it, so the copy taken here is what the database
//! holds; its expiry and browser binding are checked as for one read from the database.
//!
//! May use domain; never actix, askama or the store.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::domain::oauth::pending::PendingRequest;

/// At most this many requests wait here; one more empties it (they are read from the database
/// then, as without this).
const CAPACITY: usize = 512;

/// The requests in [`crate::flows::AppState`]; see the module documentation.
#[derive(Default)]
pub struct FreshRequests {
    entries: Mutex<HashMap<String, PendingRequest>>,
}

impl FreshRequests {
    /// Keeps `pending`, just stored, for its login page; only requests bound to a browser
    /// (the authorization endpoint's): others are continued by a login UI of the application's.
    pub fn put(&self, pending: &PendingRequest) {
        if pending.browser_binding.is_none() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(pending.id.clone(), pending.clone());
    }

    /// The request `id` if it waits here, which it then no longer does.
    pub fn take(&self, id: &str) -> Option<PendingRequest> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::oauth::authorize::{AuthorizationRequest, ResponseType, ViewType};
    use crate::domain::oauth::redirect::ResponseMode;
    use crate::domain::oauth::scope::Scopes;

    fn pending(id: &str, bound: bool) -> PendingRequest {
        let request = AuthorizationRequest {
            client_id: "app".into(),
            redirect_uri: "https://app.example/cb".into(),
            response_type: ResponseType::Code,
            response_mode: ResponseMode::Query,
            scope: Scopes::parse_supported("openid"),
            state: None,
            nonce: None,
            code_challenge: None,
            prompt: None,
            max_age: None,
            login_hint: None,
            ui_locales: None,
            acr_values: None,
            view_type: ViewType::Login,
            approval: None,
        };
        PendingRequest {
            id: id.to_owned(),
            request,
            browser_binding: bound.then(|| "browser".to_owned()),
            created_at: 0,
            expires_at: 600,
            completed_at: None,
        }
    }

    #[test]
    fn a_request_is_taken_once_and_only_when_bound_to_a_browser() {
        let fresh = FreshRequests::default();
        fresh.put(&pending("a", true));
        fresh.put(&pending("b", false));
        assert_eq!(fresh.take("a").map(|p| p.id), Some("a".to_owned()));
        assert!(fresh.take("a").is_none(), "taken once");
        assert!(
            fresh.take("b").is_none(),
            "a login UI's request is not kept"
        );
    }

    #[test]
    fn it_never_holds_more_than_its_capacity() {
        let fresh = FreshRequests::default();
        for i in 0..=CAPACITY {
            fresh.put(&pending(&i.to_string(), true));
        }
        let held = fresh.entries.lock().map(|e| e.len()).unwrap_or(0);
        assert!(held <= CAPACITY, "{held}");
        assert!(
            fresh.take(&CAPACITY.to_string()).is_some(),
            "the newest stays"
        );
    }
}

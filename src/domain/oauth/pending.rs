//! A validated authorization request waiting on the hosted pages (the `requestId`).

use super::authorize::AuthorizationRequest;

/// A validated request waiting for the user to sign in on the hosted pages (the `requestId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    pub id: String,
    pub request: AuthorizationRequest,
    /// SHA-256 of the browser cookie it is bound to; `None` until a browser first uses it
    /// (requests generated through the JSON API are bound on first use).
    pub browser_binding: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub completed_at: Option<i64>,
}

impl PendingRequest {
    /// Whether the request can still be completed.
    pub fn is_live(&self, now: i64) -> bool {
        self.completed_at.is_none() && now < self.expires_at
    }

    /// Whether `binding` (hash of this browser's cookie) may act on the request.
    pub fn is_bound_to(&self, binding: &str) -> bool {
        self.browser_binding
            .as_deref()
            .is_none_or(|b| crate::domain::ids::constant_time_eq(b, binding))
    }
}

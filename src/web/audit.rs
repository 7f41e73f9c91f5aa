//! Audit events from handlers: the request's facts for [`crate::flows::audit`].

use actix_web::HttpRequest;

pub use crate::flows::audit::Audit;
use crate::flows::{AppState, RequestMeta};

/// The client's IP address as Gatehouse records it (audit events, sessions): the peer address
/// of the connection.
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    req.peer_addr().map(|a| a.ip().to_string())
}

/// What flows record about this request.
pub fn meta(req: &HttpRequest) -> RequestMeta {
    RequestMeta { ip: client_ip(req) }
}

/// Stores `event`, stamped with the time and the client's address.
pub async fn record(state: &AppState, req: &HttpRequest, event: Audit) {
    crate::flows::audit::record(state, &meta(req), event).await;
}

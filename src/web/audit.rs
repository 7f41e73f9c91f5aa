//! Audit events from handlers: the request's facts for [`crate::flows::audit`].

use actix_web::HttpRequest;

pub use crate::flows::audit::Audit;
use crate::flows::{AppState, RequestMeta};

/// The client's IP address as Gatehouse records it (audit events, sessions, rate limits): the
/// peer address of the connection, or — when the peer is a configured trusted proxy — the
/// rightmost untrusted address of `X-Forwarded-For` (`domain::client_ip`).
pub fn client_ip(req: &HttpRequest) -> Option<String> {
    client_addr(req).map(|ip| ip.to_string())
}

/// [`client_ip`] as an address.
pub fn client_addr(req: &HttpRequest) -> Option<std::net::IpAddr> {
    let peer = req.peer_addr()?.ip();
    let Some(state) = req.app_data::<actix_web::web::Data<AppState>>() else {
        return Some(peer);
    };
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    Some(crate::domain::client_ip::resolve(
        peer,
        forwarded,
        state.limits.trusted_proxies(),
    ))
}

/// What flows record about this request.
pub fn meta(req: &HttpRequest) -> RequestMeta {
    RequestMeta { ip: client_ip(req) }
}

/// Stores `event`, stamped with the time and the client's address.
pub async fn record(state: &AppState, req: &HttpRequest, event: Audit) {
    crate::flows::audit::record(state, &meta(req), event).await;
}

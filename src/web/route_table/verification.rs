//! The cidaas verification service (API.md §4).

use actix_web::web;

use crate::web::routes;

use crate::web::routes::{enroll, own_factors, verification};

/// The cidaas verification service; both path families behave the same (API.md §4).
pub fn routes(cfg: &mut web::ServiceConfig) {
    use routes::verification_status::{cancel, status};
    use verification::{configured_list, initiate, verify};
    cfg.route(
        "/login-srv/verification/login",
        web::post().to(routes::verification_login::finish),
    );
    // JSON endpoints, each its own resource (a wrong method gets 405, see `super::endpoint`).
    let v = "/verification-srv";
    let a = "/verification-actions-srv";
    let endpoints = [
        (
            format!("{v}/v2/setup/initiate/totp"),
            web::post().to(enroll::initiate),
        ),
        (
            format!("{a}/setup/totp/initiation"),
            web::post().to(enroll::initiate),
        ),
        (
            format!("{a}/setup/totp/initiation/{{track_id}}"),
            web::post().to(enroll::initiate_for_track),
        ),
        (
            format!("{v}/v2/setup/enroll/totp"),
            web::post().to(enroll::enroll),
        ),
        (
            format!("{a}/setup/totp/verification"),
            web::post().to(enroll::enroll),
        ),
        (
            format!("{v}/public/graph/user/setup"),
            web::post().to(configured_list),
        ),
        (
            format!("{v}/v2/setup/public/configured/list"),
            web::post().to(configured_list),
        ),
        (
            format!("{v}/authentication/{{type}}/initiation"),
            web::post().to(initiate),
        ),
        (
            format!("{v}/v2/authenticate/initiate/{{type}}"),
            web::post().to(initiate),
        ),
        (
            format!("{v}/authentication/{{type}}/verification"),
            web::post().to(verify),
        ),
        (
            format!("{v}/v2/authenticate/authenticate/{{type}}"),
            web::post().to(verify),
        ),
        (
            format!("{v}/v2/setup/push/register"),
            web::post().to(routes::push_devices::register),
        ),
        (
            format!("{v}/v2/setup/push/devices"),
            web::get().to(routes::push_devices::list),
        ),
        (
            format!("{v}/v2/setup/totp/list"),
            web::get().to(own_factors::totp_list),
        ),
        (
            format!("{v}/authentication/{{type}}/resend"),
            web::post().to(routes::verification_codes::resend),
        ),
        (
            format!("{v}/v2/authenticate/resend/{{type}}"),
            web::post().to(routes::verification_codes::resend),
        ),
        (
            format!("{v}/authentication/{{type}}/cancel"),
            web::post().to(cancel),
        ),
        (
            format!("{v}/v2/authenticate/cancel/{{type}}"),
            web::post().to(cancel),
        ),
        (
            format!("{v}/verificationstatus/{{status_id}}"),
            web::get().to(status),
        ),
        (
            format!("{v}/v2/notification/status/{{status_id}}"),
            web::post().to(status),
        ),
    ];
    for (path, route) in endpoints {
        super::endpoint(cfg, &path, route);
    }
    // One's own authenticators and devices: one resource, two methods each.
    cfg.service(
        web::resource(format!("{v}/v2/setup/totp/{{authenticator_id}}"))
            .route(web::put().to(own_factors::totp_rename))
            .route(web::delete().to(own_factors::totp_remove)),
    );
    cfg.service(
        web::resource(format!("{v}/v2/setup/push/devices/{{device_id}}"))
            .route(web::put().to(own_factors::device_rename))
            .route(web::delete().to(own_factors::device_remove)),
    );
}

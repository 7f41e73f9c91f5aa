//! The cidaas verification service (API.md §4).

use actix_web::web;

use crate::web::routes;

use crate::web::routes::{enroll, verification};

/// The cidaas verification service; both path families behave the same (API.md §4).
pub fn routes(cfg: &mut web::ServiceConfig) {
    use routes::verification_status::{cancel, status};
    use verification::{configured_list, initiate, verify};
    let v = "/verification-srv";
    cfg.route(
        "/login-srv/verification/login",
        web::post().to(routes::verification_login::finish),
    )
    .route(
        &format!("{v}/v2/setup/initiate/totp"),
        web::post().to(enroll::initiate),
    )
    .route(
        "/verification-actions-srv/setup/totp/initiation",
        web::post().to(enroll::initiate),
    )
    .route(
        "/verification-actions-srv/setup/totp/initiation/{track_id}",
        web::post().to(enroll::initiate_for_track),
    )
    .route(
        &format!("{v}/v2/setup/enroll/totp"),
        web::post().to(enroll::enroll),
    )
    .route(
        "/verification-actions-srv/setup/totp/verification",
        web::post().to(enroll::enroll),
    )
    .route(
        &format!("{v}/public/graph/user/setup"),
        web::post().to(configured_list),
    )
    .route(
        &format!("{v}/v2/setup/public/configured/list"),
        web::post().to(configured_list),
    )
    .route(
        &format!("{v}/authentication/{{type}}/initiation"),
        web::post().to(initiate),
    )
    .route(
        &format!("{v}/v2/authenticate/initiate/{{type}}"),
        web::post().to(initiate),
    )
    .route(
        &format!("{v}/authentication/{{type}}/verification"),
        web::post().to(verify),
    )
    .route(
        &format!("{v}/v2/authenticate/authenticate/{{type}}"),
        web::post().to(verify),
    )
    .route(
        &format!("{v}/v2/setup/push/register"),
        web::post().to(routes::push_devices::register),
    )
    .route(
        &format!("{v}/v2/setup/push/devices"),
        web::get().to(routes::push_devices::list),
    )
    .route(
        &format!("{v}/v2/setup/push/devices/{{device_id}}"),
        web::delete().to(routes::push_devices::remove),
    )
    .route(
        &format!("{v}/authentication/{{type}}/resend"),
        web::post().to(routes::verification_codes::resend),
    )
    .route(
        &format!("{v}/v2/authenticate/resend/{{type}}"),
        web::post().to(routes::verification_codes::resend),
    )
    .route(
        &format!("{v}/authentication/{{type}}/cancel"),
        web::post().to(cancel),
    )
    .route(
        &format!("{v}/v2/authenticate/cancel/{{type}}"),
        web::post().to(cancel),
    )
    .route(
        &format!("{v}/verificationstatus/{{status_id}}"),
        web::get().to(status),
    )
    .route(
        &format!("{v}/v2/notification/status/{{status_id}}"),
        web::post().to(status),
    );
}

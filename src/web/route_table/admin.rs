//! The admin area (`/admin`, administrators only) and the management API.

use actix_web::web;

use crate::web::routes;

/// The admin area (administrators only; see `routes::admin`).
pub fn routes(cfg: &mut web::ServiceConfig) {
    use routes::admin::{connectors, dashboard, methods};
    cfg.route("/admin", web::get().to(dashboard::dashboard))
        .route("/admin/methods", web::get().to(methods::methods_page))
        .route("/admin/methods", web::post().to(methods::methods_save))
        .route(
            "/admin/connectors",
            web::get().to(connectors::connectors_page),
        )
        .route(
            "/admin/connectors",
            web::post().to(connectors::connectors_save),
        )
        .route(
            "/admin/connectors/test",
            web::post().to(connectors::connectors_test),
        );
    // Applications (OAuth clients)
    use routes::admin::{apps, apps_manage};
    cfg.route("/admin/apps", web::get().to(apps::list))
        .route("/admin/apps", web::post().to(apps::create))
        .route("/admin/apps/new", web::get().to(apps::new_form))
        .route("/admin/apps/{id}", web::get().to(apps::edit_form))
        .route("/admin/apps/{id}", web::post().to(apps::update))
        .route(
            "/admin/apps/{id}/delete",
            web::get().to(apps_manage::delete_confirm),
        )
        .route(
            "/admin/apps/{id}/delete",
            web::post().to(apps_manage::delete),
        )
        .route(
            "/admin/apps/{id}/rotate",
            web::get().to(apps_manage::rotate_confirm),
        )
        .route(
            "/admin/apps/{id}/rotate",
            web::post().to(apps_manage::rotate),
        );
    // The Branding section posts a file (multipart), with its own size limit.
    use routes::admin::apps_branding;
    cfg.service(
        web::resource("/admin/apps/{id}/branding")
            .app_data(apps_branding::upload_config())
            .route(web::post().to(apps_branding::save)),
    );
    admin_user_routes(cfg);
}

/// `/admin/users` (see `routes::admin::users`, `user_detail`, `user_actions`).
fn admin_user_routes(cfg: &mut web::ServiceConfig) {
    use routes::admin::{user_actions as act, user_detail, user_factors as factors, users};
    cfg.route("/admin/users", web::get().to(users::list))
        .route("/admin/users/new", web::get().to(users::new_form))
        .route("/admin/users/new", web::post().to(users::create))
        .route("/admin/users/{id}", web::get().to(user_detail::show))
        .route("/admin/users/{id}/disable", web::post().to(act::disable))
        .route("/admin/users/{id}/enable", web::post().to(act::enable))
        .route("/admin/users/{id}/admin", web::post().to(act::set_admin))
        .route(
            "/admin/users/{id}/send-reset",
            web::post().to(act::send_reset),
        )
        .route(
            "/admin/users/{id}/end-sessions",
            web::post().to(act::end_sessions),
        )
        .route(
            "/admin/users/{id}/sessions/{session}/end",
            web::post().to(act::end_session),
        )
        .route(
            "/admin/users/{id}/authenticators/{authenticator}/unlock",
            web::post().to(factors::unlock_authenticator),
        )
        .route(
            "/admin/users/{id}/authenticators/{authenticator}/revoke",
            web::post().to(factors::revoke_totp),
        )
        .route(
            "/admin/users/{id}/channels/{channel}/unlock",
            web::post().to(factors::unlock_channel),
        )
        .route(
            "/admin/users/{id}/devices/{device}/remove",
            web::post().to(factors::remove_device),
        )
        .route(
            "/admin/users/{id}/passkeys/{passkey}/remove",
            web::post().to(factors::remove_passkey),
        );
    // the audit log and the delivery log
    cfg.route(
        "/admin/audit",
        web::get().to(routes::admin::audit::audit_log),
    );
    cfg.route(
        "/admin/deliveries",
        web::get().to(routes::admin::deliveries::deliveries),
    );
    // everything locked, with unlock
    cfg.route(
        "/admin/lockouts",
        web::get().to(routes::admin::lockouts::lockouts),
    )
    .route(
        "/admin/lockouts/unlock",
        web::post().to(routes::admin::lockouts::unlock),
    );
}

/// The management API (API.md §5).
pub fn management_routes(cfg: &mut web::ServiceConfig) {
    use routes::management::{deliveries, list, revoke, unlock};
    let endpoints = [
        ("/v1/users/{sub}/authenticators", web::get().to(list)),
        (
            "/v1/users/{sub}/authenticators/{id}/unlock",
            web::post().to(unlock),
        ),
        ("/v1/users/{sub}/totp/revoke", web::post().to(revoke)),
        ("/v1/deliveries", web::get().to(deliveries)),
    ];
    // Each its own resource: a wrong method gets 405 (see `super::endpoint`).
    for (path, route) in endpoints {
        super::endpoint(cfg, path, route);
    }
}

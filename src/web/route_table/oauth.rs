//! The OpenID provider's endpoints (discovery, authorization, token, userinfo, logout) and the
//! start page, health check and static files.

use actix_web::web;

use crate::web::routes::{
    self as routes, approvals, authz, discovery, end_session, introspect, start, token, userinfo,
};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(start::start))
        .route("/health", web::get().to(start::health))
        .route("/static/style.css", web::get().to(start::style))
        .route("/static/form_post.js", web::get().to(start::form_post_js))
        .route(
            "/.well-known/openid-configuration",
            web::get().to(discovery::openid_configuration),
        )
        .route("/.well-known/jwks.json", web::get().to(discovery::jwks))
        .route("/authz-srv/authz", web::get().to(authz::authorize_get))
        .route("/authz-srv/authz", web::post().to(authz::authorize_post))
        .route(
            "/session/end_session",
            web::get().to(end_session::end_session_get),
        )
        .route(
            "/session/end_session",
            web::post().to(end_session::end_session_post),
        );
    // JSON endpoints, each its own resource (a wrong method gets 405, see `super::endpoint`).
    let endpoints = [
        (
            "/authz-srv/authrequest/authz/generate",
            web::post().to(authz::generate),
        ),
        (
            "/public-srv/public/{request_id}",
            web::get().to(authz::public_info),
        ),
        ("/token-srv/token", web::post().to(token::token)),
        (
            "/token-srv/introspect",
            web::post().to(introspect::introspect),
        ),
        ("/token-srv/revoke", web::post().to(introspect::revoke)),
        ("/approvals", web::post().to(approvals::start)),
        ("/approvals/{id}", web::get().to(approvals::status)),
    ];
    for (path, route) in endpoints {
        super::endpoint(cfg, path, route);
    }
    // For operators: Prometheus metrics and the OpenAPI document of the JSON API.
    cfg.route("/metrics", web::get().to(routes::operations::metrics))
        .route("/openapi.json", web::get().to(routes::operations::openapi));
    cfg.service(
        web::resource("/users-srv/userinfo")
            .route(web::get().to(userinfo::userinfo_get))
            .route(web::post().to(userinfo::userinfo_post)),
    );
}

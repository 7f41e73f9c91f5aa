//! The OpenID provider's endpoints (discovery, authorization, token, userinfo, logout) and the
//! start page, health check and static files.

use actix_web::web;

use crate::web::routes::{authz, discovery, end_session, introspect, start, token, userinfo};

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
            "/authz-srv/authrequest/authz/generate",
            web::post().to(authz::generate),
        )
        .route(
            "/public-srv/public/{request_id}",
            web::get().to(authz::public_info),
        )
        .route("/token-srv/token", web::post().to(token::token))
        .route(
            "/token-srv/introspect",
            web::post().to(introspect::introspect),
        )
        .route("/token-srv/revoke", web::post().to(introspect::revoke))
        .route("/users-srv/userinfo", web::get().to(userinfo::userinfo_get))
        .route(
            "/users-srv/userinfo",
            web::post().to(userinfo::userinfo_post),
        )
        .route(
            "/session/end_session",
            web::get().to(end_session::end_session_get),
        )
        .route(
            "/session/end_session",
            web::post().to(end_session::end_session_post),
        );
}

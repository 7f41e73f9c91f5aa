//! The hosted sign-in pages: password, passwordless codes, the second factor, sign-up and
//! password reset (API.md §3).

use actix_web::web;

use crate::web::routes;
use crate::web::routes::login;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(login::login_page))
        .route("/login-srv/login", web::post().to(login::login_submit))
        .route("/language", web::post().to(routes::language::switch));
    second_factor_routes(cfg);
    self_service_routes(cfg);
    // Transaction approvals: the user's page (the client's JSON side is in `oauth`).
    use routes::approval_page::{decide, page};
    cfg.route("/approve/{id}", web::get().to(page))
        .route("/approve/{id}", web::post().to(decide));
    // Applications' logos and accent stylesheets, named by their content.
    cfg.route(
        "/branding/{client_id}/{file}",
        web::get().to(routes::branding::file),
    );
}

/// Hosted pages for passwordless sign-in and the second factor (and its JSON continuation).
fn second_factor_routes(cfg: &mut web::ServiceConfig) {
    use routes::mfa::{mfa_page, mfa_submit, precheck_continue};
    use routes::passkey_login;
    use routes::passwordless::{methods, verify_page, verify_submit};
    cfg.route("/login/methods", web::get().to(methods))
        .route("/login/verify", web::get().to(verify_page))
        .route("/login/verify", web::post().to(verify_submit))
        .route("/login/code/send", web::post().to(routes::code_login::send))
        .route("/login/code", web::get().to(routes::code_login::code_page))
        .route(
            "/login/code",
            web::post().to(routes::code_login::code_submit),
        )
        .route(
            "/login/code/resend",
            web::post().to(routes::code_login::resend),
        )
        .route(
            "/login/passkey",
            web::get().to(passkey_login::login_passkey_page),
        )
        .route(
            "/login/passkey",
            web::post().to(passkey_login::login_passkey_submit),
        )
        .route(
            "/mfa/passkey",
            web::get().to(passkey_login::mfa_passkey_page),
        )
        .route(
            "/mfa/passkey",
            web::post().to(passkey_login::mfa_passkey_submit),
        )
        .route("/mfa", web::get().to(mfa_page))
        .route("/mfa", web::post().to(mfa_submit))
        .route(
            "/login-srv/precheck/continue/{track_id}",
            web::post().to(precheck_continue),
        );
}

/// Sign-up and password reset on the hosted pages (API.md §3).
fn self_service_routes(cfg: &mut web::ServiceConfig) {
    use routes::password_forgot::{forgot_page, forgot_submit};
    use routes::password_reset::{reset_page, reset_submit};
    use routes::register::{register_page, register_submit};
    use routes::register_confirm::{confirm_form, confirm_submit};
    cfg.route("/register", web::get().to(register_page))
        .route("/register", web::post().to(register_submit))
        .route("/register/confirm", web::get().to(confirm_form))
        .route("/register/confirm", web::post().to(confirm_submit))
        .route(
            "/register/resend",
            web::post().to(routes::register_confirm::resend),
        )
        .route("/password/forgot", web::get().to(forgot_page))
        .route("/password/forgot", web::post().to(forgot_submit))
        .route("/password/reset", web::get().to(reset_page))
        .route("/password/reset", web::post().to(reset_submit))
        .route(
            "/password/resend",
            web::post().to(routes::password_reset::resend),
        );
}

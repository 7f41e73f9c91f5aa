//! The HTTP layer (actix-web only): route table, middleware, extractor settings.
//! Handlers reach the database only through `store` functions run by `Store::run`.

pub mod account_view;
pub mod audit;
pub mod authenticator_view;
pub mod backup_codes;
pub mod bearer;
pub mod browser;
pub mod codes;
pub mod current_user;
pub mod envelope;
pub mod error;
pub mod factors;
pub mod hosted;
pub mod issue;
pub mod login_flow;
pub mod login_session;
pub mod messages;
pub mod notices;
pub mod oauth_json;
pub mod password_check;
pub mod qr;
pub mod routes;
pub mod session_store;
pub mod state;
pub mod totp_check;

use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::DefaultHeaders;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use tracing_actix_web::{RequestId, RootSpanBuilder};

use routes::{
    authz, discovery, end_session, enroll, introspect, login, start, token, userinfo, verification,
};

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|e, _| bad_input(e.to_string())))
        .app_data(
            web::FormConfig::default()
                .limit(64 * 1024)
                .error_handler(|e, _| bad_input(e.to_string())),
        )
        .app_data(
            web::JsonConfig::default()
                .limit(64 * 1024)
                .error_handler(json_error),
        )
        .app_data(web::PayloadConfig::default().limit(64 * 1024))
        .route("/", web::get().to(start::start))
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
        .route("/login", web::get().to(login::login_page))
        .route("/login-srv/login", web::post().to(login::login_submit))
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
    verification_routes(cfg);
    second_factor_routes(cfg);
    self_service_routes(cfg);
    account_routes(cfg);
    management_routes(cfg);
    admin_routes(cfg);
}

/// The admin area (administrators only; see `routes::admin`).
fn admin_routes(cfg: &mut web::ServiceConfig) {
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
fn management_routes(cfg: &mut web::ServiceConfig) {
    use routes::management::{deliveries, list, revoke, unlock};
    cfg.route("/v1/users/{sub}/authenticators", web::get().to(list))
        .route(
            "/v1/users/{sub}/authenticators/{id}/unlock",
            web::post().to(unlock),
        )
        .route("/v1/users/{sub}/totp/revoke", web::post().to(revoke))
        .route("/v1/deliveries", web::get().to(deliveries));
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

/// The self-service account pages.
fn account_routes(cfg: &mut web::ServiceConfig) {
    use routes::account::{account, callback, logout};
    use routes::account_totp::{add_totp, confirm_totp, remove_totp, rename_totp};
    use routes::{
        account_backup, account_codes, account_devices, account_password, account_phone,
        account_profile,
    };
    cfg.route("/account", web::get().to(account))
        .route("/account/callback", web::get().to(callback))
        .route("/account/totp", web::post().to(add_totp))
        .route("/account/totp/confirm", web::post().to(confirm_totp))
        .route("/account/totp/{id}/rename", web::post().to(rename_totp))
        .route("/account/totp/{id}/remove", web::post().to(remove_totp))
        .route(
            "/account/backup-codes",
            web::post().to(account_backup::new_backup_codes),
        )
        .route(
            "/account/backup-codes/download",
            web::post().to(account_backup::download_backup_codes),
        )
        .route(
            "/account/name",
            web::post().to(account_profile::change_name),
        )
        .route(
            "/account/email",
            web::post().to(account_profile::change_email),
        )
        .route(
            "/account/email/confirm",
            web::post().to(account_profile::confirm_email),
        )
        .route(
            "/account/email/resend",
            web::post().to(account_codes::resend_email),
        )
        .route(
            "/account/password",
            web::post().to(account_password::change_password),
        )
        .route("/account/phone", web::post().to(account_phone::add_phone))
        .route(
            "/account/phone/confirm",
            web::post().to(account_phone::confirm_phone),
        )
        .route(
            "/account/phone/resend",
            web::post().to(account_codes::resend_phone),
        )
        .route(
            "/account/phone/remove",
            web::post().to(account_phone::remove_phone),
        )
        .route(
            "/account/push/{id}/remove",
            web::post().to(account_devices::remove_device),
        )
        .route(
            "/account/sessions/end-others",
            web::post().to(account_devices::end_other_sessions),
        )
        .route("/account/logout", web::post().to(logout));
}

/// Hosted pages for passwordless sign-in and the second factor (and its JSON continuation).
fn second_factor_routes(cfg: &mut web::ServiceConfig) {
    use routes::mfa::{mfa_page, mfa_submit, precheck_continue};
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
        .route("/mfa", web::get().to(mfa_page))
        .route("/mfa", web::post().to(mfa_submit))
        .route(
            "/login-srv/precheck/continue/{track_id}",
            web::post().to(precheck_continue),
        );
}

/// The cidaas verification service; both path families behave the same (API.md §4).
fn verification_routes(cfg: &mut web::ServiceConfig) {
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

fn bad_input(message: String) -> actix_web::Error {
    error::WebError::BadRequest(format!("The request is malformed: {message}")).into()
}

/// Malformed JSON gets the cidaas error envelope, not an HTML page.
fn json_error(e: actix_web::error::JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    let response = envelope::error(
        req,
        actix_web::http::StatusCode::BAD_REQUEST,
        "invalid_request",
        "ValidationError",
        &format!("The JSON body is malformed: {e}"),
    );
    actix_web::error::InternalError::from_response(e, response).into()
}

/// Security headers for every response (DESIGN.md): a CSP without inline script, no framing,
/// no sniffing, no referrer (login URLs carry request ids), and no caching unless a handler
/// says otherwise.
pub fn security_headers(https: bool) -> DefaultHeaders {
    let mut headers = DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add((header::CACHE_CONTROL, "no-store"));
    if https {
        headers = headers.add((
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    headers
}

/// Request spans without query strings: they can carry hints and tokens
/// (`id_token_hint`), which must never reach the logs.
pub struct RedactedSpans;

impl RootSpanBuilder for RedactedSpans {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.to_string())
            .unwrap_or_default();
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.path(),
            request_id = %request_id,
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(response) => response.status().as_u16(),
            Err(e) => e.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
    }
}

/// ISO-8601 UTC text for a unix time (API.md: times in JSON are ISO-8601 strings).
pub fn iso8601(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A plain 404 for routes that match nothing.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().finish()
}

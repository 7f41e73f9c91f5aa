//! The self-service account pages (`/account`).

use actix_web::web;

use crate::web::routes;

/// The self-service account pages.
pub fn routes(cfg: &mut web::ServiceConfig) {
    use routes::account::{account, logout};
    use routes::account_sign_in::callback;
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
        .route(
            "/account/sessions/{id}/end",
            web::post().to(account_devices::end_session),
        )
        .route("/account/logout", web::post().to(logout));
    passkey_routes(cfg);
}

/// Passkeys on the account page, and the script of every passkey page.
fn passkey_routes(cfg: &mut web::ServiceConfig) {
    use routes::account_passkeys::{passkey_js, passkeys_page, register, remove, rename};
    cfg.route("/account/passkeys", web::get().to(passkeys_page))
        .route("/account/passkeys", web::post().to(register))
        .route("/account/passkeys/{id}/rename", web::post().to(rename))
        .route("/account/passkeys/{id}/remove", web::post().to(remove))
        .route("/static/js/passkey.js", web::get().to(passkey_js));
}

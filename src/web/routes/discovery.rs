//! OpenID Provider metadata (OIDC Discovery 1.0, RFC 8414) and the JWKS.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::domain::oauth::authorization_details::DETAILS_TYPE;
use crate::domain::oauth::scope::SUPPORTED;
use crate::domain::sign_in::ACR_VALUES_SUPPORTED;
use crate::flows::AppState;

pub async fn openid_configuration(state: web::Data<AppState>) -> HttpResponse {
    let url = |path: &str| state.url(path);
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(json!({
            "issuer": &*state.issuer,
            "authorization_endpoint": url("/authz-srv/authz"),
            "token_endpoint": url("/token-srv/token"),
            "userinfo_endpoint": url("/users-srv/userinfo"),
            "jwks_uri": url("/.well-known/jwks.json"),
            "end_session_endpoint": url("/session/end_session"),
            "introspection_endpoint": url("/token-srv/introspect"),
            "revocation_endpoint": url("/token-srv/revoke"),
            "scopes_supported": SUPPORTED,
            "response_types_supported": ["code", "token", "id_token", "id_token token"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "implicit"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr", "azp", "at_hash", "email", "email_verified", "name", "updated_at"],
            // `1` = one factor, `2` = two factors (amr `mfa`); see domain::sign_in
            "acr_values_supported": ACR_VALUES_SUPPORTED,
            // RFC 9396 §10: transaction approvals on the authorization request
            "authorization_details_types_supported": [DETAILS_TYPE],
            "prompt_values_supported": ["none", "login", "consent", "select_account"],
            "authorization_response_iss_parameter_supported": true,
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "ui_locales_supported": crate::i18n::SHIPPED,
        }))
}

pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .json(state.keys.jwks())
}

//! Bearer access tokens (RFC 6750): reading them from a request and resolving them.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::domain::ids::hash_secret;
use crate::domain::oauth::grant::AccessToken;
use crate::flows::AppState;
use crate::store::{self, StoreError};

/// The token of an `Authorization: Bearer …` header.
pub fn from_header(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_owned())
}

/// The stored record of `token` if it is active now.
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<AccessToken>, StoreError> {
    let token_hash = hash_secret(token);
    let now = state.now();
    Ok(state
        .store
        .run(move |c| store::grants::find_access_token(c, &token_hash))
        .await?
        .filter(|t| t.is_active(now)))
}

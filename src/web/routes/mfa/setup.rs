//! The QR code and secret of a TOTP being set up as a second factor (a new one, or one whose
//! setup is still in progress).

use crate::domain::user::User;
use crate::flows::AppState;
use crate::flows::totp_enrollment::{self as enroll, EnrollRefusal};
use crate::store;
use crate::web::error::WebError;
use crate::web::qr;

/// The QR code, secret and form of an enrollment in progress.
pub struct SetupView {
    pub exchange_id: String,
    pub qr_svg: String,
    pub secret_grouped: String,
    pub uri: String,
    pub label: String,
}

pub(super) async fn new_setup(state: &AppState, user: &User) -> Result<SetupView, WebError> {
    match enroll::start_enrollment(state, user, None, None).await? {
        Ok(e) => Ok(SetupView {
            qr_svg: qr::svg(&e.uri).unwrap_or_default(),
            secret_grouped: crate::domain::totp::grouped(&e.secret_base32),
            uri: e.uri,
            label: e.label,
            exchange_id: e.verification.exchange_id,
        }),
        Err(EnrollRefusal::LimitReached(_)) => Err(WebError::BadRequest(
            "No more authenticators can be added to this account.".into(),
        )),
    }
}

/// Re-opens the setup of an enrollment in progress, to show its QR code again.
pub async fn existing_setup(
    state: &AppState,
    exchange_id: &str,
) -> Result<Option<SetupView>, WebError> {
    let id = exchange_id.to_owned();
    let Some(v) = state
        .store
        .run(move |c| store::verifications::find_by_exchange(c, &id))
        .await?
    else {
        return Ok(None);
    };
    let Some(medium) = v.medium_id.clone() else {
        return Ok(None);
    };
    let Some(a) = state
        .store
        .run(move |c| store::authenticators::find_authenticator(c, &medium))
        .await?
    else {
        return Ok(None);
    };
    let secret = state
        .sealer
        .open(&a.sealed_secret)
        .map_err(|e| WebError::Internal(e.into()))?;
    let user_id = a.user_id.clone();
    let email = state
        .store
        .run(move |c| store::users::find_user(c, &user_id))
        .await?
        .map(|u| u.email)
        .unwrap_or_default();
    let uri = crate::domain::totp::provisioning_uri(
        &secret,
        a.params,
        &state.live().config.totp_issuer,
        &format!("{email} ({})", a.label),
    );
    Ok(Some(SetupView {
        exchange_id: exchange_id.to_owned(),
        qr_svg: qr::svg(&uri).unwrap_or_default(),
        secret_grouped: crate::domain::totp::grouped(&crate::domain::totp::secret_base32(&secret)),
        uri,
        label: a.label,
    }))
}

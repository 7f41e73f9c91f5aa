//! The devices and browsers of an account on the account page: removing a push device (they
//! are registered by the app through the JSON API, `push_devices`), and signing out one or
//! every other browser signed in to the account.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::user_agent::device_name;
use crate::flows::AppState;
use crate::flows::own_factors::{self, Change, Kind};
use crate::store;
use crate::web::audit::{self, Audit};
use crate::web::error::WebError;
use crate::web::extract::{Csrf, FreshSignIn, NoFields, SignedIn};
use crate::web::hosted::found;
use crate::web::login_session;
use crate::web::routes::account::signed_out;
use crate::web::session_store::current_row;

/// `POST /account/push/{id}/remove` (fresh sign-in needed: push codes sign in).
pub async fn remove_device(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    user: FreshSignIn,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    match own_factors::remove(&state, &audit::meta(&req), Kind::PushDevice, &user.id, &id).await? {
        Change::Done => Ok(found("/account?notice=device_removed")),
        _ => Err(WebError::NotFound("No such device.".into())),
    }
}

/// `POST /account/sessions/end-others`: every session of the account but this browser's
/// ends. Protective, so no fresh sign-in is asked for.
pub async fn end_other_sessions(
    state: web::Data<AppState>,
    req: HttpRequest,
    _form: Csrf<NoFields>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    let (id, keep) = (user.id.clone(), current_row(&user.session));
    let Some(keep) = keep else {
        return Err(WebError::Forbidden(
            "Your session has ended. Open /account to sign in again.".into(),
        ));
    };
    let ended = state
        .store
        .run(move |c| store::sessions::delete_user_sessions(c, &id, Some(&keep)))
        .await?;
    audit::record(
        &state,
        &req,
        Audit::success("session.end_others")
            .by_owner(&user.id)
            .detail(format!("{ended} other session(s) ended")),
    )
    .await;
    Ok(found("/account?notice=sessions_ended"))
}

/// `POST /account/sessions/{id}/end`: signs one browser of the account out, by the session's
/// public id. Protective like ending the others, so no fresh sign-in is asked for. Ending this
/// browser's own session signs it out as `/account/logout` does. Another account's session
/// (or an unknown id) is 404 and nothing ends.
pub async fn end_session(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    _form: Csrf<NoFields>,
    user: SignedIn,
) -> Result<HttpResponse, WebError> {
    let (user_id, public_id) = (user.id.clone(), path.into_inner());
    let ended = state
        .store
        .run(move |c| store::sessions::delete_user_session(c, &user_id, &public_id))
        .await?
        .ok_or_else(|| WebError::NotFound("There is no such session.".into()))?;
    let this_browser = current_row(&user.session).as_deref() == Some(ended.id_hash.as_str());
    audit::record(
        &state,
        &req,
        Audit::success("session.end")
            .by_owner(&user.id)
            .detail(format!(
                "session {} ({}{}) ended by its owner",
                ended.public_id,
                device_name(ended.user_agent.as_deref()),
                if this_browser { ", this browser" } else { "" },
            )),
    )
    .await;
    if this_browser {
        login_session::end(&user.session);
        return signed_out(&state, &user.browser, user.lang.tr());
    }
    Ok(found("/account?notice=session_ended"))
}

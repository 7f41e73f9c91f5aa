//! [`CsrfUpload<T>`]: a multipart form (a file upload) whose `csrf_token` field matches this
//! browser's cookie — [`super::Csrf`] for forms that carry a file, judged first in the same way.

use std::ops::Deref;

use actix_multipart::form::{MultipartCollect, MultipartForm};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use actix_web::error::InternalError;
use actix_web::http::{StatusCode, header};

use super::app_state;
use super::csrf::awaits_verdict;
use crate::web::error::error_response;
use crate::web::login_flow::form_browser;

/// A multipart form that names its CSRF token field.
pub trait UploadToken {
    fn csrf_token(&self) -> Option<&str>;
}

/// A multipart form `T` posted with this browser's CSRF token. A form that cannot be read gets
/// the answer of `T`'s `MultipartFormConfig`; a wrong or missing token, 403.
pub struct CsrfUpload<T>(T);

impl<T> CsrfUpload<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for CsrfUpload<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: MultipartCollect + UploadToken + 'static> FromRequest for CsrfUpload<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !is_multipart(req) {
            let response = error_response(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This request cannot be completed",
                "The form must be sent as multipart/form-data (a file upload).".into(),
            );
            let error = InternalError::from_response("not multipart/form-data", response);
            return Box::pin(std::future::ready(Err(error.into())));
        }
        let judge = awaits_verdict(req);
        let form = MultipartForm::<T>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let form = form.await?.into_inner();
            let state = app_state(&req)?;
            form_browser(&state, &req, form.csrf_token())?;
            // Nobody may be listening any more; that is fine.
            let _ = judge.send(true);
            Ok(CsrfUpload(form))
        })
    }
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

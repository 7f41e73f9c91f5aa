//! Use cases, free of HTTP: signing in (first factor → the sign-in state machine → second
//! factor or enrollment → finish), one-time codes, TOTP checks, backup codes, password checks,
//! the factor list and audit. ONE copy of each, whichever adapter calls it (hosted pages, the
//! JSON verification service, the account and admin pages).
//!
//! May use domain, store, channels and crypto; never actix, askama or anything of `web`
//! (`tests/api/architecture.rs` checks it). Errors are [`FlowError`]s; `web` maps them to a
//! page or a JSON envelope.

pub mod approvals;
pub mod audit;
pub mod backup_codes;
pub mod branding;
pub mod clients;
pub mod codes;
pub mod factors;
pub mod fresh_requests;
pub mod housekeeping;
pub mod issue;
pub mod limits;
pub mod login_codes;
pub mod own_factors;
pub mod passkeys;
pub mod password_check;
pub mod sign_in;
pub mod state;
pub mod totp_check;
pub mod totp_enrollment;

pub use state::AppState;

use crate::crypto::password::HashError;
use crate::store::StoreError;

/// What can go wrong in a flow that is not the user's mistake (those are typed outcomes).
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    /// The password-hashing pool is full: try again shortly (429).
    #[error("too many requests")]
    Busy,
    /// A rate limit or shared budget is used up (`flows::limits`): 429 with `Retry-After`.
    /// `budget` names the budget (`sms_per_number`…) for budgets, `None` for rate limits.
    #[error("limit reached; retry after {retry_after} s")]
    Limited {
        retry_after: u64,
        budget: Option<&'static str>,
    },
    /// Refused by a rule of the installation (e.g. SMS to a country not on the list): 400
    /// with this message for a person.
    #[error("{0}")]
    Refused(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<StoreError> for FlowError {
    fn from(e: StoreError) -> Self {
        FlowError::Internal(e.into())
    }
}

impl From<HashError> for FlowError {
    fn from(e: HashError) -> Self {
        match e {
            HashError::Busy => FlowError::Busy,
            other => FlowError::Internal(other.into()),
        }
    }
}

/// Facts about the request a flow records (audit, sessions), taken by the adapter.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The client's IP address: the peer address of the connection.
    pub ip: Option<String>,
}

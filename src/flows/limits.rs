//! Abuse limits: the in-process rate limiters (per client IP, per sign-in name; `governor`)
//! and the budgets every instance shares through the database (`rate_counters`): SMS per
//! number, per IP and in all per hour, code mails per address, the "someone tried to register"
//! notice. An exhausted limit is a [`FlowError::Limited`], which `web` answers with 429 and
//! `Retry-After` in the endpoint's own shape; an exhausted budget is also an audit event
//! `limits.budget_exhausted` naming the budget (never the destination).
//!
//! The client's address reaches the flows that send messages as [`client_ip`]: the web layer
//! runs each limited request inside [`with_client_ip`], so the sending flows (called from many
//! adapters) need not thread it through every signature.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::audit::{self, Audit};
use super::{AppState, FlowError, RequestMeta};
use crate::config::Config;
use crate::domain::ids::hash_secret;
use crate::domain::limits::{self, Budget};
use crate::store::{self, rate_counters::Take};

tokio::task_local! {
    static CLIENT_IP: Option<String>;
}

/// Runs `f` with `ip` as the request's client address for [`client_ip`].
pub async fn with_client_ip<F: std::future::Future>(ip: Option<String>, f: F) -> F::Output {
    CLIENT_IP.scope(ip, f).await
}

/// The client address of the request being served (see [`with_client_ip`]).
pub fn client_ip() -> Option<String> {
    CLIENT_IP.try_with(Clone::clone).ok().flatten()
}

/// The per-process rate limiters: a token bucket per client IP (anonymous POSTs) and per
/// sign-in name (password posts). Kept in [`AppState`], never global.
pub struct RateLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_name: DefaultKeyedRateLimiter<String>,
    trusted: Vec<ipnet::IpNet>,
    exempt: Vec<ipnet::IpNet>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    pub fn new(config: &Config) -> RateLimits {
        RateLimits {
            per_ip: RateLimiter::keyed(per_minute(config.rate_ip_per_minute)),
            per_name: RateLimiter::keyed(per_minute(config.rate_name_per_minute)),
            trusted: config.trusted_networks(),
            exempt: config.rate_exempt_networks(),
        }
    }

    /// The proxies whose `X-Forwarded-For` is believed.
    pub fn trusted_proxies(&self) -> &[ipnet::IpNet] {
        &self.trusted
    }

    /// One more anonymous POST from `ip`: refused with the seconds to wait when over the rate.
    /// Addresses in `rate_exempt` are never limited here.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), FlowError> {
        if self.exempt.iter().any(|net| net.contains(&ip)) {
            return Ok(());
        }
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| limited(not_until.wait_time_from(DefaultClock::default().now())))
    }

    /// One more password post for the sign-in `subject` (the normalised name's lockout
    /// subject), whoever sends it.
    pub fn check_name(&self, subject: &str) -> Result<(), FlowError> {
        self.per_name
            .check_key(&subject.to_owned())
            .map_err(|not_until| limited(not_until.wait_time_from(DefaultClock::default().now())))
    }

    /// Forgets the buckets that are full again (housekeeping), so memory stays bounded.
    pub fn forget_idle(&self) {
        self.per_ip.retain_recent();
        self.per_ip.shrink_to_fit();
        self.per_name.retain_recent();
        self.per_name.shrink_to_fit();
    }
}

fn limited(wait: Duration) -> FlowError {
    FlowError::Limited {
        retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        budget: None,
    }
}

/// The hashed form of a destination or address in a counter key.
fn hashed(value: &str) -> String {
    hash_secret(&value.trim().to_lowercase())
}

/// Takes one SMS to `number` from the shared budgets (per number, per client IP, in all).
pub async fn spend_sms(state: &AppState, number: &str) -> Result<(), FlowError> {
    let config = &state.live().config;
    let ip = client_ip().unwrap_or_else(|| "unknown".into());
    spend(
        state,
        vec![
            (
                Budget::SmsPerNumber,
                hashed(number),
                config.sms_per_number_per_hour,
            ),
            (Budget::SmsPerIp, hashed(&ip), config.sms_per_ip_per_hour),
            (Budget::SmsGlobal, String::new(), config.sms_per_hour),
        ],
    )
    .await
}

/// Takes one code mail to `address` from its shared budget.
pub async fn spend_mail(state: &AppState, address: &str) -> Result<(), FlowError> {
    let limit = state.live().config.mail_codes_per_address_per_hour;
    spend(
        state,
        vec![(Budget::MailPerAddress, hashed(address), limit)],
    )
    .await
}

/// Whether the "someone tried to register with your address" notice may go to `address`
/// now: at most once an hour. Never an error for the caller (the answer must not differ).
pub async fn may_send_register_notice(state: &AppState, address: &str) -> bool {
    match spend(state, vec![(Budget::RegisterNotice, hashed(address), 1)]).await {
        Ok(()) => true,
        Err(FlowError::Limited { .. }) => false,
        Err(e) => {
            tracing::warn!(error = %e, "could not count a notice; sending it");
            true
        }
    }
}

/// Takes one unit from each of `budgets` (budget, hashed key, limit per hour) or none.
async fn spend(state: &AppState, budgets: Vec<(Budget, String, u32)>) -> Result<(), FlowError> {
    let now = state.now();
    let window_start = limits::window_start(now);
    let takes: Vec<Take> = budgets
        .iter()
        .map(|(budget, key, limit)| Take {
            key: budget.key(key),
            window_start,
            limit: i64::from(*limit),
        })
        .collect();
    let refused = state
        .store
        .run(move |c| store::rate_counters::take_all(c, &takes))
        .await?;
    let Some(budget) = refused.and_then(|i| budgets.get(i)).map(|b| b.0) else {
        return Ok(());
    };
    let meta = RequestMeta { ip: client_ip() };
    audit::record(
        state,
        &meta,
        Audit::failure("limits.budget_exhausted")
            .detail(format!("budget {} exhausted for this hour", budget.name())),
    )
    .await;
    Err(FlowError::Limited {
        retry_after: limits::retry_after(now),
        budget: Some(budget.name()),
    })
}

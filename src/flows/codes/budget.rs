//! The shared budgets a code takes from before it goes out (`flows::limits`): SMS per number,
//! per IP and in all, code mails per address, the SMS country allow-list, and the cap on how
//! often one code is sent. Codes for unknown names take from the same budgets as real ones, so
//! a refusal says nothing about whether an account exists.

use crate::domain::limits::sms_country_allowed;
use crate::domain::one_time_code::{Channel, OneTimeCode};
use crate::domain::user::User;
use crate::flows::audit::{self, Audit};
use crate::flows::limits::{self, client_ip};
use crate::flows::{AppState, FlowError, RequestMeta};

use super::{Destination, Recipient};

/// What a new code spends: refused (nothing sent) when a budget is used up or the number is
/// outside the SMS countries.
pub(super) async fn for_new(
    state: &AppState,
    channel: Channel,
    to: &Recipient<'_>,
) -> Result<(), FlowError> {
    let target = match to.destination {
        Destination::Pending(new) | Destination::Withheld(new) => Some(new.to_owned()),
        Destination::Account => account_target(channel, to.user, to.typed_name),
    };
    spend(state, channel, target.as_deref()).await
}

/// What sending `row` again spends, after the per-code cap (`otp_max_sends`).
pub(super) async fn for_resend(
    state: &AppState,
    row: &OneTimeCode,
    user: Option<&User>,
) -> Result<(), FlowError> {
    let now = state.now();
    let cap = state.live().config.otp_max_sends;
    if row.send_count >= cap {
        audit::record(
            state,
            &RequestMeta { ip: client_ip() },
            Audit::failure("limits.budget_exhausted").detail(format!(
                "budget otp_max_sends: the code was sent {cap} times"
            )),
        )
        .await;
        return Err(FlowError::Limited {
            retry_after: (row.expires_at - now).max(1) as u64,
            budget: Some("otp_max_sends"),
        });
    }
    let target = row
        .target
        .clone()
        .or_else(|| user.and_then(|u| account_target(row.channel, Some(u), "")))
        // Nobody's code: counted under its subject, like a destination.
        .unwrap_or_else(|| row.subject.clone());
    spend(state, row.channel, Some(&target)).await
}

fn account_target(channel: Channel, user: Option<&User>, typed_name: &str) -> Option<String> {
    match (channel, user) {
        (Channel::Email, Some(user)) => Some(user.email.clone()),
        (Channel::Email, None) => Some(typed_name.trim().to_owned()),
        (Channel::Sms, Some(user)) => user.sms_number().map(str::to_owned),
        _ => None,
    }
}

async fn spend(state: &AppState, channel: Channel, target: Option<&str>) -> Result<(), FlowError> {
    let Some(target) = target else {
        return Ok(());
    };
    match channel {
        Channel::Email => limits::spend_mail(state, target).await,
        Channel::Sms => {
            if !sms_country_allowed(target, &state.live().config.sms_country_list()) {
                return Err(FlowError::Refused(
                    "Text messages cannot be sent to this country. Use another way to sign in."
                        .into(),
                ));
            }
            limits::spend_sms(state, target).await
        }
        Channel::Push => Ok(()),
    }
}

//! Sending a new code, and the same code again after the cooldown.

use crate::domain::one_time_code::{Channel, OneTimeCode, Purpose, mask_phone};
use crate::domain::verification::mask_email;
use crate::flows::AppState;
use crate::flows::FlowError;
use crate::store;

use super::deliver::{deliver, devices};
use super::{Destination, Recipient, Resent, Sent, channel_enabled, code_hash, new_code};
use crate::flows::branding::Sender;

/// Makes a code `id` for `purpose` and sends it on `channel`. On a failed delivery the code is
/// deleted again, so nothing half-done stays behind.
pub async fn send_new(
    state: &AppState,
    id: &str,
    purpose: Purpose,
    channel: Channel,
    to: &Recipient<'_>,
    app: &Sender,
    ttl: i64,
) -> Result<Sent, FlowError> {
    let subject = to.subject();
    let now = state.now();
    let (s, ch) = (subject.clone(), channel.as_str());
    if let Some(until) = state
        .store
        .run(move |c| store::code_lockouts::locked_until(c, &s, ch, now))
        .await?
    {
        return Ok(Sent::Locked { until });
    }
    let Some(destination) = destination(state, channel, to).await? else {
        return Ok(Sent::Unavailable);
    };
    let (s, sent_after) = (
        to.subject(),
        now - state.live().code_policy_for(channel).resend_after,
    );
    if let Some(existing) = state
        .store
        .run(move |c| store::one_time_codes::find_recent_code(c, &s, purpose, ch, sent_after, now))
        .await?
    {
        let wait = existing
            .resend_wait(state.live().code_policy_for(channel), now)
            .max(1);
        return Ok(Sent::TooSoon { existing, wait });
    }
    super::budget::for_new(state, channel, to).await?;
    let code = new_code(state, channel);
    // A withheld code belongs to nobody: it is never sent and can never be accepted.
    let owner = to
        .user
        .filter(|_| !matches!(to.destination, Destination::Withheld(_)));
    let row = OneTimeCode {
        id: id.to_owned(),
        purpose,
        subject,
        user_id: owner.map(|u| u.id.clone()),
        channel,
        destination,
        code_hash: code_hash(state, id, &code),
        sealed_code: state.sealer.seal(code.as_bytes()),
        sent_at: now,
        send_count: 1,
        expires_at: now + ttl,
        used_at: None,
        created_at: now,
        target: match to.destination {
            Destination::Pending(new) => Some(new.to_owned()),
            Destination::Account | Destination::Withheld(_) => None,
        },
    };
    let stored = row.clone();
    state
        .store
        .run(move |c| store::one_time_codes::insert_code(c, &stored))
        .await?;
    let delivered = match owner {
        Some(user) => deliver(state, &row, user, &code, to.device_id, app, to.lang).await?,
        // Sent to nobody: answered as a real delivery would be, in time and outcome.
        None => super::pace::imitate(state, channel, now).await?,
    };
    if !delivered {
        let id = row.id.clone();
        state
            .store
            .run(move |c| store::one_time_codes::delete_code(c, &id))
            .await?;
        return Ok(Sent::Failed);
    }
    Ok(Sent::Sent(row))
}

/// Sends code `id` again, unchanged, once the cooldown has passed. Never changes its lifetime
/// or the count of wrong codes.
/// `lang` is the language of the message (the person's now, which may differ from the first).
pub async fn resend(
    state: &AppState,
    id: &str,
    app: &Sender,
    lang: &str,
) -> Result<Resent, FlowError> {
    let now = state.now();
    let lookup = id.to_owned();
    let Some(row) = state
        .store
        .run(move |c| store::one_time_codes::find_code(c, &lookup))
        .await?
        .filter(|r| r.is_live(now))
    else {
        return Ok(Resent::Gone);
    };
    let wait = row.resend_wait(state.live().code_policy_for(row.channel), now);
    if wait > 0 {
        return Ok(Resent::TooSoon { wait });
    }
    let user = match row.user_id.clone() {
        Some(user_id) => {
            state
                .store
                .run(move |c| store::users::find_user(c, &user_id))
                .await?
        }
        None => None,
    };
    super::budget::for_resend(state, &row, user.as_ref()).await?;
    let (claim, sent_before) = (
        id.to_owned(),
        now - state.live().code_policy_for(row.channel).resend_after,
    );
    let claimed = state
        .store
        .run(move |c| store::one_time_codes::claim_resend(c, &claim, sent_before, now))
        .await?;
    if !claimed {
        // Someone else (a double click) is sending it right now.
        return Ok(Resent::TooSoon {
            wait: state.live().code_policy_for(row.channel).resend_after,
        });
    }
    if row.user_id.is_none() && !super::pace::imitate(state, row.channel, now).await? {
        return Ok(Resent::Failed);
    }
    if row.user_id.is_some() {
        let code = state
            .sealer
            .open(&row.sealed_code)
            .map_err(|_| FlowError::Internal(anyhow::anyhow!("a sealed code does not open")))?;
        let code = String::from_utf8_lossy(&code).into_owned();
        let delivered = match &user {
            Some(user) => deliver(state, &row, user, &code, None, app, lang).await?,
            None => false,
        };
        if !delivered {
            return Ok(Resent::Failed);
        }
    }
    Ok(Resent::Sent(Box::new(OneTimeCode {
        sent_at: now,
        send_count: row.send_count + 1,
        ..row
    })))
}

/// Where the code goes, masked for the page; `None` when this account cannot get codes there.
async fn destination(
    state: &AppState,
    channel: Channel,
    to: &Recipient<'_>,
) -> Result<Option<String>, FlowError> {
    if !channel_enabled(state, channel) {
        return Ok(None);
    }
    match (channel, to.destination) {
        (Channel::Email, Destination::Pending(new) | Destination::Withheld(new)) => {
            return Ok(Some(mask_email(new)));
        }
        (Channel::Sms, Destination::Pending(new) | Destination::Withheld(new)) => {
            return Ok(Some(mask_phone(new)));
        }
        _ => {}
    }
    Ok(match (channel, to.user) {
        (Channel::Email, Some(user)) => Some(mask_email(&user.email)),
        // Unknown names look like accounts: the code "goes" to the address typed.
        (Channel::Email, None) => Some(mask_email(to.typed_name.trim())),
        (Channel::Sms, Some(user)) => user.sms_number().map(mask_phone),
        (Channel::Push, Some(user)) => {
            match devices(state, &user.id, to.device_id).await?.as_slice() {
                [] => None,
                [one] => Some(one.label.clone()),
                many => Some(format!("{} devices", many.len())),
            }
        }
        (Channel::Sms | Channel::Push, None) => None,
    })
}

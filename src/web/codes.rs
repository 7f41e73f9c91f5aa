//! One-time codes by email, SMS and push as every flow uses them (sign-in, sign-up, password
//! reset): send a new code, send the same code again after the cooldown, check a typed code.
//! Unknown identifiers get a code row that is never delivered, so that every answer and every
//! lockout looks the same whether or not an account exists.

use crate::channels::DeliveryError;
use crate::domain::ids::{constant_time_eq, hash_secret};
use crate::domain::one_time_code::{
    self, Channel, OneTimeCode, Purpose, mask_phone, subject_for_name, subject_for_user,
};
use crate::domain::user::User;
use crate::domain::verification::mask_email;
use crate::store;
use crate::store::authenticators::FailureCount;
use crate::store::deliveries::Delivery;
use crate::store::push_devices::PushDevice;

use super::error::WebError;
use super::messages::CodeMessage;
use super::state::AppState;

/// Whom a code is for: the account (if the name matched one) and the name that was typed.
pub struct Recipient<'a> {
    pub user: Option<&'a User>,
    pub typed_name: &'a str,
    /// For push: the one device to use (`medium_id`); all the user's devices otherwise.
    pub device_id: Option<&'a str>,
    /// Where an email or SMS code goes.
    pub destination: Destination<'a>,
}

/// Where an email or SMS code goes: the account's own address or confirmed number, or a new
/// one the signed-in user wants to confirm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination<'a> {
    /// The account's email address, confirmed phone number or push devices.
    Account,
    /// A new address or number of `user`: the code goes there, and the code keeps it as its
    /// `target` to be set on the account once the code is right.
    Pending(&'a str),
    /// Looks exactly like `Pending` (the same page, cooldown and lockout of `user`), but nothing
    /// is sent and no code can ever be accepted: for an address that belongs to another account,
    /// which must not be revealed.
    Withheld(&'a str),
}

impl Recipient<'_> {
    fn subject(&self) -> String {
        lockout_subject(self.user, self.typed_name)
    }
}

/// Whom codes and password guesses are counted against: the account, or — for a name that
/// matches none — a hash of the normalised name, so unknown names lock exactly like accounts.
pub fn lockout_subject(user: Option<&User>, typed_name: &str) -> String {
    match user {
        Some(user) => subject_for_user(&user.id),
        None => subject_for_name(&hash_secret(&typed_name.trim().to_lowercase())),
    }
}

/// What sending a new code came to.
#[derive(Debug)]
pub enum Sent {
    Sent(OneTimeCode),
    /// Too many wrong codes: nothing is sent until then.
    Locked {
        until: i64,
    },
    /// A code for the same person, purpose and channel went out moments ago and is still
    /// valid: nothing new is sent; that code is the one to use (or re-send after `wait` s).
    TooSoon {
        existing: OneTimeCode,
        wait: i64,
    },
    /// The channel is not configured, or the account has no phone number / push device.
    Unavailable,
    /// The provider refused or could not be reached: nothing was kept.
    Failed,
}

/// What sending a code again came to.
#[derive(Debug)]
pub enum Resent {
    Sent(Box<OneTimeCode>),
    /// The cooldown has not passed: seconds to wait.
    TooSoon {
        wait: i64,
    },
    /// Used, expired or unknown: start again.
    Gone,
    /// Delivery failed; the code already sent stays valid.
    Failed,
}

/// What checking a typed code came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Checked {
    /// The code was right and is now used; `user_id` is the account it was sent to.
    Accepted {
        user_id: String,
    },
    Wrong,
    Locked {
        until: i64,
    },
    /// Used already, or expired: ask for a new one.
    Expired,
}

/// Whether codes can go out on `channel` at all.
pub fn channel_enabled(state: &AppState, channel: Channel) -> bool {
    let live = state.live();
    let configured = match channel {
        Channel::Email => true,
        Channel::Sms => live.channels.sms.is_some(),
        Channel::Push => live.channels.push.is_some(),
    };
    configured && method_enabled(&live.config, channel.method())
}

/// Whether an administrator left `method` switched on (`disabled_methods`).
pub fn method_enabled(
    config: &crate::config::Config,
    method: crate::domain::verification::Method,
) -> bool {
    !config
        .disabled_methods
        .iter()
        .any(|m| m.parse() == Ok(method))
}

/// The user's push devices (the ones `device_id` narrows to, if given).
async fn devices(
    state: &AppState,
    user_id: &str,
    device_id: Option<&str>,
) -> Result<Vec<PushDevice>, WebError> {
    let id = user_id.to_owned();
    let all = state
        .store
        .run(move |c| store::push_devices::list_user_devices(c, &id))
        .await?;
    Ok(all
        .into_iter()
        .filter(|d| device_id.is_none_or(|want| d.id == want))
        .collect())
}

/// Where the code goes, masked for the page; `None` when this account cannot get codes there.
async fn destination(
    state: &AppState,
    channel: Channel,
    to: &Recipient<'_>,
) -> Result<Option<String>, WebError> {
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

fn new_code(state: &AppState, channel: Channel) -> String {
    loop {
        if let Some(code) = one_time_code::code_from_random(
            &crate::crypto::random_bytes::<64>(),
            state.live().code_policy_for(channel).digits,
        ) {
            return code;
        }
    }
}

/// The stored hash binds the code to its row: the same digits elsewhere are another hash.
fn code_hash(state: &AppState, id: &str, code: &str) -> String {
    crate::crypto::keyed_hash(&state.code_key, &format!("{id}:{code}"))
}

/// Makes a code `id` for `purpose` and sends it on `channel`. On a failed delivery the code is
/// deleted again, so nothing half-done stays behind.
pub async fn send_new(
    state: &AppState,
    id: &str,
    purpose: Purpose,
    channel: Channel,
    to: &Recipient<'_>,
    app: &str,
    ttl: i64,
) -> Result<Sent, WebError> {
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
    if let Some(user) = owner
        && !deliver(state, &row, user, &code, to.device_id, app).await?
    {
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
pub async fn resend(state: &AppState, id: &str, app: &str) -> Result<Resent, WebError> {
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
    if let Some(user_id) = &row.user_id {
        let user_id = user_id.clone();
        let user = state
            .store
            .run(move |c| store::users::find_user(c, &user_id))
            .await?;
        let code = state
            .sealer
            .open(&row.sealed_code)
            .map_err(|_| WebError::Internal(anyhow::anyhow!("a sealed code does not open")))?;
        let code = String::from_utf8_lossy(&code).into_owned();
        let delivered = match &user {
            Some(user) => deliver(state, &row, user, &code, None, app).await?,
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

/// Checks `typed` against code `id` of `purpose`. Wrong codes count towards the lockout of the
/// person and channel; the lock that ends a run of failures also voids the code.
pub async fn check(
    state: &AppState,
    id: &str,
    purpose: Purpose,
    typed: &str,
) -> Result<Checked, WebError> {
    let now = state.now();
    let lookup = id.to_owned();
    let Some(row) = state
        .store
        .run(move |c| store::one_time_codes::find_code(c, &lookup))
        .await?
        .filter(|r| r.purpose == purpose)
    else {
        return Ok(Checked::Wrong);
    };
    let (subject, channel) = (row.subject.clone(), row.channel.as_str());
    if let Some(until) = state
        .store
        .run(move |c| store::code_lockouts::locked_until(c, &subject, channel, now))
        .await?
    {
        return Ok(Checked::Locked { until });
    }
    let hash = code_hash(state, id, &one_time_code::normalize(typed));
    let right = constant_time_eq(&hash, &row.code_hash);
    if right && let Some(user_id) = row.user_id.clone() {
        let (id, subject) = (id.to_owned(), row.subject.clone());
        let used = state
            .store
            .run(move |c| {
                let used = store::one_time_codes::use_code(c, &id, purpose, &hash, now)?;
                if used {
                    store::code_lockouts::reset(c, &subject, channel)?;
                }
                Ok(used)
            })
            .await?;
        // A right code that lost the race (or came late) is not a guess: not counted.
        return Ok(if used {
            Checked::Accepted { user_id }
        } else {
            Checked::Expired
        });
    }
    if !row.is_live(now) {
        return Ok(Checked::Expired);
    }
    let (id, subject, policy) = (
        id.to_owned(),
        row.subject.clone(),
        state.live().code_policy_for(row.channel).lockout.clone(),
    );
    let counted = state
        .store
        .run(move |c| {
            let counted = store::code_lockouts::record_failure(c, &subject, channel, &policy, now)?;
            if let FailureCount::Counted {
                locked_until: Some(_),
                ..
            } = counted
            {
                store::one_time_codes::void_code(c, &id, now)?;
            }
            Ok(counted)
        })
        .await?;
    Ok(match counted {
        FailureCount::Counted {
            locked_until: Some(until),
            ..
        } => Checked::Locked { until },
        FailureCount::Counted { .. } => Checked::Wrong,
        FailureCount::AlreadyLocked => Checked::Locked {
            until: now
                + state
                    .live()
                    .code_policy_for(row.channel)
                    .lockout
                    .tier_seconds
                    .first()
                    .copied()
                    .unwrap_or(300),
        },
    })
}

/// Sends `code` to `user` on the code's channel (to the code's `target`, a new address or
/// number being confirmed, if it has one) and logs each attempt. True if any message went out.
async fn deliver(
    state: &AppState,
    row: &OneTimeCode,
    user: &User,
    code: &str,
    device_id: Option<&str>,
    app: &str,
) -> Result<bool, WebError> {
    let link = (row.purpose == Purpose::Reset).then(|| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("code_id", &row.id)
            .append_pair("email", &user.email)
            .finish();
        state.url(&format!("/password/reset?{query}"))
    });
    let message = CodeMessage {
        purpose: row.purpose,
        code,
        minutes: row.minutes_left(state.now()),
        app,
        overrides: &state.message_overrides,
        link: link.as_deref(),
    };
    let render = |e: askama::Error| WebError::Internal(e.into());
    let mut attempts: Vec<(String, Result<crate::channels::Receipt, DeliveryError>)> = Vec::new();
    match row.channel {
        Channel::Email => {
            let address = row.target.as_deref().unwrap_or(&user.email);
            let email = message.email(address).map_err(render)?;
            attempts.push((
                mask_email(address),
                state.live().channels.mail.send(&email).await,
            ));
        }
        Channel::Sms => {
            let number = row.target.as_deref().or(user.sms_number());
            if let (Some(sms), Some(number)) = (&state.live().channels.sms, number) {
                let text = message.sms(number).map_err(render)?;
                attempts.push((mask_phone(number), sms.send(&text).await));
            }
        }
        Channel::Push => {
            if let Some(push) = &state.live().channels.push {
                for device in devices(state, &user.id, device_id).await? {
                    let Ok(token) = state.sealer.open(&device.sealed_token) else {
                        continue;
                    };
                    let note = message
                        .push(&String::from_utf8_lossy(&token))
                        .map_err(render)?;
                    attempts.push((device.label.clone(), push.send(&note).await));
                }
            }
        }
    }
    let delivered = attempts.iter().any(|(_, r)| r.is_ok());
    let now = state.now();
    let log: Vec<Delivery> = attempts
        .into_iter()
        .map(|(destination, result)| {
            let (provider, status, detail) = match result {
                Ok(r) => (r.provider, "sent", r.detail),
                Err(e) => {
                    tracing::warn!(channel = row.channel.as_str(), provider = e.provider, error = %e.detail, "a message was not delivered");
                    (e.provider, "failed", e.detail)
                }
            };
            Delivery {
                id: uuid::Uuid::now_v7().to_string(),
                channel: row.channel.as_str().into(),
                destination,
                purpose: row.purpose.as_str().into(),
                user_id: Some(user.id.clone()),
                provider: provider.into(),
                status: status.into(),
                detail: Some(detail),
                created_at: now,
            }
        })
        .collect();
    state
        .store
        .run(move |c| {
            for delivery in &log {
                store::deliveries::insert_delivery(c, delivery)?;
            }
            Ok(())
        })
        .await?;
    Ok(delivered)
}

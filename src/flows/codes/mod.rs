//! One-time codes by email, SMS and push as every flow uses them (sign-in, sign-up, password
//! reset): send a new code, send the same code again after the cooldown, check a typed code.
//! Unknown identifiers get a code row that is never delivered, so that every answer and every
//! lockout looks the same whether or not an account exists.

use crate::domain::ids::hash_secret;
use crate::domain::one_time_code::{
    self, Channel, OneTimeCode, subject_for_name, subject_for_user,
};
use crate::domain::user::User;
use crate::domain::verification::{UsageType, Verification};

use super::AppState;

mod budget;
mod check;
mod deliver;
mod pace;
mod send;

pub use crate::domain::policy::Guesser;
pub use check::check;
pub use send::{resend, send_new};

/// Whom a code is for: the account (if the name matched one) and the name that was typed.
pub struct Recipient<'a> {
    pub user: Option<&'a User>,
    pub typed_name: &'a str,
    /// For push: the one device to use (`medium_id`); all the user's devices otherwise.
    pub device_id: Option<&'a str>,
    /// Where an email or SMS code goes.
    pub destination: Destination<'a>,
    /// The language of the message (a shipped tag, see `crate::i18n`).
    pub lang: &'a str,
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

/// Who is guessing the code of a hosted code sign-in `v`: the hosted pages start a
/// MULTIFACTOR verification only for a login whose first factor is proven (its track checked
/// against the browser), so its code is a second step; any other is anonymous. Not for the JSON
/// service, where a client names the alias itself.
pub fn hosted_guesser(v: &Verification) -> Guesser {
    match v.usage_type {
        UsageType::MultifactorAuthentication => Guesser::Proven,
        _ => Guesser::Anonymous,
    }
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

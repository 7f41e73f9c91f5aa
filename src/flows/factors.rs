//! What a user can sign in with, asked the same way by every flow.

use super::AppState;
use super::FlowError;
use crate::domain::client::{ALL_METHODS, MfaPolicy};
use crate::domain::user::{Email, User};
use crate::domain::verification::Method;
use crate::store;

/// What the application of a login allows: its sign-in methods (first step or second) and its
/// second-factor policy, as set on `/admin/apps`.
#[derive(Debug, Clone)]
pub struct ClientRules {
    pub methods: Vec<Method>,
    pub mfa_policy: MfaPolicy,
}

impl ClientRules {
    pub fn allows(&self, method: Method) -> bool {
        self.methods.contains(&method)
    }
}

/// The rules of `client_id`. A client that no longer exists takes its logins with it
/// (foreign keys), so the fallback — everything, `optional` — only covers a race.
pub async fn client_rules(state: &AppState, client_id: &str) -> Result<ClientRules, FlowError> {
    let id = client_id.to_owned();
    let client = state
        .store
        .run(move |c| store::clients::find_client(c, &id))
        .await?;
    let mut rules = match client {
        Some(c) => ClientRules {
            methods: c.allowed_methods,
            mfa_policy: c.mfa_policy,
        },
        None => ClientRules {
            methods: ALL_METHODS.to_vec(),
            mfa_policy: MfaPolicy::Optional,
        },
    };
    // Methods an administrator switched off (`/admin/methods`) are off for every application.
    let live = state.live();
    rules
        .methods
        .retain(|m| super::codes::method_enabled(&live.config, *m));
    Ok(rules)
}

/// Every method the installation has switched on, whatever an application allows: what counts
/// as "the user has a second factor" for the account page and the admin area.
pub fn installation_rules(state: &AppState) -> ClientRules {
    let live = state.live();
    ClientRules {
        methods: ALL_METHODS
            .into_iter()
            .filter(|m| super::codes::method_enabled(&live.config, *m))
            .collect(),
        mfa_policy: MfaPolicy::Optional,
    }
}

/// The active user whose email is `login_name`; `None` for unknown, malformed or disabled.
pub async fn user_by_email(state: &AppState, login_name: &str) -> Result<Option<User>, FlowError> {
    let Ok(email) = Email::parse(login_name) else {
        return Ok(None);
    };
    let email = email.as_str().to_owned();
    Ok(state
        .store
        .run(move |c| store::users::find_user_by_email(c, &email))
        .await?
        .filter(User::can_sign_in))
}

/// Whether the user has a confirmed authenticator app.
pub async fn has_totp(state: &AppState, user_id: &str) -> Result<bool, FlowError> {
    let id = user_id.to_owned();
    Ok(state
        .store
        .run(move |c| store::authenticators::has_active_authenticator(c, &id))
        .await?)
}

/// Whether the user has any second factor the client allows: an authenticator app, unused
/// backup codes, a confirmed phone number (when SMS is configured) or a push device (when push
/// is configured). Email is not one: it is how a forgotten password is reset.
pub async fn has_second_factor(
    state: &AppState,
    user: &User,
    rules: &ClientRules,
) -> Result<bool, FlowError> {
    use crate::domain::one_time_code::Channel;
    if (rules.allows(Method::Totp) && has_totp(state, &user.id).await?)
        || (rules.allows(Method::BackupCode)
            && super::backup_codes::remaining(state, &user.id).await? > 0)
        || (rules.allows(Method::Sms)
            && super::codes::channel_enabled(state, Channel::Sms)
            && user.sms_number().is_some())
    {
        return Ok(true);
    }
    Ok(rules.allows(Method::Push)
        && super::codes::channel_enabled(state, Channel::Push)
        && has_push_device(state, &user.id).await?)
}

/// Whether the user registered a device for push codes.
pub async fn has_push_device(state: &AppState, user_id: &str) -> Result<bool, FlowError> {
    let id = user_id.to_owned();
    Ok(state
        .store
        .run(move |c| store::push_devices::count_user_devices(c, &id))
        .await?
        > 0)
}

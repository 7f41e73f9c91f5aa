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
    let client = super::clients::find(state, client_id).await?;
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

/// The user whose medium `medium_id` names for `method` (an active authenticator app for TOTP, a
/// registered device for push), `None` when it names none: the cidaas SDKs may name the user by
/// the `medium_id` of the configured list alone. Medium ids are random UUIDs, handed out only in
/// the list of the user's own methods.
pub async fn medium_owner(
    state: &AppState,
    method: Method,
    medium_id: &str,
) -> Result<Option<User>, FlowError> {
    let id = medium_id.to_owned();
    Ok(state
        .store
        .run(move |c| {
            let owner = match method {
                Method::Totp => store::authenticators::find_authenticator(c, &id)?
                    .filter(|a| a.active)
                    .map(|a| a.user_id),
                Method::Push => store::push_devices::find_device(c, &id)?.map(|d| d.user_id),
                _ => None,
            };
            match owner {
                Some(user_id) => store::users::find_user(c, &user_id),
                None => Ok(None),
            }
        })
        .await?
        .filter(User::can_sign_in))
}

/// Whether the user has any second factor the client allows (see [`Methods`]).
pub async fn has_second_factor(
    state: &AppState,
    user: &User,
    rules: &ClientRules,
) -> Result<bool, FlowError> {
    Ok(methods(state, Some(user), None, rules)
        .await?
        .has_second_factor())
}

/// The ways `user` (or, for a name that matched nobody, the typed name) can prove who they are
/// under `rules` — the one list the hosted method pages, the /mfa page and the verification
/// service's configured list are drawn from. Everything here is allowed by the application and
/// switched on by the installation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Methods {
    /// Active authenticator apps: (id, label).
    pub totp: Vec<(String, String)>,
    /// The masked address a code can be mailed to (also for unknown names, which look alike).
    pub email: Option<String>,
    /// The masked number a code can be texted to.
    pub sms: Option<String>,
    /// Push devices: (id, label).
    pub push: Vec<(String, String)>,
    /// Unused backup codes exist.
    pub backup_codes: bool,
    /// A password is a way in (unknown names look like accounts with one).
    pub password: bool,
    /// How many passkeys the user has.
    pub passkeys: usize,
}

impl Methods {
    /// Whether any of them is a second factor (email is not: it is how a forgotten password is
    /// reset).
    pub fn has_second_factor(&self) -> bool {
        !self.totp.is_empty()
            || self.backup_codes
            || self.sms.is_some()
            || !self.push.is_empty()
            || self.passkeys > 0
    }
}

pub async fn methods(
    state: &AppState,
    user: Option<&User>,
    typed_name: Option<&str>,
    rules: &ClientRules,
) -> Result<Methods, FlowError> {
    let facts = match user {
        Some(user) => {
            let id = user.id.clone();
            Some(state.store.run(move |c| UserFactors::load(c, &id)).await?)
        }
        None => None,
    };
    Ok(methods_from(state, user, typed_name, rules, facts))
}

/// What the store knows of a user's factors: read in one trip by [`UserFactors::load`], possibly
/// within a trip that does something else too, and weighed by [`methods_from`].
#[derive(Debug, Clone, Default)]
pub struct UserFactors {
    authenticators: Vec<crate::domain::verification::Authenticator>,
    devices: Vec<store::push_devices::PushDevice>,
    backup_left: i64,
    passkeys: i64,
}

impl UserFactors {
    /// Reads the factors of the user `user_id` on `c`.
    pub fn load(
        c: &mut store::AnyConnection,
        user_id: &str,
    ) -> Result<UserFactors, store::StoreError> {
        Ok(UserFactors {
            authenticators: store::authenticators::list_user_authenticators(c, user_id)?,
            devices: store::push_devices::list_user_devices(c, user_id)?,
            backup_left: store::backup_codes::count_unused_backup_codes(c, user_id)?,
            passkeys: store::passkeys::count_user_passkeys(c, user_id)?,
        })
    }
}

/// [`methods`] from factors already read (`facts` is `None` exactly when `user` is).
pub fn methods_from(
    state: &AppState,
    user: Option<&User>,
    typed_name: Option<&str>,
    rules: &ClientRules,
    facts: Option<UserFactors>,
) -> Methods {
    use crate::domain::one_time_code::{Channel, mask_phone};
    use crate::domain::verification::mask_email;
    let on = |method: Method| {
        rules.allows(method)
            && Channel::for_method(method).is_none_or(|c| super::codes::channel_enabled(state, c))
    };
    let email = user
        .map(|u| u.email.as_str())
        .or(typed_name)
        .map(str::trim)
        .filter(|e| e.contains('@') && on(Method::Email))
        .map(mask_email);
    let password = on(Method::Password) && user.is_none_or(|u| u.password_hash.is_some());
    let (Some(user), Some(facts)) = (user, facts) else {
        return Methods {
            email,
            password,
            ..Methods::default()
        };
    };
    let UserFactors {
        authenticators,
        devices,
        backup_left,
        passkeys,
    } = facts;
    Methods {
        totp: authenticators
            .into_iter()
            .filter(|a| a.active && on(Method::Totp))
            .map(|a| (a.id, a.label))
            .collect(),
        email,
        sms: user
            .sms_number()
            .filter(|_| on(Method::Sms))
            .map(mask_phone),
        push: devices
            .into_iter()
            .filter(|_| on(Method::Push))
            .map(|d| (d.id, d.label))
            .collect(),
        backup_codes: on(Method::BackupCode) && backup_left > 0,
        password,
        passkeys: if on(Method::Passkey) {
            usize::try_from(passkeys).unwrap_or(0)
        } else {
            0
        },
    }
}

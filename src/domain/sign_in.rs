//! The sign-in state machine: the ONE place that decides who may finish a sign-in, with which
//! factors. A pending sign-in knows its user and the factors proven (method and time); the
//! application's [`Requirement`] and what the user has set up say what may come next.
//!
//! Every adapter (hosted pages, the JSON verification service, the precheck continuation, the
//! reuse of a browser session) asks [`SignIn::next`]; only [`Next::Complete`] carries a
//! [`Completion`], and issuing an authorization code needs one. A [`Completion`] has private
//! fields: code outside this module cannot make one up. Enrolling a second factor during a
//! sign-in needs an [`EnrollTicket`], which only [`Next::Enroll`] hands out.
//!
//! The rules (API.md §6, RFC 8176 for `amr`):
//! - `off`: any one allowed method completes.
//! - `optional`: a password is followed by a second factor when the user has one; a
//!   passwordless first factor (authenticator code, emailed/texted/pushed code) completes.
//! - `always` (or `acr_values=2` on the request): a password, then a second factor — enrolled
//!   during the sign-in when the user has none and the policy is `always`; a passwordless first
//!   factor is sent back to the password (`password_required`).
//! - A second factor belongs to the same user, follows a password, and is an authenticator
//!   app, a backup code, an SMS or a push code, or a passkey — never an emailed code (email is
//!   how a forgotten password is reset, so it proves nothing a password does not).
//! - A passkey whose authenticator verified the user (WebAuthn UV flag: a PIN or biometric on
//!   the device, besides possessing the key) is two factors on its own: it completes every
//!   sign-in, `always` and `acr_values=2` included, with `amr` `hwk`/`swk` + `user` + `mfa`
//!   (RFC 8176: `hwk` for a key bound to one device, `swk` for one that may be synced/backed up).
//!   A passkey without user verification is one factor (possession), like a passwordless code.
//!
//! Pure: no IO, no clock (times are parameters).

use super::client::MfaPolicy;
pub use super::passkey::PasskeyFacts;
use super::verification::Method;

/// What the application (and the authorization request) asks of a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub policy: MfaPolicy,
    /// The methods the application allows and the installation has switched on.
    pub allowed: Vec<Method>,
    /// The request asked for two factors (`acr_values` containing `2`).
    pub two_factors_asked: bool,
}

impl Requirement {
    pub fn allows(&self, method: Method) -> bool {
        self.allowed.contains(&method)
    }

    /// Whether a passwordless first factor can finish this sign-in (pages offer passwordless
    /// sign-in only then; [`SignIn::next`] answers [`Next::PasswordFirst`] otherwise).
    pub fn passwordless_may_complete(&self) -> bool {
        !self.needs_two()
    }

    /// Whether this sign-in must end with two factors whatever the user has set up.
    fn needs_two(&self) -> bool {
        self.policy == MfaPolicy::Always || self.two_factors_asked
    }
}

/// The `acr` values we know (OIDC Core §2): `1` = one factor, `2` = two factors (`mfa`).
pub const ACR_VALUES_SUPPORTED: [&str; 2] = ["1", "2"];

/// Whether `acr_values` (space-separated, in order of preference, OIDC Core §3.1.2.1) asks for
/// two factors: it names `2` and does not also accept `1`. Values we do not know are ignored
/// (`acr_values` is a voluntary request).
pub fn asks_two_factors(acr_values: Option<&str>) -> bool {
    let values: Vec<&str> = acr_values.unwrap_or("").split_whitespace().collect();
    values.contains(&"2") && !values.contains(&"1")
}

/// Whether a method can be the second step after a password.
pub fn is_second_factor(method: Method) -> bool {
    matches!(
        method,
        Method::Totp | Method::BackupCode | Method::Sms | Method::Push | Method::Passkey
    )
}

/// One factor a user proved, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor {
    pub method: Method,
    pub at: i64,
    /// For [`Method::Passkey`]: what the assertion showed.
    pub passkey: Option<PasskeyFacts>,
}

impl Factor {
    pub fn new(method: Method, at: i64) -> Factor {
        Factor {
            method,
            at,
            passkey: None,
        }
    }

    /// Its RFC 8176 `amr` values.
    fn amr(&self) -> Vec<String> {
        match (self.method, self.passkey) {
            (Method::Passkey, Some(facts)) => facts.amr(),
            (method, _) => vec![method.amr().to_owned()],
        }
    }

    /// A passkey with user verification: possession of the key and the user verified on it.
    fn is_two_factors(&self) -> bool {
        self.method == Method::Passkey && self.passkey.is_some_and(|f| f.user_verified)
    }
}

/// A successful check of one factor for one user, as a flow reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub user_id: String,
    pub factor: Factor,
}

impl Proof {
    pub fn new(user_id: &str, method: Method, at: i64) -> Proof {
        Proof {
            user_id: user_id.to_owned(),
            factor: Factor::new(method, at),
        }
    }

    /// A passkey assertion of `user_id` at `at`.
    pub fn passkey(user_id: &str, facts: PasskeyFacts, at: i64) -> Proof {
        Proof {
            user_id: user_id.to_owned(),
            factor: Factor {
                method: Method::Passkey,
                at,
                passkey: Some(facts),
            },
        }
    }
}

/// Why a factor is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The application does not allow the method.
    NotAllowed,
    /// The proof is for another account than the sign-in's.
    AnotherUser,
    /// The method cannot be a second step (email, password), or nothing more is expected.
    NotASecondFactor,
}

/// A sign-in in progress: its user and the factors proven so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    user_id: String,
    factors: Vec<Factor>,
}

/// What a sign-in needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Done: the application may get its code.
    Complete(Completion),
    /// Ask for one of the user's second factors.
    SecondFactor,
    /// The user has no second factor and must set one up now.
    Enroll(EnrollTicket),
    /// Two factors are needed and this one cannot start them: sign in with the password first.
    PasswordFirst,
    /// Two factors were asked for, the user has no second factor and may not enroll one here
    /// (OIDC Core §3.1.2.6 `unmet_authentication_requirements`).
    Unmet,
}

/// Permission to enroll a second factor during the sign-in of `user_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollTicket {
    user_id: String,
}

impl EnrollTicket {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
}

/// A sign-in that met its requirement: who, how (RFC 8176 `amr`) and when (`auth_time`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    user_id: String,
    amr: Vec<String>,
    auth_time: i64,
}

impl Completion {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    pub fn amr(&self) -> &[String] {
        &self.amr
    }
    pub fn auth_time(&self) -> i64 {
        self.auth_time
    }
}

impl SignIn {
    /// A sign-in that starts with `proof` as its first factor.
    pub fn start(proof: Proof, req: &Requirement) -> Result<SignIn, Refusal> {
        if !req.allows(proof.factor.method) {
            return Err(Refusal::NotAllowed);
        }
        Ok(SignIn {
            user_id: proof.user_id,
            factors: vec![proof.factor],
        })
    }

    /// A sign-in kept between requests (a login track): the first factor it recorded.
    pub fn resume(user_id: &str, first: Factor) -> SignIn {
        SignIn {
            user_id: user_id.to_owned(),
            factors: vec![first],
        }
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub fn factors(&self) -> &[Factor] {
        &self.factors
    }

    /// Adds a second factor: same user, after a password, a second-factor method the
    /// application allows, and only while one is expected.
    pub fn add_second(&mut self, proof: Proof, req: &Requirement) -> Result<(), Refusal> {
        if proof.user_id != self.user_id {
            return Err(Refusal::AnotherUser);
        }
        if !req.allows(proof.factor.method) {
            return Err(Refusal::NotAllowed);
        }
        let after_password = matches!(
            self.factors.as_slice(),
            [Factor {
                method: Method::Password,
                ..
            }]
        );
        if !after_password || !is_second_factor(proof.factor.method) {
            return Err(Refusal::NotASecondFactor);
        }
        self.factors.push(proof.factor);
        Ok(())
    }

    /// What comes next, given whether the user has a second factor the application allows.
    pub fn next(&self, req: &Requirement, has_second_factor: bool) -> Next {
        match self.factors.as_slice() {
            [first] => self.after_one(*first, req, has_second_factor),
            [first, second] if first.method == Method::Password => {
                let mut amr = first.amr();
                amr.extend(second.amr());
                amr.push("mfa".to_owned());
                Next::Complete(self.completion(amr))
            }
            // Nothing else can be built through `start` and `add_second`.
            _ => Next::PasswordFirst,
        }
    }

    /// Whether [`Self::next`] depends on whether the user has a second factor: only after a
    /// password alone, when the application's policy or the request may ask for a second one.
    /// Otherwise flows need not read the user's factors to know what comes next.
    pub fn next_depends_on_factors(&self, req: &Requirement) -> bool {
        match self.factors.as_slice() {
            [first] => {
                !first.is_two_factors()
                    && first.method == Method::Password
                    && (req.policy != MfaPolicy::Off || req.two_factors_asked)
            }
            _ => false,
        }
    }

    fn after_one(&self, first: Factor, req: &Requirement, has_second_factor: bool) -> Next {
        let one = || Next::Complete(self.completion(first.amr()));
        if first.is_two_factors() {
            let mut amr = first.amr();
            amr.push("mfa".to_owned());
            return Next::Complete(self.completion(amr));
        }
        if first.method != Method::Password {
            return if req.needs_two() {
                Next::PasswordFirst
            } else {
                one()
            };
        }
        if has_second_factor && (req.policy != MfaPolicy::Off || req.two_factors_asked) {
            return Next::SecondFactor;
        }
        if !req.needs_two() {
            return one();
        }
        if req.policy == MfaPolicy::Always && req.allows(Method::Totp) {
            Next::Enroll(EnrollTicket {
                user_id: self.user_id.clone(),
            })
        } else {
            Next::Unmet
        }
    }

    fn completion(&self, amr: Vec<String>) -> Completion {
        Completion {
            user_id: self.user_id.clone(),
            amr,
            auth_time: self.factors.iter().map(|f| f.at).max().unwrap_or(0),
        }
    }
}

/// An existing browser session (`amr` and `auth_time` as kept at its sign-in), offered to a new
/// authorization request: a [`Completion`] when it meets the requirement, `None` when the user
/// must sign in (again). A one-factor session made where less was asked is not enough where
/// more is: the user signs in again.
pub fn reuse_session(
    user_id: &str,
    amr: &[String],
    auth_time: i64,
    req: &Requirement,
    has_second_factor: bool,
) -> Option<Completion> {
    let methods_allowed = amr.iter().all(|value| {
        let methods: &[Method] = match value.as_str() {
            "pwd" => &[Method::Password],
            "otp" => &[Method::Totp, Method::Push, Method::BackupCode],
            "mail" => &[Method::Email],
            "sms" => &[Method::Sms],
            "hwk" | "swk" => &[Method::Passkey],
            _ => return true, // "mfa", and anything that names no method of ours
        };
        methods.iter().any(|m| req.allows(*m))
    });
    if !methods_allowed {
        return None;
    }
    let two = amr.iter().any(|m| m == "mfa");
    let met = two
        || match amr {
            // A password alone is what `next` completes without a second factor.
            [only] if only == "pwd" => {
                let second_due = has_second_factor && req.policy != MfaPolicy::Off;
                !req.needs_two() && !second_due
            }
            [_] => !req.needs_two(),
            _ => false,
        };
    met.then(|| Completion {
        user_id: user_id.to_owned(),
        amr: amr.to_vec(),
        auth_time,
    })
}

/// What an existing browser session can do for a new authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FromSession {
    /// It meets the requirement: answer at once.
    Reuse(Completion),
    /// A password session where a second factor is due (the application's policy, or
    /// `acr_values=2`) and the user has one: the sign-in continues from the session's password
    /// with only the missing factor (step-up).
    SecondFactor(SignIn),
    /// The user signs in (again): nothing to build on, or the session's password may not
    /// start what comes next (enrolling a factor needs a password typed now).
    SignInAgain,
}

/// An existing browser session (`amr` and `auth_time` as kept at its sign-in) offered to a new
/// authorization request: reused when it meets the requirement ([`reuse_session`]); a password
/// session that lacks only a second factor the user has is continued as a [`SignIn`] started
/// from that password (its time is the session's `auth_time`).
pub fn from_session(
    user_id: &str,
    amr: &[String],
    auth_time: i64,
    req: &Requirement,
    has_second_factor: bool,
) -> FromSession {
    if let Some(done) = reuse_session(user_id, amr, auth_time, req, has_second_factor) {
        return FromSession::Reuse(done);
    }
    if amr != [Method::Password.amr()] {
        return FromSession::SignInAgain;
    }
    match SignIn::start(Proof::new(user_id, Method::Password, auth_time), req) {
        Ok(sign_in) if sign_in.next(req, has_second_factor) == Next::SecondFactor => {
            FromSession::SecondFactor(sign_in)
        }
        _ => FromSession::SignInAgain,
    }
}

/// Whether a session proved the user's strongest way in: two factors when they have a second
/// factor, any one otherwise — what the admin area and changes to how an account signs in
/// need (on top of a recent `auth_time`).
pub fn is_strongest(amr: &[String], has_second_factor: bool) -> bool {
    !has_second_factor || amr.iter().any(|m| m == "mfa")
}

#[cfg(test)]
#[path = "sign_in_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sign_in_passkey_tests.rs"]
mod passkey_tests;

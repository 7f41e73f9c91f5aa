//! The sign-in state machine with passkeys: user verification makes one passkey two factors.

use super::*;
use crate::domain::client::ALL_METHODS;

fn req(policy: MfaPolicy, two_factors_asked: bool) -> Requirement {
    Requirement {
        policy,
        allowed: ALL_METHODS.to_vec(),
        two_factors_asked,
    }
}

const SYNCED_UV: PasskeyFacts = PasskeyFacts {
    user_verified: true,
    backup_eligible: true,
};
const DEVICE_UV: PasskeyFacts = PasskeyFacts {
    user_verified: true,
    backup_eligible: false,
};
const DEVICE_PRESENCE_ONLY: PasskeyFacts = PasskeyFacts {
    user_verified: false,
    backup_eligible: false,
};

fn amr(next: &Next) -> Vec<String> {
    match next {
        Next::Complete(c) => c.amr().to_vec(),
        other => panic!("not complete: {other:?}"),
    }
}

#[test]
fn a_user_verified_passkey_completes_alone_even_where_two_factors_are_needed() {
    for r in [
        req(MfaPolicy::Off, false),
        req(MfaPolicy::Optional, false),
        req(MfaPolicy::Always, false),
        req(MfaPolicy::Optional, true),
    ] {
        for has_second in [false, true] {
            let s = SignIn::start(Proof::passkey("u", DEVICE_UV, 10), &r).unwrap();
            let next = s.next(&r, has_second);
            assert_eq!(amr(&next), ["hwk", "user", "mfa"], "{r:?}");
            let Next::Complete(done) = next else {
                unreachable!()
            };
            assert_eq!((done.user_id(), done.auth_time()), ("u", 10));
        }
    }
}

#[test]
fn a_synced_passkey_is_a_software_key_and_a_device_bound_one_a_hardware_key() {
    let r = req(MfaPolicy::Always, false);
    let synced = SignIn::start(Proof::passkey("u", SYNCED_UV, 10), &r).unwrap();
    assert_eq!(amr(&synced.next(&r, true)), ["swk", "user", "mfa"]);
    let bound = SignIn::start(Proof::passkey("u", DEVICE_UV, 10), &r).unwrap();
    assert_eq!(amr(&bound.next(&r, true)), ["hwk", "user", "mfa"]);
}

#[test]
fn a_passkey_without_user_verification_is_one_factor() {
    let optional = req(MfaPolicy::Optional, false);
    let s = SignIn::start(Proof::passkey("u", DEVICE_PRESENCE_ONLY, 10), &optional).unwrap();
    assert_eq!(amr(&s.next(&optional, true)), ["hwk"]);
    for r in [
        req(MfaPolicy::Always, false),
        req(MfaPolicy::Optional, true),
    ] {
        let s = SignIn::start(Proof::passkey("u", DEVICE_PRESENCE_ONLY, 10), &r).unwrap();
        assert_eq!(s.next(&r, true), Next::PasswordFirst, "{r:?}");
    }
}

#[test]
fn a_passkey_is_a_second_factor_after_a_password() {
    let r = req(MfaPolicy::Always, false);
    let mut s = SignIn::start(Proof::new("u", Method::Password, 10), &r).unwrap();
    assert_eq!(s.next(&r, true), Next::SecondFactor);
    assert_eq!(
        s.add_second(Proof::passkey("attacker", DEVICE_UV, 11), &r),
        Err(Refusal::AnotherUser)
    );
    s.add_second(Proof::passkey("u", DEVICE_PRESENCE_ONLY, 12), &r)
        .unwrap();
    assert_eq!(amr(&s.next(&r, true)), ["pwd", "hwk", "mfa"]);
}

#[test]
fn a_passkey_is_refused_where_the_application_does_not_allow_it() {
    let mut r = req(MfaPolicy::Optional, false);
    r.allowed.retain(|m| *m != Method::Passkey);
    assert_eq!(
        SignIn::start(Proof::passkey("u", SYNCED_UV, 10), &r),
        Err(Refusal::NotAllowed)
    );
    let mut s = SignIn::start(Proof::new("u", Method::Password, 10), &r).unwrap();
    assert_eq!(
        s.add_second(Proof::passkey("u", SYNCED_UV, 11), &r),
        Err(Refusal::NotAllowed)
    );
}

#[test]
fn a_passkey_session_is_reused_where_its_factors_are_enough() {
    let two = ["swk", "user", "mfa"].map(String::from).to_vec();
    let one = ["hwk"].map(String::from).to_vec();
    let asked = req(MfaPolicy::Optional, true);
    assert!(matches!(
        from_session("u", &two, 100, &asked, true),
        FromSession::Reuse(_)
    ));
    assert_eq!(
        from_session("u", &one, 100, &asked, true),
        FromSession::SignInAgain
    );
    let mut no_passkey = req(MfaPolicy::Optional, false);
    no_passkey.allowed.retain(|m| *m != Method::Passkey);
    assert_eq!(
        from_session("u", &two, 100, &no_passkey, true),
        FromSession::SignInAgain,
        "an application that does not allow passkeys does not take a passkey session"
    );
    assert!(is_strongest(&two, true));
}

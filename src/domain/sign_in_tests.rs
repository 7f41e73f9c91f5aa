use super::*;
use crate::domain::client::ALL_METHODS;

fn req(policy: MfaPolicy) -> Requirement {
    Requirement {
        policy,
        allowed: ALL_METHODS.to_vec(),
        two_factors_asked: false,
    }
}

fn proof(user: &str, method: Method, at: i64) -> Proof {
    Proof::new(user, method, at)
}

fn amr(next: &Next) -> Vec<String> {
    match next {
        Next::Complete(c) => c.amr().to_vec(),
        other => panic!("not complete: {other:?}"),
    }
}

#[test]
fn a_password_completes_only_when_no_second_factor_is_due() {
    let r = req(MfaPolicy::Optional);
    let s = SignIn::start(proof("u", Method::Password, 10), &r).unwrap();
    assert_eq!(amr(&s.next(&r, false)), ["pwd"]);
    assert_eq!(s.next(&r, true), Next::SecondFactor);
    let off = req(MfaPolicy::Off);
    assert_eq!(amr(&s.next(&off, true)), ["pwd"]);
    let always = req(MfaPolicy::Always);
    assert_eq!(s.next(&always, true), Next::SecondFactor);
    assert!(matches!(s.next(&always, false), Next::Enroll(t) if t.user_id() == "u"));
}

#[test]
fn a_passwordless_first_factor_is_sent_to_the_password_when_two_are_needed() {
    for method in [Method::Totp, Method::Email, Method::Sms, Method::Push] {
        let always = req(MfaPolicy::Always);
        let s = SignIn::start(proof("u", method, 10), &always).unwrap();
        assert_eq!(s.next(&always, true), Next::PasswordFirst, "{method}");
        let mut asked = req(MfaPolicy::Optional);
        asked.two_factors_asked = true;
        assert_eq!(s.next(&asked, true), Next::PasswordFirst, "{method}");
        let optional = req(MfaPolicy::Optional);
        assert_eq!(amr(&s.next(&optional, true)), [method.amr()]);
    }
}

#[test]
fn a_second_factor_must_be_the_same_users_and_a_second_factor_method() {
    let r = req(MfaPolicy::Optional);
    let first = SignIn::start(proof("victim", Method::Password, 10), &r).unwrap();

    let mut s = first.clone();
    assert_eq!(
        s.add_second(proof("attacker", Method::Totp, 11), &r),
        Err(Refusal::AnotherUser)
    );
    assert_eq!(s.next(&r, true), Next::SecondFactor, "nothing was added");
    for not_second in [Method::Email, Method::Password] {
        assert_eq!(
            s.add_second(proof("victim", not_second, 11), &r),
            Err(Refusal::NotASecondFactor)
        );
    }
    for second in [Method::Totp, Method::BackupCode, Method::Sms, Method::Push] {
        let mut s = first.clone();
        s.add_second(proof("victim", second, 20), &r).unwrap();
        let next = s.next(&r, true);
        assert_eq!(amr(&next), ["pwd", second.amr(), "mfa"]);
        let Next::Complete(c) = next else {
            unreachable!()
        };
        assert_eq!((c.user_id(), c.auth_time()), ("victim", 20));
    }
}

#[test]
fn a_second_factor_needs_a_password_first_and_comes_only_once() {
    let r = req(MfaPolicy::Optional);
    let mut passwordless = SignIn::start(proof("u", Method::Email, 10), &r).unwrap();
    assert_eq!(
        passwordless.add_second(proof("u", Method::Totp, 11), &r),
        Err(Refusal::NotASecondFactor)
    );
    let mut s = SignIn::start(proof("u", Method::Password, 10), &r).unwrap();
    s.add_second(proof("u", Method::Totp, 11), &r).unwrap();
    assert_eq!(
        s.add_second(proof("u", Method::Sms, 12), &r),
        Err(Refusal::NotASecondFactor)
    );
}

#[test]
fn methods_the_application_does_not_allow_are_refused_at_either_step() {
    let mut r = req(MfaPolicy::Optional);
    r.allowed = vec![Method::Password, Method::Sms];
    assert_eq!(
        SignIn::start(proof("u", Method::Totp, 1), &r),
        Err(Refusal::NotAllowed)
    );
    let mut s = SignIn::start(proof("u", Method::Password, 1), &r).unwrap();
    assert_eq!(
        s.add_second(proof("u", Method::Totp, 2), &r),
        Err(Refusal::NotAllowed)
    );
}

#[test]
fn two_factors_asked_for_a_user_without_one_are_unmet_unless_the_policy_enrolls() {
    let mut r = req(MfaPolicy::Optional);
    r.two_factors_asked = true;
    let s = SignIn::start(proof("u", Method::Password, 1), &r).unwrap();
    assert_eq!(s.next(&r, false), Next::Unmet);
    assert_eq!(s.next(&r, true), Next::SecondFactor);
    r.policy = MfaPolicy::Off;
    assert_eq!(s.next(&r, true), Next::SecondFactor, "acr=2 beats off");
    r.policy = MfaPolicy::Always;
    r.allowed.retain(|m| *m != Method::Totp);
    assert_eq!(s.next(&r, false), Next::Unmet, "nothing to enroll");
}

#[test]
fn a_one_factor_session_is_reused_only_where_one_factor_is_enough() {
    let pwd = vec!["pwd".to_owned()];
    let mfa = vec!["pwd".to_owned(), "otp".to_owned(), "mfa".to_owned()];
    let mail = vec!["mail".to_owned()];
    let off = req(MfaPolicy::Off);
    let optional = req(MfaPolicy::Optional);
    let always = req(MfaPolicy::Always);
    assert!(reuse_session("u", &pwd, 5, &off, true).is_some());
    assert!(reuse_session("u", &pwd, 5, &optional, false).is_some());
    assert!(reuse_session("u", &pwd, 5, &optional, true).is_none());
    assert!(reuse_session("u", &pwd, 5, &always, false).is_none());
    assert!(reuse_session("u", &mail, 5, &optional, true).is_some());
    assert!(reuse_session("u", &mail, 5, &always, true).is_none());
    let reused = reuse_session("u", &mfa, 5, &always, true).unwrap();
    assert_eq!((reused.amr(), reused.auth_time()), (mfa.as_slice(), 5));
    let mut email_only = req(MfaPolicy::Off);
    email_only.allowed = vec![Method::Email];
    assert!(reuse_session("u", &pwd, 5, &email_only, false).is_none());
    let mut asked = req(MfaPolicy::Off);
    asked.two_factors_asked = true;
    assert!(reuse_session("u", &pwd, 5, &asked, false).is_none());
    assert!(reuse_session("u", &mfa, 5, &asked, true).is_some());
}

#[test]
fn the_strongest_way_in_is_two_factors_for_users_who_have_a_second() {
    let pwd = vec!["pwd".to_owned()];
    let mfa = vec!["pwd".to_owned(), "otp".to_owned(), "mfa".to_owned()];
    assert!(is_strongest(&pwd, false));
    assert!(!is_strongest(&pwd, true));
    assert!(!is_strongest(&["mail".to_owned()], true));
    assert!(is_strongest(&mfa, true));
}

#[test]
fn acr_values_ask_for_two_factors_by_the_value_2() {
    assert!(asks_two_factors(Some("2")));
    assert!(asks_two_factors(Some("urn:x 2")));
    assert!(!asks_two_factors(Some("1")));
    assert!(!asks_two_factors(Some("22")));
    assert!(!asks_two_factors(None));
    // in order of preference: "2 1" accepts one factor too
    assert!(!asks_two_factors(Some("2 1")));
    assert!(!asks_two_factors(Some("1 2")));
    assert!(asks_two_factors(Some(" 2  urn:x ")));
}

#[test]
fn a_password_session_steps_up_with_only_the_missing_second_factor() {
    let pwd = vec!["pwd".to_owned()];
    let mut asked = req(MfaPolicy::Optional);
    asked.two_factors_asked = true;
    // the user has a second factor: the session's password starts the sign-in
    let FromSession::SecondFactor(mut s) = from_session("u", &pwd, 100, &asked, true) else {
        panic!("a [pwd] session steps up");
    };
    assert_eq!(s.factors(), [Factor::new(Method::Password, 100)]);
    assert_eq!(s.next(&asked, true), Next::SecondFactor);
    assert_eq!(
        s.add_second(proof("attacker", Method::Totp, 500), &asked),
        Err(Refusal::AnotherUser)
    );
    assert_eq!(
        s.add_second(proof("u", Method::Email, 500), &asked),
        Err(Refusal::NotASecondFactor)
    );
    s.add_second(proof("u", Method::Totp, 500), &asked).unwrap();
    let Next::Complete(done) = s.next(&asked, true) else {
        panic!("two factors complete");
    };
    assert_eq!(done.amr(), ["pwd", "otp", "mfa"]);
    assert_eq!(
        done.auth_time(),
        500,
        "auth_time is when the sign-in completed"
    );
    // the policy alone (optional, a user with an authenticator) steps up the same way
    let optional = req(MfaPolicy::Optional);
    assert!(matches!(
        from_session("u", &pwd, 100, &optional, true),
        FromSession::SecondFactor(_)
    ));
}

#[test]
fn a_session_that_cannot_step_up_is_reused_or_signs_in_again() {
    let pwd = vec!["pwd".to_owned()];
    let mail = vec!["mail".to_owned()];
    let mfa = vec!["pwd".to_owned(), "otp".to_owned(), "mfa".to_owned()];
    let mut asked = req(MfaPolicy::Optional);
    asked.two_factors_asked = true;
    assert!(matches!(
        from_session("u", &mfa, 100, &asked, true),
        FromSession::Reuse(done) if done.auth_time() == 100 && done.amr() == mfa.as_slice()
    ));
    assert!(matches!(
        from_session("u", &pwd, 100, &req(MfaPolicy::Off), true),
        FromSession::Reuse(_)
    ));
    // no second factor: unmet, or enrolling — neither starts from an old session's password
    assert_eq!(
        from_session("u", &pwd, 100, &asked, false),
        FromSession::SignInAgain
    );
    assert_eq!(
        from_session("u", &pwd, 100, &req(MfaPolicy::Always), false),
        FromSession::SignInAgain
    );
    // an emailed code is no password to build on
    assert_eq!(
        from_session("u", &mail, 100, &asked, true),
        FromSession::SignInAgain
    );
    // nor is a password where the application does not allow passwords
    let mut no_password = asked.clone();
    no_password.allowed.retain(|m| *m != Method::Password);
    assert_eq!(
        from_session("u", &pwd, 100, &no_password, true),
        FromSession::SignInAgain
    );
}

#[test]
fn what_comes_next_depends_on_the_users_factors_only_where_it_says_so() {
    let policies = [MfaPolicy::Off, MfaPolicy::Optional, MfaPolicy::Always];
    for policy in policies {
        for asked in [false, true] {
            let mut r = req(policy);
            r.two_factors_asked = asked;
            for method in ALL_METHODS {
                let Ok(s) = SignIn::start(proof("u", method, 10), &r) else {
                    continue;
                };
                if !s.next_depends_on_factors(&r) {
                    assert_eq!(
                        s.next(&r, true),
                        s.next(&r, false),
                        "{method} {policy:?} {asked}"
                    );
                }
            }
        }
    }
    let s = SignIn::start(proof("u", Method::Password, 10), &req(MfaPolicy::Optional)).unwrap();
    assert!(s.next_depends_on_factors(&req(MfaPolicy::Optional)));
    assert!(!s.next_depends_on_factors(&req(MfaPolicy::Off)));
}

use super::*;
use crate::domain::client::{GrantType, MfaPolicy};

const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn client(public: bool, implicit: bool) -> Client {
    Client {
        id: "app".into(),
        name: "App".into(),
        secret_hash: (!public).then(|| "h".into()),
        is_public: public,
        allow_implicit: implicit,
        is_management: false,
        mfa_policy: MfaPolicy::Optional,
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        redirect_uris: vec!["https://app.example/cb".into()],
        post_logout_redirect_uris: vec![],
        login_ui_origins: vec![],
        allowed_methods: crate::domain::client::ALL_METHODS.to_vec(),
        lifetimes: Default::default(),
        may_request_approvals: false,
    }
}

fn params() -> AuthorizeParams {
    AuthorizeParams {
        client_id: Some("app".into()),
        redirect_uri: Some("https://app.example/cb".into()),
        response_type: Some("code".into()),
        scope: Some("openid email".into()),
        state: Some("st".into()),
        code_challenge: Some(CHALLENGE.into()),
        code_challenge_method: Some("S256".into()),
        ..Default::default()
    }
}

fn redirect_error(
    result: Result<AuthorizationRequest, AuthorizeError>,
) -> (&'static str, ResponseMode, Option<String>) {
    match result {
        Err(AuthorizeError::Redirect {
            error,
            response_mode,
            state,
            ..
        }) => (error, response_mode, state),
        other => panic!("expected a redirect error, got {other:?}"),
    }
}

#[test]
fn a_valid_code_request_is_accepted_with_defaults() {
    let req = validate(&params(), &client(true, false)).unwrap();
    assert_eq!(req.response_type, ResponseType::Code);
    assert_eq!(req.response_mode, ResponseMode::Query);
    assert_eq!(req.view_type, ViewType::Login);
    assert_eq!(req.scope.to_string(), "openid email");
    assert_eq!(req.code_challenge.as_deref(), Some(CHALLENGE));
}

#[test]
fn an_unregistered_or_missing_redirect_uri_never_redirects() {
    let mut p = params();
    p.redirect_uri = Some("https://evil.example/cb".into());
    assert!(matches!(
        validate(&p, &client(true, false)),
        Err(AuthorizeError::Fatal(_))
    ));
    p.redirect_uri = None;
    assert!(matches!(
        validate(&p, &client(true, false)),
        Err(AuthorizeError::Fatal(_))
    ));
}

#[test]
fn public_clients_must_use_pkce_s256() {
    let mut p = params();
    p.code_challenge = None;
    p.code_challenge_method = None;
    assert_eq!(
        redirect_error(validate(&p, &client(true, false))).0,
        "invalid_request"
    );
    // confidential clients may omit PKCE
    assert!(validate(&p, &client(false, false)).is_ok());

    let mut plain = params();
    plain.code_challenge_method = Some("plain".into());
    assert_eq!(
        redirect_error(validate(&plain, &client(false, false))).0,
        "invalid_request"
    );
    let mut missing_method = params();
    missing_method.code_challenge_method = None;
    assert_eq!(
        redirect_error(validate(&missing_method, &client(false, false))).0,
        "invalid_request"
    );
}

#[test]
fn implicit_flows_need_an_allowed_client_and_a_nonce() {
    let mut p = params();
    p.response_type = Some("id_token token".into());
    let (error, mode, state) = redirect_error(validate(&p, &client(false, false)));
    assert_eq!(
        (error, mode, state.as_deref()),
        ("unauthorized_client", ResponseMode::Fragment, Some("st"))
    );

    assert_eq!(
        redirect_error(validate(&p, &client(false, true))).0,
        "invalid_request"
    ); // no nonce
    p.nonce = Some("n".into());
    let req = validate(&p, &client(false, true)).unwrap();
    assert_eq!(
        (req.response_type, req.response_mode),
        (ResponseType::IdTokenToken, ResponseMode::Fragment)
    );

    p.response_mode = Some("query".into());
    assert_eq!(
        redirect_error(validate(&p, &client(false, true))).0,
        "invalid_request"
    );
}

#[test]
fn unsupported_response_types_and_prompts_are_reported_to_the_client() {
    let mut p = params();
    p.response_type = Some("code id_token".into());
    assert_eq!(
        redirect_error(validate(&p, &client(true, false))).0,
        "unsupported_response_type"
    );

    let mut p = params();
    p.prompt = Some("none login".into());
    assert_eq!(
        redirect_error(validate(&p, &client(true, false))).0,
        "invalid_request"
    );
    p.prompt = Some("login consent".into());
    assert_eq!(
        validate(&p, &client(true, false)).unwrap().prompt,
        Some(Prompt::Login)
    );

    let mut p = params();
    p.max_age = Some("-1".into());
    assert_eq!(
        redirect_error(validate(&p, &client(true, false))).0,
        "invalid_request"
    );
    p.max_age = Some("300".into());
    assert_eq!(
        validate(&p, &client(true, false)).unwrap().max_age,
        Some(300)
    );
}

#[test]
fn request_objects_are_refused_with_their_own_error() {
    let mut p = params();
    p.request = Some("eyJ".into());
    assert_eq!(
        redirect_error(validate(&p, &client(true, false))).0,
        "request_not_supported"
    );
}

#[test]
fn sessions_are_reused_unless_the_request_forbids_it() {
    let req = validate(&params(), &client(true, false)).unwrap();
    let login = ExistingLogin {
        user_email: "a@example.com".into(),
        auth_time: 1000,
    };
    assert_eq!(
        decide(&req, Some(&login), 2000),
        SessionDecision::UseSession
    );
    assert_eq!(decide(&req, None, 2000), SessionDecision::Interact);

    let mut forced = req.clone();
    forced.prompt = Some(Prompt::Login);
    assert_eq!(
        decide(&forced, Some(&login), 2000),
        SessionDecision::Interact
    );

    let mut aged = req.clone();
    aged.max_age = Some(500);
    assert_eq!(
        decide(&aged, Some(&login), 1500),
        SessionDecision::UseSession
    );
    assert_eq!(decide(&aged, Some(&login), 1501), SessionDecision::Interact);

    let mut silent = req.clone();
    silent.prompt = Some(Prompt::None);
    assert_eq!(decide(&silent, None, 2000), SessionDecision::LoginRequired);
    assert_eq!(
        decide(&silent, Some(&login), 2000),
        SessionDecision::UseSession
    );

    let mut hinted = req;
    hinted.login_hint = Some("someone@example.com".into());
    assert_eq!(
        decide(&hinted, Some(&login), 2000),
        SessionDecision::Interact
    );
    hinted.login_hint = Some("A@Example.com".into());
    assert_eq!(
        decide(&hinted, Some(&login), 2000),
        SessionDecision::UseSession
    );
}

#[test]
fn a_request_resumed_after_its_approval_is_the_same_without_what_forces_a_sign_in() {
    use super::super::authorization_details::resume_params;
    let mut c = client(false, false);
    c.may_request_approvals = true;
    let mut p = params();
    p.nonce = Some("n".into());
    p.prompt = Some("login".into());
    p.max_age = Some("0".into());
    p.login_hint = Some("ada@example.com".into());
    p.authorization_details =
        Some(r#"[{"type":"transaction_approval","approval_data":{"amount":"1.00"}}]"#.into());
    let request = validate(&p, &c).unwrap();
    let query = serde_urlencoded::to_string(resume_params(&request, "ap1")).unwrap();
    let again: AuthorizeParams = serde_urlencoded::from_str(&query).unwrap();
    let resumed = validate(&again, &c).unwrap();
    assert_eq!((resumed.prompt, resumed.max_age), (None, None));
    assert_eq!(resumed.login_hint, None);
    let (asked, back) = (request.approval.unwrap(), resumed.approval.unwrap());
    assert_eq!(back.data, asked.data);
    assert_eq!(back.approval_id.as_deref(), Some("ap1"));
    assert_eq!(
        (resumed.state, resumed.nonce, resumed.code_challenge),
        (request.state, request.nonce, request.code_challenge)
    );

    c.may_request_approvals = false;
    assert_eq!(
        redirect_error(validate(&p, &c)).0,
        "invalid_authorization_details"
    );
}

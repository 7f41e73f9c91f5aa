use super::*;

fn draft() -> ClientDraft {
    ClientDraft {
        name: "App".into(),
        redirect_uris: vec!["https://app.example/cb".into()],
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        mfa_policy: "optional".into(),
        allowed_methods: ALL_METHODS.iter().map(|m| method_key(*m).into()).collect(),
        ..ClientDraft::default()
    }
}

fn fields(d: &ClientDraft) -> Vec<Field> {
    d.validate().unwrap_err().iter().map(|e| e.field).collect()
}

#[test]
fn a_good_draft_becomes_settings() {
    let mut d = draft();
    d.redirect_uris = vec![
        " https://app.example/cb ".into(),
        "".into(),
        "https://app.example/cb".into(),
    ];
    d.access_token_ttl = "600".into();
    let s = d.validate().unwrap();
    assert_eq!(s.name, "App");
    assert_eq!(s.redirect_uris, ["https://app.example/cb"]);
    assert_eq!(s.lifetimes.access_token, Some(600));
    assert_eq!(s.lifetimes.refresh_token, None);
    assert_eq!(s.allowed_methods, ALL_METHODS);
}

#[test]
fn each_problem_is_reported_on_its_field() {
    let mut d = draft();
    d.name = "  ".into();
    d.redirect_uris = vec!["http://app.example/cb".into()];
    d.access_token_ttl = "soon".into();
    d.refresh_token_ttl = "10".into();
    assert_eq!(
        fields(&d),
        [
            Field::Name,
            Field::RedirectUris,
            Field::AccessTokenTtl,
            Field::RefreshTokenTtl
        ]
    );
}

#[test]
fn sign_in_clients_need_a_redirect_uri_and_a_first_factor() {
    let mut d = draft();
    d.redirect_uris.clear();
    d.allowed_methods = vec!["backupcode".into()];
    assert_eq!(fields(&d), [Field::RedirectUris, Field::AllowedMethods]);
    // a service has neither
    let mut d = draft();
    d.redirect_uris.clear();
    d.grant_types = vec!["client_credentials".into()];
    d.allowed_methods.clear();
    assert!(d.validate().is_ok());
}

#[test]
fn public_clients_cannot_use_client_credentials_or_the_management_api() {
    let mut d = draft();
    d.public = true;
    d.management = true;
    assert_eq!(fields(&d), [Field::ClientType]);
}

#[test]
fn management_brings_client_credentials() {
    let mut d = draft();
    d.management = true;
    let s = d.validate().unwrap();
    assert!(s.grant_types.contains(&GrantType::ClientCredentials));
}

#[test]
fn two_factors_always_needs_password_and_an_authenticator_app() {
    let mut d = draft();
    d.mfa_policy = "always".into();
    d.allowed_methods = vec!["password".into(), "email".into()];
    assert_eq!(fields(&d), [Field::AllowedMethods]);
    d.allowed_methods.push("totp".into());
    assert!(d.validate().is_ok());
}

#[test]
fn no_grant_type_is_refused_and_defaults_are_for_the_cli() {
    let mut d = draft();
    d.grant_types.clear();
    assert_eq!(fields(&d), [Field::GrantTypes]);
    assert_eq!(
        default_grant_types(false, false),
        [GrantType::ClientCredentials]
    );
    assert_eq!(
        default_grant_types(true, true),
        [GrantType::AuthorizationCode, GrantType::RefreshToken]
    );
}

#[test]
fn a_client_round_trips_through_its_draft() {
    let s = draft().validate().unwrap();
    let client = Client::new("c".into(), None, s.clone());
    assert_eq!(ClientDraft::from_client(&client).validate().unwrap(), s);
}

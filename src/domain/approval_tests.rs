use serde_json::json;

use super::*;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

#[test]
fn the_hash_is_the_same_whatever_the_order_and_spacing() {
    let a: Value = serde_json::from_str(r#"{"amount":"1500.00","currency":"USD"}"#).unwrap();
    let b: Value =
        serde_json::from_str("{ \"currency\" : \"USD\",\n \"amount\": \"1500.00\" }").unwrap();
    assert_eq!(
        data_hash(&object(a.clone())).unwrap(),
        data_hash(&object(b)).unwrap()
    );
    // SHA-256 of the JCS bytes {"amount":"1500.00","currency":"USD"}.
    let expected = URL_SAFE_NO_PAD.encode(Sha256::digest(
        br#"{"amount":"1500.00","currency":"USD"}"#.as_slice(),
    ));
    assert_eq!(data_hash(&object(a)).unwrap(), expected);
}

#[test]
fn a_changed_field_changes_the_hash() {
    let a = object(json!({"amount": "1500.00"}));
    let b = object(json!({"amount": "9500.00"}));
    assert_ne!(data_hash(&a).unwrap(), data_hash(&b).unwrap());
}

#[test]
fn approval_data_must_be_a_small_non_empty_object() {
    assert_eq!(check_data(None), Err(DataError::Missing));
    assert_eq!(check_data(Some(json!([1]))), Err(DataError::NotAnObject));
    assert_eq!(check_data(Some(json!({}))), Err(DataError::Empty));
    let big = json!({"note": "x".repeat(MAX_DATA_BYTES)});
    assert!(matches!(check_data(Some(big)), Err(DataError::TooLarge(_))));
    assert!(check_data(Some(json!({"amount": 1}))).is_ok());
}

#[test]
fn nested_data_is_shown_field_by_field() {
    let data = object(json!({
        "amount": 12.5,
        "payee": {"name": "<b>Bob</b>", "iban": "DE00"},
        "items": ["a", {"n": true}],
        "none": null
    }));
    let lines: Vec<(String, String)> = data_lines(&data)
        .into_iter()
        .map(|l| (l.key, l.value))
        .collect();
    let expect = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert!(lines.contains(&expect("amount", "12.5")));
    assert!(lines.contains(&expect("payee › name", "<b>Bob</b>")));
    assert!(lines.contains(&expect("items › 1", "a")));
    assert!(lines.contains(&expect("items › 2 › n", "true")));
    assert!(lines.contains(&expect("none", "null")));
}

#[test]
fn a_pending_approval_past_its_time_reads_as_expired() {
    let approval = Approval {
        id: "a".into(),
        client_id: "c".into(),
        user_id: "u".into(),
        data: object(json!({"x": 1})),
        data_hash: String::new(),
        state: ApprovalState::Pending,
        created_at: 0,
        expires_at: 300,
        decided_at: None,
        artifact: None,
        resume: None,
    };
    assert_eq!(approval.state_at(299), ApprovalState::Pending);
    assert_eq!(approval.state_at(300), ApprovalState::Expired);
}

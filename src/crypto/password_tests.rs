//! Unit tests of the password hashing service (slots, memory, parameters).

use super::*;
use argon2::PasswordHasher as _;

fn cheap() -> PasswordHashing {
    let params = HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
    PasswordHashing::new(params, 2, Duration::from_secs(5)).unwrap()
}

#[tokio::test]
async fn a_hash_verifies_only_its_own_password() {
    let hashing = cheap();
    let hash = hashing.hash("correct horse".into()).await.unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
    assert!(
        hashing
            .verify("correct horse".into(), Some(hash.clone()))
            .await
            .unwrap()
    );
    assert!(
        !hashing
            .verify("wrong horse".into(), Some(hash))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_slot_hash_is_the_argon2_crates_hash() {
    // Same salt, same parameters: the slot path and the crate's own PHC hasher agree, and
    // each verifies the other's string.
    let params = Params::new(64, 1, 1, None).unwrap();
    let mut memory = Vec::new();
    let ours = hash_into(&params, "pw", &mut memory).unwrap();
    let phc = PasswordHash::new(&ours).unwrap();
    let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_with_salt(b"pw", phc.salt.as_ref().unwrap())
        .unwrap()
        .to_string();
    assert_eq!(ours, theirs);
    assert!(verify_in("pw", &theirs, &mut memory, 64));
}

#[tokio::test]
async fn existing_hashes_verify_whatever_their_parameters() {
    let hashing = cheap();
    // Made by the argon2 crate's own hasher, as every stored hash before the slots was;
    // with other parameters (larger, smaller, two lanes) and with Argon2i.
    for (alg, m, t, p) in [
        (Algorithm::Argon2id, 19456, 2, 1),
        (Algorithm::Argon2id, 128, 3, 2),
        (Algorithm::Argon2id, 8, 1, 1),
        (Algorithm::Argon2i, 64, 2, 1),
    ] {
        let argon2 = Argon2::new(alg, Version::V0x13, Params::new(m, t, p, None).unwrap());
        let stored = argon2.hash_password(b"old password").unwrap().to_string();
        assert!(
            hashing
                .verify("old password".into(), Some(stored.clone()))
                .await
                .unwrap(),
            "{stored}"
        );
        assert!(
            !hashing
                .verify("old passwore".into(), Some(stored))
                .await
                .unwrap()
        );
    }
    // Made by another implementation (the reference C code through node-argon2), with
    // the parameters in another order.
    for stored in [
        "$argon2id$v=19$m=19456,p=1,t=2$Z2F0ZWhvdXNlLXNhbHQtMQ$BKRm5pEnUVwIwHnALCECDcArZJEqbv9qK0T8eB8bSts",
        "$argon2id$v=19$m=64,p=2,t=3$Z2F0ZWhvdXNlLXNhbHQtMg$L/aAth46q9MSrfwaJxkanM1MBoRiYpNkje5Js33pq3Y",
    ] {
        assert!(
            hashing
                .verify("old password".into(), Some(stored.into()))
                .await
                .unwrap(),
            "{stored}"
        );
        assert!(
            !hashing
                .verify("old passwore".into(), Some(stored.into()))
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn the_slots_keep_no_more_than_the_configured_memory() {
    let hashing = cheap();
    let big = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(1024, 1, 1, None).unwrap(),
    )
    .hash_password(b"pw")
    .unwrap()
    .to_string();
    assert!(hashing.verify("pw".into(), Some(big)).await.unwrap());
    let free = hashing.slots.memory.lock().unwrap();
    assert_eq!(free.len(), 2);
    assert!(free.iter().all(|m| m.len() <= 64), "a slot grew");
}

#[tokio::test]
async fn a_missing_or_malformed_hash_never_verifies() {
    let hashing = cheap();
    assert!(
        !hashing
            .verify("gatehouse-timing-equaliser".into(), None)
            .await
            .unwrap()
    );
    assert!(
        !hashing
            .verify("x".into(), Some("not a phc string".into()))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn requests_beyond_the_permits_are_refused_after_the_wait() {
    let params = HashParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };
    let hashing = PasswordHashing::new(params, 1, Duration::from_millis(10)).unwrap();
    let held = hashing.slot().await.unwrap();
    assert!(matches!(
        hashing.hash("pw".into()).await,
        Err(HashError::Busy)
    ));
    drop(held);
    assert!(hashing.hash("pw".into()).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_hashing_never_exceeds_the_slots() {
    let params = HashParams {
        memory_kib: 256,
        iterations: 2,
        parallelism: 1,
    };
    let hashing = PasswordHashing::new(params, 2, Duration::from_secs(30)).unwrap();
    let stored = hashing.hash("pw".into()).await.unwrap();
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let hashing = hashing.clone();
            let stored = stored.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    hashing.verify("pw".into(), Some(stored)).await.unwrap()
                } else {
                    hashing.hash(format!("pw{i}")).await.is_ok()
                }
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap());
    }
    assert!(hashing.peak_concurrency() >= 1);
    assert!(
        hashing.peak_concurrency() <= 2,
        "{} hashes ran at once",
        hashing.peak_concurrency()
    );
    // Two memories, each the configured size, whatever number of hashes ran.
    let free = hashing.slots.memory.lock().unwrap();
    assert_eq!(free.len(), 2);
    assert!(free.iter().all(|m| m.len() <= 256));
}

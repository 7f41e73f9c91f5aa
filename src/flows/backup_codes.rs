//! Backup codes as the web layer uses them: making a set, checking one, counting what is left.

use super::AppState;
use super::FlowError;
use crate::domain::backup;
use crate::store;

/// The stored form of a normalised code: HMAC-SHA256 under the instance's code key.
fn keyed_hash(state: &AppState, code: &str) -> String {
    crate::crypto::keyed_hash(&state.code_key, code)
}

/// Makes a new set for `user_id`, voiding the old one; returns the codes for display, once.
pub async fn new_set(state: &AppState, user_id: &str) -> Result<Vec<String>, FlowError> {
    let mut codes = Vec::with_capacity(backup::SET_SIZE);
    while codes.len() < backup::SET_SIZE {
        if let Some(code) = backup::code_from_random(&crate::crypto::random_bytes::<32>()) {
            codes.push(code);
        }
    }
    let hashes: Vec<String> = codes.iter().map(|c| keyed_hash(state, c)).collect();
    let (user_id, now) = (user_id.to_owned(), state.now());
    state
        .store
        .run(move |c| store::backup_codes::replace_backup_codes(c, &user_id, &hashes, now))
        .await?;
    Ok(codes.iter().map(|c| backup::display(c)).collect())
}

/// Uses `input` as a backup code of `user_id`; true if it was one of theirs and unused.
pub async fn redeem(state: &AppState, user_id: &str, input: &str) -> Result<bool, FlowError> {
    let Some(code) = backup::normalize(input) else {
        return Ok(false);
    };
    let (user_id, hash, now) = (user_id.to_owned(), keyed_hash(state, &code), state.now());
    Ok(state
        .store
        .run(move |c| store::backup_codes::use_backup_code(c, &user_id, &hash, now))
        .await?)
}

/// Unused codes left.
pub async fn remaining(state: &AppState, user_id: &str) -> Result<i64, FlowError> {
    let user_id = user_id.to_owned();
    Ok(state
        .store
        .run(move |c| store::backup_codes::count_unused_backup_codes(c, &user_id))
        .await?)
}

//! A fair share of the hashing slots per client: one IP may hold at most `share` of them in
//! the queue at once. Over its share it only borrows slots nobody else is waiting for (see
//! [`super::password::PasswordHashing::slot_for`]), so a flood of password posts from one
//! address keeps idle cores busy but never starves the others: a released slot goes to the
//! queue first. A client that finds neither waits (as long as any hash may wait for a slot)
//! and is then told to come back later (429) like any request that found the pool full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

/// The per-client permits; clients with nothing running are forgotten.
pub struct FairShare {
    share: usize,
    clients: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Forget idle clients once this many are remembered.
const PRUNE_AT: usize = 1024;

impl FairShare {
    /// `share` slots per client of `slots` in all; 0 = half the slots, rounded up.
    pub fn new(slots: usize, share: usize) -> FairShare {
        let share = match share {
            0 => slots.div_ceil(2),
            n => n,
        }
        .clamp(1, slots.max(1));
        FairShare {
            share,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// How many slots one client may hold at once.
    pub fn share(&self) -> usize {
        self.share
    }

    /// The semaphore of `client` (made on first use).
    pub fn of(&self, client: &str) -> Arc<Semaphore> {
        let mut clients = match self.clients.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        if clients.len() >= PRUNE_AT {
            let share = self.share;
            // Idle: no permit out and nobody but the map holding it.
            clients.retain(|_, s| Arc::strong_count(s) > 1 || s.available_permits() < share);
        }
        clients
            .entry(client.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.share)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_default_share_is_half_the_slots_rounded_up() {
        assert_eq!(FairShare::new(2, 0).share(), 1);
        assert_eq!(FairShare::new(5, 0).share(), 3);
        assert_eq!(FairShare::new(4, 9).share(), 4, "never more than all");
    }

    #[tokio::test]
    async fn a_flood_borrows_idle_slots_but_a_released_slot_goes_to_another_client_first() {
        use crate::crypto::password::{HashParams, PasswordHashing};
        let params = HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        // two slots, one per IP in the queue (the default share of two slots)
        let hashing = Arc::new(
            PasswordHashing::new(params, 2, Duration::from_secs(5))
                .unwrap()
                .with_share_per_client(0),
        );
        let flood = "198.51.100.1";
        let own = hashing.slot_for(Some(flood)).await.unwrap();
        let borrowed = hashing.slot_for(Some(flood)).await.unwrap();
        let (more, other) = {
            let (h1, h2) = (hashing.clone(), hashing.clone());
            let more = tokio::spawn(async move { h1.slot_for(Some(flood)).await.map(drop) });
            tokio::time::sleep(Duration::from_millis(30)).await;
            let other = tokio::spawn(async move { h2.slot_for(Some("203.0.113.7")).await });
            tokio::time::sleep(Duration::from_millis(30)).await;
            (more, other)
        };
        drop(borrowed);
        let other = other.await.unwrap();
        assert!(other.is_ok(), "the other client got the released slot");
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert!(!more.is_finished(), "the flood's third request still waits");
        drop(own);
        assert!(
            more.await.unwrap().is_ok(),
            "and gets its own slot back later"
        );
    }

    #[tokio::test]
    async fn over_its_share_with_every_slot_taken_a_client_is_told_busy() {
        use crate::crypto::password::{HashError, HashParams, PasswordHashing};
        let params = HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        let hashing = PasswordHashing::new(params, 2, Duration::from_millis(20))
            .unwrap()
            .with_share_per_client(1);
        let _a = hashing.slot_for(Some("198.51.100.1")).await.unwrap();
        let _b = hashing.slot_for(Some("198.51.100.1")).await.unwrap();
        assert!(matches!(
            hashing
                .verify_for(Some("198.51.100.1"), "pw".into(), None)
                .await,
            Err(HashError::Busy)
        ));
    }
}

//! A fair share of the hashing slots per client: one IP may hold at most `share` of them at
//! once, so a flood of password posts from one address cannot take every slot — the others
//! still find free ones. A client over its share waits (as long as any hash may wait for a
//! slot) for one of its own to finish, and is then told to come back later (429) like any
//! request that found the pool full. Used by [`super::password::PasswordHashing`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

    /// Waits for one of `client`'s own permits until `deadline`; `None` when none freed up.
    pub async fn acquire(
        &self,
        client: &str,
        deadline: tokio::time::Instant,
    ) -> Option<OwnedSemaphorePermit> {
        let semaphore = self.of(client);
        tokio::time::timeout_at(deadline, semaphore.acquire_owned())
            .await
            .ok()?
            .ok()
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
    async fn one_client_over_its_share_waits_while_another_gets_in() {
        let shares = FairShare::new(4, 2);
        let soon = || tokio::time::Instant::now() + Duration::from_millis(20);
        let a1 = shares.acquire("198.51.100.1", soon()).await;
        let a2 = shares.acquire("198.51.100.1", soon()).await;
        assert!(a1.is_some() && a2.is_some());
        assert!(shares.acquire("198.51.100.1", soon()).await.is_none());
        assert!(shares.acquire("203.0.113.7", soon()).await.is_some());
        drop(a1);
        assert!(shares.acquire("198.51.100.1", soon()).await.is_some());
    }

    #[tokio::test]
    async fn the_hashing_pool_gives_one_ip_its_share_and_keeps_the_rest_for_others() {
        use crate::crypto::password::{HashError, HashParams, PasswordHashing};
        let params = HashParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        };
        // two slots, one per IP (the default share of two slots)
        let hashing = PasswordHashing::new(params, 2, Duration::from_millis(20))
            .unwrap()
            .with_share_per_client(0);
        let flood = hashing.slot_for(Some("198.51.100.1")).await.unwrap();
        assert!(matches!(
            hashing.slot_for(Some("198.51.100.1")).await,
            Err(HashError::Busy)
        ));
        assert!(matches!(
            hashing
                .verify_for(Some("198.51.100.1"), "pw".into(), None)
                .await,
            Err(HashError::Busy)
        ));
        let other = hashing
            .verify_for(Some("203.0.113.7"), "pw".into(), None)
            .await;
        assert!(
            matches!(other, Ok(false)),
            "another client still gets the free slot"
        );
        drop(flood);
        assert!(hashing.slot_for(Some("198.51.100.1")).await.is_ok());
    }
}

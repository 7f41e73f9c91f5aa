//! Argon2id password hashing, off the async workers, in a fixed number of hashing slots.
//!
//! Hashing is deliberately expensive (OWASP: m=19456 KiB, t=2, p=1), so it runs on the blocking
//! pool in one of `slots` hashing slots (one per core). Each slot owns the Argon2 memory it
//! hashes in (allocated on its first use, then reused): however many sign-ins arrive, at most
//! `slots` × m KiB of hashing memory exist, instead of a fresh 19 MiB allocation per hash on
//! whatever blocking thread runs it (glibc keeps those in per-thread arenas, so resident memory
//! grew with the number of threads that ever hashed). A request that cannot get a slot within
//! `max_wait` is told to come back later ([`HashError::Busy`] → 429). Verifying against an
//! unknown user still costs one full hash (a dummy hash with the same parameters), so response
//! time does not reveal whether an account exists.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many password checks in progress; try again shortly")]
    Busy,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// Salt length of new hashes (the `password-hash` crate's recommendation).
const SALT_LEN: usize = 16;

/// The password hashing service shared by every request.
#[derive(Clone)]
pub struct PasswordHashing {
    params: Params,
    slots: Arc<Slots>,
    max_wait: Duration,
    dummy_hash: Arc<str>,
    /// At most a fair share of the slots per client ([`super::fair_share`]).
    shares: Arc<super::fair_share::FairShare>,
}

/// The hashing slots: a permit per slot, and the memory the slots hash in.
struct Slots {
    permits: Arc<Semaphore>,
    /// Memory of the slots not in use; a slot takes one when it starts and gives it back.
    memory: Mutex<Vec<Vec<Block>>>,
    /// Hashes running now and the most ever seen at once (for the tests and the benchmark).
    running: AtomicUsize,
    peak: AtomicUsize,
    /// Requests waiting for a slot now (for `/metrics`).
    waiting: AtomicUsize,
    /// Slots in all.
    count: usize,
    /// Woken whenever a slot is given back: clients over their share borrow free slots.
    released: tokio::sync::Notify,
}

/// The hashing queue at one moment (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashQueue {
    pub waiting: usize,
    pub in_use: usize,
    pub slots: usize,
}

/// Counts a waiter for as long as it lives (also when the wait is given up or cancelled).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Waiting(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl PasswordHashing {
    pub fn new(params: HashParams, slots: usize, max_wait: Duration) -> Result<Self, HashError> {
        let params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| HashError::Failed(e.to_string()))?;
        let slots = slots.max(1);
        // The dummy hash is made once, in memory that is freed again: a server that no one
        // signs in to keeps no hashing memory.
        let dummy_hash = hash_into(&params, "gatehouse-timing-equaliser", &mut Vec::new())?;
        Ok(PasswordHashing {
            params,
            slots: Arc::new(Slots {
                permits: Arc::new(Semaphore::new(slots)),
                memory: Mutex::new((0..slots).map(|_| Vec::new()).collect()),
                running: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
                waiting: AtomicUsize::new(0),
                count: slots,
                released: tokio::sync::Notify::new(),
            }),
            max_wait,
            dummy_hash: dummy_hash.into(),
            shares: Arc::new(super::fair_share::FairShare::new(slots, slots)),
        })
    }

    /// Limits each client (see [`Self::verify_for`]) to `per_client` slots at once; 0 = half
    /// the slots, rounded up.
    pub fn with_share_per_client(mut self, per_client: usize) -> Self {
        let slots = self.slots.count.max(1);
        self.shares = Arc::new(super::fair_share::FairShare::new(slots, per_client));
        self
    }

    /// Hashes synchronously; for the CLI, never from an async handler.
    pub fn hash_blocking(&self, password: &str) -> Result<String, HashError> {
        hash_into(&self.params, password, &mut Vec::new())
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        self.hash_for(None, password).await
    }

    /// [`Self::hash`] within `client`'s fair share of the slots (see [`Self::verify_for`]).
    pub async fn hash_for(
        &self,
        client: Option<&str>,
        password: String,
    ) -> Result<String, HashError> {
        let params = self.params.clone();
        self.in_slot_for(client, move |memory| hash_into(&params, &password, memory))
            .await?
    }

    /// Checks `password` against `stored` (a PHC string), or against a dummy hash when there is
    /// no stored hash, so that both cases take the same time. Returns false for a malformed hash.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        self.verify_for(None, password, stored).await
    }

    /// [`Self::verify`] for `client` (its IP): it waits for one of its fair share of the slots
    /// first, so one client cannot hold them all.
    pub async fn verify_for(
        &self,
        client: Option<&str>,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let limit = self.params.block_count();
        let matched = self
            .in_slot_for(client, move |memory| {
                verify_in(&password, &hash, memory, limit)
            })
            .await?;
        Ok(known && matched)
    }

    /// Waits (at most `max_wait`) for one of the hashing slots, as every hash does first; the
    /// slot stays taken until the returned guard is dropped. [`HashError::Busy`] when none
    /// frees up in time.
    pub async fn slot(&self) -> Result<HashSlot, HashError> {
        self.slot_for(None).await
    }

    /// [`Self::slot`] for `client` (its IP). Within its fair share, a client queues for a slot
    /// like everyone (first come, first served). Over its share it may only borrow a slot that
    /// nobody is queuing for, so a flood from one address keeps idle cores busy but never makes
    /// another address wait longer than the hash in front of it.
    pub async fn slot_for(&self, client: Option<&str>) -> Result<HashSlot, HashError> {
        let deadline = tokio::time::Instant::now() + self.max_wait;
        let waiting = Waiting::new(&self.slots.waiting);
        let (permit, share) = match client {
            None => (self.queue_for_slot(deadline).await?, None),
            Some(client) => self.slot_within_share(client, deadline).await?,
        };
        drop(waiting);
        let memory = match self.slots.memory.lock() {
            Ok(mut free) => free.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        }
        // Never empty while a permit is held (one memory per permit); a fresh one otherwise.
        .unwrap_or_default();
        Ok(HashSlot {
            memory,
            slots: self.slots.clone(),
            permits: Some((permit, share)),
        })
    }

    /// A slot in first-come order, within `deadline`.
    async fn queue_for_slot(
        &self,
        deadline: tokio::time::Instant,
    ) -> Result<OwnedSemaphorePermit, HashError> {
        tokio::time::timeout_at(deadline, self.slots.permits.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Busy)
    }

    /// A slot for `client`: with one of its share's permits in the queue, or borrowed when a
    /// slot is free. Tokio's semaphore hands a released permit to the queue first, so a free
    /// permit means nobody is waiting for it.
    async fn slot_within_share(
        &self,
        client: &str,
        deadline: tokio::time::Instant,
    ) -> Result<(OwnedSemaphorePermit, Option<OwnedSemaphorePermit>), HashError> {
        let own = self.shares.of(client);
        loop {
            // Registered before looking, so a slot released in between still wakes us.
            let released = self.slots.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            if let Ok(share) = own.clone().try_acquire_owned() {
                return Ok((self.queue_for_slot(deadline).await?, Some(share)));
            }
            if let Ok(idle) = self.slots.permits.clone().try_acquire_owned() {
                return Ok((idle, None));
            }
            tokio::select! {
                share = own.clone().acquire_owned() => {
                    let share = share.map_err(|_| HashError::Busy)?;
                    return Ok((self.queue_for_slot(deadline).await?, Some(share)));
                }
                _ = &mut released => continue,
                _ = tokio::time::sleep_until(deadline) => return Err(HashError::Busy),
            }
        }
    }

    /// Waiting requests, slots taken and slots in all, now.
    pub fn queue(&self) -> HashQueue {
        let slots = self.slots.count;
        HashQueue {
            waiting: self.slots.waiting.load(Ordering::SeqCst),
            in_use: slots.saturating_sub(self.slots.permits.available_permits()),
            slots,
        }
    }

    /// The most hashes that ever ran at once.
    pub fn peak_concurrency(&self) -> usize {
        self.slots.peak.load(Ordering::Relaxed)
    }

    /// Runs `work` in a slot (within `client`'s share), on the blocking pool, with the slot's
    /// memory.
    async fn in_slot_for<T: Send + 'static>(
        &self,
        client: Option<&str>,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let mut slot = self.slot_for(client).await?;
        tokio::task::spawn_blocking(move || {
            let running = slot.slots.running.fetch_add(1, Ordering::SeqCst) + 1;
            slot.slots.peak.fetch_max(running, Ordering::SeqCst);
            let result = work(&mut slot.memory);
            slot.slots.running.fetch_sub(1, Ordering::SeqCst);
            result
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))
    }
}

/// One taken hashing slot (see [`PasswordHashing::slot`]) with its memory; dropping it gives
/// both back.
pub struct HashSlot {
    memory: Vec<Block>,
    slots: Arc<Slots>,
    /// The slot's permit and, when taken within a client's share, the share's permit; given
    /// back on drop before the borrowers waiting for a free slot are woken.
    permits: Option<(OwnedSemaphorePermit, Option<OwnedSemaphorePermit>)>,
}

impl Drop for HashSlot {
    fn drop(&mut self) {
        let memory = std::mem::take(&mut self.memory);
        match self.slots.memory.lock() {
            Ok(mut free) => free.push(memory),
            Err(poisoned) => poisoned.into_inner().push(memory),
        }
        drop(self.permits.take());
        self.slots.released.notify_waiters();
    }
}

/// `memory` with at least `blocks` blocks: grown once to the configured size and then kept.
fn sized(memory: &mut Vec<Block>, blocks: usize) -> &mut [Block] {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    &mut memory[..blocks]
}

/// Hashes `password` with a fresh salt into a PHC string, in `memory`.
fn hash_into(
    params: &Params,
    password: &str,
    memory: &mut Vec<Block>,
) -> Result<String, HashError> {
    let failed = |e: &dyn std::fmt::Display| HashError::Failed(e.to_string());
    let salt = crate::crypto::random_bytes::<SALT_LEN>();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let out = &mut out[..params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)];
    argon2
        .hash_password_into_with_memory(
            password.as_bytes(),
            &salt,
            out,
            sized(memory, params.block_count()),
        )
        .map_err(|e| failed(&e))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| failed(&e))?,
        salt: Some(Salt::new(&salt).map_err(|e| failed(&e))?),
        hash: Some(Output::new(out).map_err(|e| failed(&e))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, whatever Argon2 parameters it was made
/// with. Hashes needing at most `keep` blocks run in the slot's `memory` (kept); a stored hash
/// with a larger memory cost (made before the parameters were lowered) gets memory of its own,
/// freed afterwards, so the slots never grow past the configured size.
fn verify_in(password: &str, stored: &str, memory: &mut Vec<Block>, keep: usize) -> bool {
    let Ok(phc) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(phc.algorithm.as_str()) else {
        return false;
    };
    let version = match phc.version.map(Version::try_from).transpose() {
        Ok(version) => version.unwrap_or_default(),
        Err(_) => return false,
    };
    let Ok(params) = Params::try_from(&phc) else {
        return false;
    };
    let blocks = params.block_count();
    let argon2 = Argon2::new(algorithm, version, params);
    let mut out = vec![0u8; expected.len()];
    let mut own = Vec::new();
    let memory = if blocks <= keep {
        sized(memory, blocks)
    } else {
        sized(&mut own, blocks)
    };
    if argon2
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, memory)
        .is_err()
    {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(&out).is_ok_and(|computed| &computed == expected)
}

#[cfg(test)]
#[path = "password_tests.rs"]
mod tests;

//! Argon2id password hashing, off the async workers and behind a semaphore.
//!
//! Hashing is deliberately expensive (OWASP: m=19456 KiB, t=2, p=1), so it runs on the blocking
//! pool and at most `permits` hashes run at once (one per core). A request that cannot get a
//! permit within `max_wait` is told to come back later ([`HashError::Busy`] → 429) instead of
//! piling up memory. Verifying against an unknown user still costs one full hash (a dummy hash
//! with the same parameters), so response time does not reveal whether an account exists.

use std::sync::Arc;
use std::time::Duration;

use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};
use tokio::sync::Semaphore;

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

/// The password hashing service shared by every request.
#[derive(Clone)]
pub struct PasswordHashing {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
    max_wait: Duration,
    dummy_hash: Arc<str>,
}

impl PasswordHashing {
    pub fn new(params: HashParams, permits: usize, max_wait: Duration) -> Result<Self, HashError> {
        let params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| HashError::Failed(e.to_string()))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let dummy_hash = hash_with(&argon2, "gatehouse-timing-equaliser")?;
        Ok(PasswordHashing {
            argon2,
            permits: Arc::new(Semaphore::new(permits.max(1))),
            max_wait,
            dummy_hash: dummy_hash.into(),
        })
    }

    /// Hashes synchronously; for the CLI, never from an async handler.
    pub fn hash_blocking(&self, password: &str) -> Result<String, HashError> {
        hash_with(&self.argon2, password)
    }

    /// Hashes a new password into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let argon2 = self.argon2.clone();
        self.limited(move || hash_with(&argon2, &password)).await?
    }

    /// Checks `password` against `stored` (a PHC string), or against a dummy hash when there is
    /// no stored hash, so that both cases take the same time. Returns false for a malformed hash.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let argon2 = self.argon2.clone();
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matched = self
            .limited(move || {
                argon2
                    .verify_password(password.as_bytes(), hash.as_str())
                    .is_ok()
            })
            .await?;
        Ok(known && matched)
    }

    /// Waits (at most `max_wait`) for one of the hashing slots, as every hash does first; the
    /// slot stays taken until the returned guard is dropped. [`HashError::Busy`] when none
    /// frees up in time.
    pub async fn slot(&self) -> Result<HashSlot, HashError> {
        let permit = tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| HashError::Busy)?
            .map_err(|_| HashError::Busy)?;
        Ok(HashSlot { _permit: permit })
    }

    async fn limited<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let permit = self.slot().await?;
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| HashError::Failed(e.to_string()))?;
        Ok(result)
    }
}

/// One taken hashing slot (see [`PasswordHashing::slot`]); dropping it frees the slot.
pub struct HashSlot {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

fn hash_with(argon2: &Argon2<'_>, password: &str) -> Result<String, HashError> {
    argon2
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError::Failed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let held = hashing.permits.clone().acquire_owned().await.unwrap();
        assert!(matches!(
            hashing.hash("pw".into()).await,
            Err(HashError::Busy)
        ));
        drop(held);
        assert!(hashing.hash("pw".into()).await.is_ok());
    }
}

//! The clock every time-dependent rule is asked through, so tests can move time forward.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Unix time in seconds: the system clock plus an adjustable offset (zero in production).
#[derive(Clone, Default)]
pub struct Clock {
    offset: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    pub fn now(&self) -> i64 {
        let system = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        system + self.offset.load(Ordering::Relaxed)
    }

    /// Moves this clock (and every clone of it) forward by `seconds`. For tests.
    pub fn advance(&self, seconds: i64) {
        self.offset.fetch_add(seconds, Ordering::Relaxed);
    }
}

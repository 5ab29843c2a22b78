//! When each user last wrote, as far as this instance can tell from the shared tier: the
//! invalidations it receives, and the generation a lookup reads (a generation is the Redis
//! server time, in ms, of the user's last invalidation). A service with a lagging read replica
//! uses it to keep such a user's reads on the primary, even on an instance that did not write.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Users above which entries older than the memory are pruned on insertion.
const PRUNE_ABOVE: usize = 10_000;

/// The last write seen per user, forgotten after `memory`.
#[derive(Debug)]
pub(crate) struct RecentWrites {
    memory: Duration,
    at: Mutex<HashMap<String, Instant>>,
}

impl RecentWrites {
    pub(crate) fn new(memory: Duration) -> Self {
        Self {
            memory,
            at: Mutex::new(HashMap::new()),
        }
    }

    /// Records a write of `user` that happened `age` ago (ignored if older than the memory).
    pub(crate) fn record(&self, user: &str, age: Duration) {
        if age >= self.memory {
            return;
        }
        let Some(when) = Instant::now().checked_sub(age) else {
            return;
        };
        let mut at = self.at.lock().unwrap_or_else(PoisonError::into_inner);
        if at.len() > PRUNE_ABOVE {
            at.retain(|_, t| t.elapsed() < self.memory);
        }
        let entry = at.entry(user.to_owned()).or_insert(when);
        *entry = (*entry).max(when);
    }

    /// How long ago `user` last wrote, if within the memory.
    pub(crate) fn age(&self, user: &str) -> Option<Duration> {
        let at = self.at.lock().unwrap_or_else(PoisonError::into_inner);
        at.get(user)
            .map(Instant::elapsed)
            .filter(|age| *age < self.memory)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_latest_write_and_forgets_old_ones() {
        let recent = RecentWrites::new(Duration::from_secs(60));
        assert_eq!(recent.age("u1"), None);
        recent.record("u1", Duration::from_secs(30));
        recent.record("u1", Duration::from_secs(40));
        let age = recent.age("u1").expect("recorded");
        assert!(age >= Duration::from_secs(30) && age < Duration::from_secs(40));
        recent.record("u2", Duration::from_secs(61));
        assert_eq!(recent.age("u2"), None);
    }
}

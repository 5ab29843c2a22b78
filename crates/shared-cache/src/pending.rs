//! Invalidations that could not reach Redis, kept until they can.
//!
//! An invalidation that fails (Redis unhealthy, an error, or a call over `op_timeout` on a
//! slow path) would otherwise be lost: other instances would keep serving the user's older
//! answers from Redis and from their local tiers until the TTL. So the user is kept here; the
//! background probe delivers it (with the longer `connect_timeout`) as soon as Redis answers
//! again, and until then this instance neither reads nor fills the shared tier for that user
//! (its own reads go to the database and its own local tier, which it invalidated at once).

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// The users whose invalidation is still to be delivered.
#[derive(Debug, Default)]
pub(crate) struct PendingInvalidations {
    users: Mutex<HashSet<String>>,
    /// Lets the hot path skip the lock when nothing is pending (the normal case).
    count: AtomicUsize,
}

impl PendingInvalidations {
    pub(crate) fn add(&self, user: &str) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.insert(user.to_owned());
        self.count.store(users.len(), Ordering::Release);
    }

    /// Drops `user` after its invalidation was delivered.
    pub(crate) fn delivered(&self, user: &str) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        users.remove(user);
        self.count.store(users.len(), Ordering::Release);
    }

    pub(crate) fn contains(&self, user: &str) -> bool {
        self.count.load(Ordering::Acquire) > 0
            && self
                .users
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(user)
    }

    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    /// The users to deliver, in no particular order.
    pub(crate) fn snapshot(&self) -> Vec<String> {
        self.users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_stays_pending_until_delivered() {
        let pending = PendingInvalidations::default();
        assert!(!pending.contains("u1"));
        pending.add("u1");
        pending.add("u1");
        assert_eq!(pending.len(), 1);
        assert!(pending.contains("u1") && !pending.contains("u2"));
        pending.delivered("u1");
        assert!(!pending.contains("u1"));
        assert_eq!(pending.len(), 0);
    }
}

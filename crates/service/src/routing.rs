//! Read routing between the primary database and an optional read replica.
//!
//! A replica lags the primary, so a user who just wrote (apply, ingestion, generated
//! recommendations) reads from the primary for a while: their next GET must show their write.
//! Everyone else reads from the replica.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use insights_store::Store;

/// Chooses the store each read goes to.
pub(crate) struct ReadRouting {
    primary: Store,
    replica: Option<Store>,
    /// How long after a write a user's reads stay on the primary.
    stickiness: Duration,
    last_write: DashMap<Arc<str>, Instant>,
}

impl ReadRouting {
    pub(crate) fn new(primary: Store, replica: Option<Store>, stickiness: Duration) -> Self {
        Self {
            primary,
            replica,
            stickiness,
            last_write: DashMap::new(),
        }
    }

    pub(crate) fn primary(&self) -> &Store {
        &self.primary
    }

    /// The store for `user`'s reads.
    pub(crate) fn reader(&self, user: &str) -> &Store {
        let Some(replica) = &self.replica else {
            return &self.primary;
        };
        match self.last_write.get(user) {
            Some(at) if at.elapsed() < self.stickiness => &self.primary,
            _ => replica,
        }
    }

    /// Records a write for `user`. Stale records are pruned on the way so the map stays as small
    /// as the set of users who wrote within the stickiness window.
    pub(crate) fn wrote(&self, user: &str) {
        if self.replica.is_none() {
            return;
        }
        if self.last_write.len() > 10_000 {
            self.last_write
                .retain(|_, at| at.elapsed() < self.stickiness);
        }
        self.last_write.insert(Arc::from(user), Instant::now());
    }

    pub(crate) fn has_replica(&self) -> bool {
        self.replica.is_some()
    }
}

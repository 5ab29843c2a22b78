//! Read routing between the primary database and an optional read replica.
//!
//! A replica lags the primary, so a user who just wrote (apply, ingestion, generated
//! recommendations) reads from the primary for a while: their next GET must show their write.
//! "Just wrote" is known from this instance's own writes, and from other instances' writes
//! through the shared tier (its invalidation messages, and the generation a shared lookup
//! reads, which is the time of the user's last write; see [`SharedTier::last_write`]), so an
//! instance that did not write does not read a lagging replica either.
//!
//! Everyone else reads from the replica, unless the replica's store knows it is down: then
//! reads go to the primary at once, and back to the replica as soon as its store's probe
//! reconnects. A read that finds the replica gone (before its store knows), or that the
//! replica cancelled to replay the primary's changes (a recovery conflict), runs once more on
//! the primary.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dashmap::DashMap;
use insights_store::{OutageKind, Store, StoreError};

use crate::shared::SharedTier;

/// Chooses the store each read goes to.
pub(crate) struct ReadRouting {
    primary: Store,
    replica: Option<Store>,
    /// How long after a write a user's reads stay on the primary.
    stickiness: Duration,
    last_write: DashMap<Arc<str>, Instant>,
    /// Other instances' writes, when a shared tier connects the instances.
    shared: Option<SharedTier>,
}

impl ReadRouting {
    pub(crate) fn new(
        primary: Store,
        replica: Option<Store>,
        stickiness: Duration,
        shared: Option<SharedTier>,
    ) -> Self {
        Self {
            primary,
            replica,
            stickiness,
            last_write: DashMap::new(),
            shared,
        }
    }

    pub(crate) fn primary(&self) -> &Store {
        &self.primary
    }

    /// The replica, if `user`'s reads should go to it; `None` for the primary.
    fn replica_for(&self, user: &str) -> Option<&Store> {
        let replica = self.replica.as_ref()?;
        if replica.is_down() {
            return None;
        }
        if let Some(at) = self.last_write.get(user)
            && at.elapsed() < self.stickiness
        {
            return None;
        }
        let written_elsewhere = self
            .shared
            .as_ref()
            .and_then(|tier| tier.last_write(user))
            .is_some_and(|age| age < self.stickiness);
        (!written_elsewhere).then_some(replica)
    }

    /// Runs `read` on the store for `user`'s reads. A read the replica could not serve because
    /// it is gone (found down by this read, or its connection lost) runs once more on the
    /// primary: a replica's outage costs its users no error, even before the replica's store
    /// has noticed it (after which reads go to the primary directly). So does a read the
    /// replica cancelled in a recovery conflict (it held back the replay of the primary's
    /// changes): the primary has no such conflict. A replica whose pool is exhausted is not
    /// relieved so: its overload would move onto the primary's pool, which writes need.
    pub(crate) async fn read<'s, T, Fut>(
        &'s self,
        user: &str,
        read: impl Fn(&'s Store) -> Fut,
    ) -> Result<T, StoreError>
    where
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let Some(replica) = self.replica_for(user) else {
            return read(&self.primary).await;
        };
        match read(replica).await {
            Err(StoreError::Unavailable(outage)) if primary_can_serve(outage.kind()) => {
                // Bounded: once the replica is known down, reads skip it; lost connections
                // are at most those open; conflicts as many as the standby's replay causes.
                tracing::warn!(%outage, "a replica read failed; reading from the primary");
                read(&self.primary).await
            }
            result => result,
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

    pub(crate) fn replica(&self) -> Option<&Store> {
        self.replica.as_ref()
    }
}

/// Whether a replica read failed for a reason the primary does not share: the replica is gone,
/// or (a serialization failure, on a standby) its replay cancelled the read. Not when the
/// replica is merely busy.
fn primary_can_serve(kind: &OutageKind) -> bool {
    matches!(
        kind,
        OutageKind::Down { .. }
            | OutageKind::Connect
            | OutageKind::ConnectionLost
            | OutageKind::SerializationFailure
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_replica_gone_or_in_conflict_sends_the_read_to_the_primary() {
        for kind in [
            OutageKind::Down {
                last_error: "refused".into(),
            },
            OutageKind::Connect,
            OutageKind::ConnectionLost,
            OutageKind::SerializationFailure,
        ] {
            assert!(primary_can_serve(&kind), "{kind}");
        }
        // A busy replica keeps its load: the primary's pool is for writes too.
        for kind in [
            OutageKind::PoolTimeout,
            OutageKind::Busy,
            OutageKind::BrokenTransaction,
        ] {
            assert!(!primary_can_serve(&kind), "{kind}");
        }
    }
}

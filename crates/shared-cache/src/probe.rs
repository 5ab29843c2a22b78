//! The background probe: while the tier is not healthy, PING Redis with backoff until it
//! answers; then deliver the invalidations that could not be sent meanwhile. Callers never wait for a dead Redis (the tier answers them locally while
//! unhealthy), so this task is what brings the tier back.

use std::sync::{Arc, Weak};

use crate::backoff::Backoff;
use crate::health::HealthState;
use crate::tier::TierInner;

/// Spawns the probe on the tier's runtime. It holds only a weak reference to the tier and
/// ends once the last [`SharedTier`](crate::SharedTier) clone is dropped.
pub(crate) fn start(inner: &Arc<TierInner>) {
    let backoff = Backoff::new(inner.config.retry_min_delay, inner.config.retry_max_delay);
    let task = run(Arc::downgrade(inner), Arc::clone(&inner.health), backoff);
    // Detached on purpose: its lifetime is the tier's, not a handle's.
    drop(inner.runtime.spawn(task));
}

async fn run(tier: Weak<TierInner>, health: Arc<HealthState>, mut backoff: Backoff) {
    loop {
        let Some(inner) = tier.upgrade() else {
            return;
        };
        if inner.health.is_healthy() && inner.pending.len() == 0 {
            // Not holding the tier while idle, so dropping the tier can end this task.
            drop(inner);
            health.probe_wakeup.notified().await;
            continue;
        }
        let answered = inner.health.is_healthy() || inner.ping().await;
        // Undelivered invalidations go first once Redis answers: until they are delivered,
        // other instances may serve the users' older answers.
        let done = answered && inner.deliver_pending().await;
        drop(inner);
        if done {
            backoff.reset();
        } else {
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }
}

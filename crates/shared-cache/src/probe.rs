//! The background probe: while the tier is not healthy, PING Redis with backoff until it
//! answers. Callers never wait for a dead Redis (the tier answers them locally while
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
        if inner.health.is_healthy() {
            // Not holding the tier while idle, so dropping the tier can end this task.
            drop(inner);
            health.probe_wakeup.notified().await;
            continue;
        }
        let answered = inner.ping().await;
        drop(inner);
        if answered {
            backoff.reset();
        } else {
            tokio::time::sleep(backoff.next_delay()).await;
        }
    }
}

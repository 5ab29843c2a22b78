//! Counters, the healthy / unhealthy state, and the [`TierHealth`] snapshot.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use tokio::sync::Notify;

/// A snapshot of the tier's state and counters, for `/metrics` and `/readyz`.
///
/// Counters only grow. Every call to [`SharedTier`](crate::SharedTier) that did not reach
/// Redis lands in exactly one of `errors`, `timeouts` or `skipped_unhealthy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierHealth {
    /// The last call (or background probe) reached Redis and got an answer. `false` before the
    /// first successful call and from any error or timeout until a later call succeeds.
    pub healthy: bool,
    /// Reads that found a value.
    pub hits: u64,
    /// Reads that Redis answered without a value (absent, expired, other generation or format).
    pub misses: u64,
    /// Values stored.
    pub stores: u64,
    /// Values not sent because they exceeded `max_value_bytes`.
    pub oversized_skipped: u64,
    /// Fills not stored because the user was invalidated after the ticket was issued, or the
    /// ticket was older than the TTL.
    pub stale_fills_discarded: u64,
    /// Calls that failed with a Redis or connection error.
    pub errors: u64,
    /// Calls that did not finish within `op_timeout` (or `connect_timeout` for probes).
    pub timeouts: u64,
    /// Calls answered locally (miss / no-op) without contacting Redis because the tier was
    /// unhealthy; the background probe decides when to resume.
    pub skipped_unhealthy: u64,
    /// Invalidations that reached Redis (generation bumped and message published).
    pub invalidations_sent: u64,
    /// Invalidations that could not be sent when made (kept, and delivered by the probe once
    /// Redis answers again).
    pub invalidations_delayed: u64,
    /// Invalidations still waiting for delivery (a gauge).
    pub invalidations_pending: u64,
    /// Invalidation messages delivered to a subscriber's callback.
    pub invalidations_received: u64,
    /// Times the data connection came back after having been unhealthy.
    pub reconnects: u64,
    /// Subscribers of this tier currently connected and listening (normally 0 or 1).
    pub subscribers_connected: u64,
    /// Times a subscriber connected again after losing its connection.
    pub subscriber_reconnects: u64,
}

const CONNECTING: u8 = 0;
const HEALTHY: u8 = 1;
const UNHEALTHY: u8 = 2;

/// Shared counters and state of one tier (all clones and its subscribers).
#[derive(Debug, Default)]
pub(crate) struct HealthState {
    state: AtomicU8,
    /// Wakes the background probe when the tier becomes unhealthy (or is dropped).
    pub(crate) probe_wakeup: Notify,
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) stores: AtomicU64,
    pub(crate) oversized_skipped: AtomicU64,
    pub(crate) stale_fills_discarded: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) timeouts: AtomicU64,
    pub(crate) skipped_unhealthy: AtomicU64,
    pub(crate) invalidations_sent: AtomicU64,
    pub(crate) invalidations_delayed: AtomicU64,
    pub(crate) invalidations_received: AtomicU64,
    pub(crate) reconnects: AtomicU64,
    pub(crate) subscribers_connected: AtomicU64,
    pub(crate) subscriber_reconnects: AtomicU64,
}

/// Adds one to a counter. Relaxed: counters are statistics, nothing is ordered by them.
pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl HealthState {
    /// Whether calls should go to Redis. While connecting they do (the first call may be the
    /// one that connects); while unhealthy they don't, so a dead or black-holed Redis costs
    /// callers nothing instead of `op_timeout` per call.
    pub(crate) fn admits_calls(&self) -> bool {
        matches!(self.state.load(Ordering::Acquire), CONNECTING | HEALTHY)
    }

    pub(crate) fn is_healthy(&self) -> bool {
        self.state.load(Ordering::Acquire) == HEALTHY
    }

    pub(crate) fn mark_success(&self) {
        if self.state.swap(HEALTHY, Ordering::AcqRel) == UNHEALTHY {
            bump(&self.reconnects);
            tracing::info!("shared cache tier: Redis reachable again");
        }
    }

    pub(crate) fn mark_failure(&self) {
        if self.state.swap(UNHEALTHY, Ordering::AcqRel) != UNHEALTHY {
            tracing::warn!("shared cache tier: Redis unreachable, serving without it");
            // A stored permit if the probe is busy: it re-checks the state before sleeping.
            self.probe_wakeup.notify_one();
        }
    }

    pub(crate) fn snapshot(&self) -> TierHealth {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        TierHealth {
            healthy: self.is_healthy(),
            hits: read(&self.hits),
            misses: read(&self.misses),
            stores: read(&self.stores),
            oversized_skipped: read(&self.oversized_skipped),
            stale_fills_discarded: read(&self.stale_fills_discarded),
            errors: read(&self.errors),
            timeouts: read(&self.timeouts),
            skipped_unhealthy: read(&self.skipped_unhealthy),
            invalidations_sent: read(&self.invalidations_sent),
            invalidations_delayed: read(&self.invalidations_delayed),
            invalidations_pending: 0,
            invalidations_received: read(&self.invalidations_received),
            reconnects: read(&self.reconnects),
            subscribers_connected: read(&self.subscribers_connected),
            subscriber_reconnects: read(&self.subscriber_reconnects),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_connecting_admits_calls_and_is_not_healthy() {
        let state = HealthState::default();
        assert!(state.admits_calls());
        assert!(!state.is_healthy());
    }

    #[test]
    fn failure_blocks_calls_until_success_which_counts_a_reconnect() {
        let state = HealthState::default();
        state.mark_success();
        assert_eq!(
            state.snapshot().reconnects,
            0,
            "first connection is not a reconnect"
        );
        state.mark_failure();
        assert!(!state.admits_calls());
        state.mark_success();
        assert!(state.is_healthy());
        assert_eq!(state.snapshot().reconnects, 1);
    }
}

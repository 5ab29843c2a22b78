//! What the map stores per key.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::tags::{TagStamps, stamps_are_current};

/// One cached value with its deadline, weight, tag stamps and CLOCK reference bit.
pub(crate) struct Entry<V> {
    pub(crate) value: V,
    /// Identifies this key's residency in the eviction ring: kept across overwrites of the key,
    /// new after the key was removed and inserted again, so an outdated ring slot can tell.
    pub(crate) id: u64,
    /// Clock reading (nanoseconds) from which the entry is expired.
    pub(crate) expires_at: u64,
    pub(crate) weight: u64,
    pub(crate) tags: TagStamps,
    /// Set on every hit, cleared by the eviction hand: the entry's "second chance".
    pub(crate) referenced: AtomicBool,
}

/// Why a stored entry may no longer be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Liveness {
    Live,
    Expired,
    Invalidated,
}

impl<V> Entry<V> {
    pub(crate) fn liveness(&self, now: u64) -> Liveness {
        if now >= self.expires_at {
            Liveness::Expired
        } else if !stamps_are_current(&self.tags) {
            Liveness::Invalidated
        } else {
            Liveness::Live
        }
    }

    pub(crate) fn is_live(&self, now: u64) -> bool {
        self.liveness(now) == Liveness::Live
    }

    /// Marks a hit. Reads first so that hot entries do not keep writing a shared cache line.
    pub(crate) fn touch(&self) {
        if !self.referenced.load(Ordering::Relaxed) {
            self.referenced.store(true, Ordering::Relaxed);
        }
    }
}

//! Cheap counters: relaxed atomics, striped across cache lines for the hot ones so that
//! threads reading the cache at the same time do not fight over one line.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

const STRIPES: usize = 8;

/// One counter in its own 128-byte slot: 128 covers the adjacent-line prefetcher on x86.
#[repr(align(128))]
#[derive(Default)]
struct PaddedCounter(AtomicU64);

/// A counter split into stripes; each thread adds to its own stripe, a read sums them.
#[derive(Default)]
pub(crate) struct StripedCounter {
    stripes: [PaddedCounter; STRIPES],
}

impl StripedCounter {
    pub(crate) fn increment(&self) {
        self.stripes[stripe_index()]
            .0
            .fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn sum(&self) -> u64 {
        self.stripes
            .iter()
            .map(|s| s.0.load(Ordering::Relaxed))
            .fold(0u64, u64::wrapping_add)
    }
}

fn stripe_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
    }
    STRIPE.with(|s| {
        let mut i = s.get();
        if i == usize::MAX {
            i = NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES;
            s.set(i);
        }
        i
    })
}

/// A counter touched only on slower paths (loads, evictions...).
#[derive(Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn increment(&self) {
        self.add(1);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The live counters of one cache.
#[derive(Default)]
pub(crate) struct StatsCounters {
    pub(crate) hits: StripedCounter,
    pub(crate) misses: StripedCounter,
    pub(crate) loads: Counter,
    pub(crate) load_errors: Counter,
    pub(crate) coalesced_waits: Counter,
    pub(crate) discarded_loads: Counter,
    pub(crate) refused_over_share: Counter,
    pub(crate) inserts: Counter,
    pub(crate) evictions: Counter,
    pub(crate) expirations: Counter,
    pub(crate) invalidations: Counter,
    pub(crate) invalidated_entries: Counter,
}

/// A snapshot of a cache's counters, from [`TtlCache::stats`](crate::TtlCache::stats).
///
/// Counters are read one by one without a common lock, so under concurrent traffic the
/// figures can be a few operations apart from each other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found a live entry (`get` and the fast path of the loading methods).
    pub hits: u64,
    /// Lookups that found nothing live.
    pub misses: u64,
    /// Loader calls actually run (one per single-flight, plus takeovers after a cancelled leader).
    pub loads: u64,
    /// Loader calls that returned an error (not cached; shared with every waiter).
    pub load_errors: u64,
    /// Callers that waited for another caller's load instead of running their own.
    pub coalesced_waits: u64,
    /// Successful loads whose value was returned but not stored: the key or one of its tags
    /// was invalidated (or the cache cleared) while the load was in flight, or the value alone
    /// weighed more than the weight bound.
    pub discarded_loads: u64,
    /// Values not stored because their owner's entries already held its share (see
    /// [`CacheBuilder::per_owner_bound`](crate::CacheBuilder::per_owner_bound)).
    pub refused_over_share: u64,
    /// Values stored by `insert*` or by a successful load.
    pub inserts: u64,
    /// Live entries removed to respect the capacity bound.
    pub evictions: u64,
    /// Entries reclaimed because their TTL had passed (on read, by the write-time sweep or by
    /// [`TtlCache::purge_expired`](crate::TtlCache::purge_expired)).
    pub expirations: u64,
    /// Invalidation requests: `invalidate_tag`, `remove` and `clear` calls.
    pub invalidations: u64,
    /// Entries dropped because of an invalidation: removed by key, by `clear`, or found
    /// carrying an outdated tag generation (counted when that entry is reclaimed, which is lazy).
    pub invalidated_entries: u64,
    /// Entries in the cache now (may include expired or invalidated entries not yet reclaimed).
    pub entries: u64,
    /// Sum of the weights of the entries now in the cache (equals `entries` without a weigher).
    pub weight: u64,
}

impl CacheStats {
    /// `hits / (hits + misses)`, or 0 before the first lookup.
    #[must_use]
    pub fn hit_ratio(&self) -> f64 {
        let total = self.hits.saturating_add(self.misses);
        if total == 0 {
            0.0
        } else {
            // Precision loss above 2^53 lookups is irrelevant for a ratio.
            #[allow(clippy::cast_precision_loss)]
            let ratio = self.hits as f64 / total as f64;
            ratio
        }
    }
}

//! Shared builders and waiting helpers (no sleeps: waiting is yielding until a counter moves).

use std::sync::Arc;
use std::time::Duration;

use insights_ttl_cache::{CacheStats, ManualClock, TtlCache};

pub const TTL: Duration = Duration::from_secs(60);

pub fn cache_with_clock(max_entries: usize) -> (TtlCache<u64, u64>, ManualClock) {
    let clock = ManualClock::new();
    let cache = TtlCache::builder(max_entries, TTL)
        .clock(clock.clone())
        .build()
        .expect("valid configuration");
    (cache, clock)
}

pub fn shared_cache(max_entries: usize) -> (Arc<TtlCache<u64, u64>>, ManualClock) {
    let (cache, clock) = cache_with_clock(max_entries);
    (Arc::new(cache), clock)
}

/// Yields to the runtime until `done(stats)` holds (bounded, so a bug fails instead of hanging).
pub async fn yield_until<K, V>(cache: &TtlCache<K, V>, done: impl Fn(&CacheStats) -> bool)
where
    K: std::hash::Hash + Eq + Clone,
    V: Clone,
{
    for _ in 0..1_000_000 {
        if done(&cache.stats()) {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("condition not reached; stats: {:?}", cache.stats());
}

pub fn tag(name: &str) -> Arc<str> {
    Arc::from(name)
}

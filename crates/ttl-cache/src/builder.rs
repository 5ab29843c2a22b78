//! Configuration of a [`TtlCache`].

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;
use std::time::Duration;

use crate::cache::TtlCache;
use crate::clock::{Clock, MonotonicClock};
use crate::error::ConfigError;

/// Computes the weight of an entry for the optional weight bound (for example its size in bytes).
pub type Weigher<K, V> = Arc<dyn Fn(&K, &V) -> u64 + Send + Sync>;

/// Builds a [`TtlCache`]; start from [`TtlCache::builder`].
pub struct CacheBuilder<K, V, T = Arc<str>, S = RandomState> {
    pub(crate) max_entries: usize,
    pub(crate) default_ttl: Duration,
    pub(crate) weight_bound: Option<(u64, Weigher<K, V>)>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) hasher: S,
    pub(crate) _tag: std::marker::PhantomData<fn() -> T>,
}

impl<K, V, T> CacheBuilder<K, V, T, RandomState> {
    pub(crate) fn new(max_entries: usize, default_ttl: Duration) -> Self {
        Self {
            max_entries,
            default_ttl,
            weight_bound: None,
            clock: Arc::new(MonotonicClock::new()),
            hasher: RandomState::new(),
            _tag: std::marker::PhantomData,
        }
    }
}

impl<K, V, T, S> CacheBuilder<K, V, T, S> {
    /// Also bounds the sum of entry weights by `max_weight`; an entry heavier than
    /// `max_weight` on its own is not stored.
    #[must_use]
    pub fn weigher(
        mut self,
        max_weight: u64,
        weigher: impl Fn(&K, &V) -> u64 + Send + Sync + 'static,
    ) -> Self {
        self.weight_bound = Some((max_weight, Arc::new(weigher)));
        self
    }

    /// Replaces the time source (tests pass a [`ManualClock`](crate::ManualClock)).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces the hasher of the internal maps (the default is std's DoS-resistant `RandomState`).
    #[must_use]
    pub fn hasher<S2>(self, hasher: S2) -> CacheBuilder<K, V, T, S2> {
        CacheBuilder {
            max_entries: self.max_entries,
            default_ttl: self.default_ttl,
            weight_bound: self.weight_bound,
            clock: self.clock,
            hasher,
            _tag: std::marker::PhantomData,
        }
    }

    /// Checks the configuration and builds the cache.
    ///
    /// # Errors
    /// [`ConfigError`] when `max_entries`, the default TTL or `max_weight` is zero.
    pub fn build(self) -> Result<TtlCache<K, V, T, S>, ConfigError>
    where
        K: Hash + Eq + Clone,
        V: Clone,
        T: Hash + Eq + Clone,
        S: BuildHasher + Clone,
    {
        if self.max_entries == 0 {
            return Err(ConfigError::ZeroCapacity);
        }
        if self.default_ttl.is_zero() {
            return Err(ConfigError::ZeroTtl);
        }
        if matches!(self.weight_bound, Some((0, _))) {
            return Err(ConfigError::ZeroWeight);
        }
        Ok(TtlCache::from_builder(self))
    }
}

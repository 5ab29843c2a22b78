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

/// The most one owner's entries may hold (see [`CacheBuilder::per_owner_bound`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerShare {
    /// Most live entries of one owner.
    pub max_entries: usize,
    /// Largest total weight of one owner's live entries.
    pub max_weight: u64,
}

/// Builds a [`TtlCache`]; start from [`TtlCache::builder`].
pub struct CacheBuilder<K, V, T = Arc<str>, S = RandomState> {
    pub(crate) max_entries: usize,
    pub(crate) default_ttl: Duration,
    pub(crate) weight_bound: Option<(u64, Weigher<K, V>)>,
    pub(crate) owner_share: Option<OwnerShare>,
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
            owner_share: None,
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

    /// Bounds what the entries of one *owner* may hold: an entry's owner is its first tag, and
    /// the live entries of one owner may number at most `max_entries` and weigh at most
    /// `max_weight` together (weights as given by the [`weigher`](Self::weigher), 1 each
    /// without one). A value that would pass its owner's share is returned to its caller but
    /// not stored, so one owner (a user, a tenant) flooding the cache with distinct keys
    /// evicts at most its share of everybody else's entries. Invalidating the owner tag frees
    /// its share at once. Entries without tags have no owner and no share.
    #[must_use]
    pub fn per_owner_bound(mut self, max_entries: usize, max_weight: u64) -> Self {
        self.owner_share = Some(OwnerShare {
            max_entries,
            max_weight,
        });
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
            owner_share: self.owner_share,
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
        if self
            .owner_share
            .is_some_and(|s| s.max_entries == 0 || s.max_weight == 0)
        {
            return Err(ConfigError::ZeroOwnerShare);
        }
        Ok(TtlCache::from_builder(self))
    }
}

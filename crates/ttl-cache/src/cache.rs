//! The cache itself: lookups, inserts, invalidation, statistics.

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use dashmap::DashMap;
use dashmap::mapref::entry::Entry as MapEntry;

use crate::builder::{CacheBuilder, OwnerShare, Weigher};
use crate::clock::{Clock, duration_to_nanos};
use crate::entry::{Entry, Liveness};
use crate::error::ConfigError;
use crate::eviction::Slot;
use crate::flight::Flight;
use crate::stats::{CacheStats, StatsCounters};
use crate::tags::{TagRegistry, TagStamps};

/// Tag counters are only cleaned up in bulk once there are at least this many.
const MIN_TAG_CLEANUP: usize = 1024;

/// A bounded, concurrent `K -> V` cache with TTLs, tag invalidation and single-flight loading.
///
/// * `K`: key, cloned once per stored entry (into the eviction ring); prefer cheap clones.
/// * `V`: value, cloned on every hit; use `Arc<…>` or `bytes::Bytes`-like types.
/// * `T`: tag type for [`invalidate_tag`](Self::invalidate_tag), by default `Arc<str>`.
/// * `S`: hasher of the internal maps.
///
/// Share it between tasks behind an `Arc`. See the crate docs for the semantics.
pub struct TtlCache<K, V, T = Arc<str>, S = RandomState> {
    pub(crate) map: DashMap<K, Entry<V>, S>,
    pub(crate) flights: DashMap<K, Arc<Flight<V>>, S>,
    pub(crate) tags: TagRegistry<T, S>,
    /// CLOCK ring: keys in insertion order; the front is under the hand.
    pub(crate) ring: Mutex<VecDeque<Slot<K>>>,
    pub(crate) clock: Arc<dyn Clock>,
    weigher: Option<Weigher<K, V>>,
    owner_share: Option<OwnerShare>,
    default_ttl: u64,
    pub(crate) max_entries: usize,
    pub(crate) max_weight: u64,
    /// Kept by hand: `DashMap::len` would lock every shard.
    pub(crate) entries: AtomicUsize,
    pub(crate) weight: AtomicU64,
    next_id: AtomicU64,
    /// Bumped by `clear`, so that loads started before it do not store their result.
    pub(crate) clear_epoch: AtomicU64,
    pub(crate) stats: StatsCounters,
}

impl<K, V> TtlCache<K, V>
where
    K: Hash + Eq + Clone,
    V: Clone,
{
    /// A cache of at most `max_entries` entries that live `default_ttl` unless told otherwise.
    ///
    /// # Errors
    /// [`ConfigError`] when `max_entries` or `default_ttl` is zero.
    pub fn new(max_entries: usize, default_ttl: Duration) -> Result<Self, ConfigError> {
        Self::builder(max_entries, default_ttl).build()
    }
}

impl<K, V, T> TtlCache<K, V, T> {
    /// Starts a configuration with the two settings every cache needs.
    #[must_use]
    pub fn builder(max_entries: usize, default_ttl: Duration) -> CacheBuilder<K, V, T> {
        CacheBuilder::new(max_entries, default_ttl)
    }
}

impl<K, V, T, S> TtlCache<K, V, T, S>
where
    K: Hash + Eq + Clone,
    V: Clone,
    T: Hash + Eq + Clone,
    S: BuildHasher + Clone,
{
    pub(crate) fn from_builder(builder: CacheBuilder<K, V, T, S>) -> Self {
        let (max_weight, weigher) = match builder.weight_bound {
            Some((max, weigher)) => (max, Some(weigher)),
            None => (u64::MAX, None),
        };
        Self {
            map: DashMap::with_hasher(builder.hasher.clone()),
            flights: DashMap::with_hasher(builder.hasher.clone()),
            tags: TagRegistry::new(
                builder.hasher,
                MIN_TAG_CLEANUP.max(builder.max_entries.saturating_mul(2)),
            ),
            ring: Mutex::new(VecDeque::new()),
            clock: builder.clock,
            weigher,
            owner_share: builder.owner_share,
            default_ttl: duration_to_nanos(builder.default_ttl),
            max_entries: builder.max_entries,
            max_weight,
            entries: AtomicUsize::new(0),
            weight: AtomicU64::new(0),
            next_id: AtomicU64::new(0),
            clear_epoch: AtomicU64::new(0),
            stats: StatsCounters::default(),
        }
    }

    /// The live value for `key`, if any. Counts a hit or a miss.
    ///
    /// An entry found expired or invalidated is removed on the spot.
    pub fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.lookup(key);
        if found.is_some() {
            self.stats.hits.increment();
        } else {
            self.stats.misses.increment();
        }
        found
    }

    /// Like [`get`](Self::get) without touching the statistics.
    pub(crate) fn lookup<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.clock.now_nanos();
        let entry = self.map.get(key)?;
        if entry.is_live(now) {
            entry.touch();
            return Some(entry.value.clone());
        }
        drop(entry);
        self.reclaim_if_dead(key, now);
        None
    }

    /// True when `key` has a live entry. Does not count as a hit or miss, nor as a reference.
    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let now = self.clock.now_nanos();
        self.map.get(key).is_some_and(|e| e.is_live(now))
    }

    /// Stores `value` under `key` with the default TTL, replacing any previous value.
    ///
    /// `tags` are the groups the entry belongs to, for [`invalidate_tag`](Self::invalidate_tag).
    pub fn insert(&self, key: K, value: V, tags: &[T]) {
        self.insert_with_ttl(key, value, Duration::from_nanos(self.default_ttl), tags);
    }

    /// Stores `value` under `key` for `ttl` (a zero TTL stores nothing and removes the old value).
    pub fn insert_with_ttl(&self, key: K, value: V, ttl: Duration, tags: &[T]) {
        let stamps = self.tags.stamp(tags);
        if ttl.is_zero() {
            self.remove_entry(&key);
            return;
        }
        self.store(key, value, duration_to_nanos(ttl), stamps, None);
    }

    /// Stores an entry unless `flight` (the load that produced the value) was invalidated.
    /// Returns whether it was stored.
    pub(crate) fn store(
        &self,
        key: K,
        value: V,
        ttl: u64,
        stamps: TagStamps,
        flight: Option<&Flight<V>>,
    ) -> bool {
        let weight = self.weigher.as_ref().map_or(1, |w| w(&key, &value));
        if weight > self.max_weight {
            self.remove_entry(&key);
            return false;
        }
        let now = self.clock.now_nanos();
        let mut entry = Entry {
            value,
            id: 0,
            expires_at: now.saturating_add(ttl),
            weight,
            tags: stamps,
            referenced: AtomicBool::new(false),
        };
        let ring_key = key.clone();
        let new_id = match self.map.entry(key) {
            MapEntry::Occupied(mut occupied) => {
                // Checked under the shard lock that `remove` also takes: see `Flight::is_current`.
                if flight.is_some_and(|f| !self.flight_is_current(f)) {
                    return false;
                }
                // The old value leaves its owner's share before the new one is admitted.
                self.release(occupied.get());
                if !self.admit(&entry) {
                    // The caller meant to replace the value: the old one must not outlive it.
                    let old = occupied.remove();
                    self.entries.fetch_sub(1, Ordering::SeqCst);
                    self.weight.fetch_sub(old.weight, Ordering::SeqCst);
                    return false;
                }
                entry.id = occupied.get().id;
                // An overwrite counts as a use: the key keeps its ring slot and gets a second chance.
                entry.referenced.store(true, Ordering::Relaxed);
                let old = occupied.insert(entry);
                self.replace_weight(old.weight, weight);
                None
            }
            MapEntry::Vacant(vacant) => {
                if flight.is_some_and(|f| !self.flight_is_current(f)) {
                    return false;
                }
                if !self.admit(&entry) {
                    return false;
                }
                let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                entry.id = id;
                vacant.insert(entry);
                self.entries.fetch_add(1, Ordering::SeqCst);
                self.weight.fetch_add(weight, Ordering::SeqCst);
                Some(id)
            }
        };
        self.stats.inserts.increment();
        // The shard lock is released here: the ring lock is always taken first, never inside.
        self.after_store(ring_key, new_id, now);
        true
    }

    pub(crate) fn flight_is_current(&self, flight: &Flight<V>) -> bool {
        flight.is_current(self.clear_epoch.load(Ordering::SeqCst))
    }

    fn replace_weight(&self, old: u64, new: u64) {
        if new >= old {
            self.weight.fetch_add(new - old, Ordering::SeqCst);
        } else {
            self.weight.fetch_sub(old - new, Ordering::SeqCst);
        }
    }

    /// Bookkeeping for an entry that left the map.
    pub(crate) fn account_removed(&self, entry: &Entry<V>) {
        self.entries.fetch_sub(1, Ordering::SeqCst);
        self.weight.fetch_sub(entry.weight, Ordering::SeqCst);
        self.release(entry);
    }

    /// Takes room for `entry` in its owner's share (its first tag), if the cache has a
    /// per-owner bound. Called under the entry's shard lock; the owner's lock nests inside it,
    /// never the other way round.
    fn admit(&self, entry: &Entry<V>) -> bool {
        let (Some(share), Some(owner)) = (self.owner_share, entry.tags.first()) else {
            return true;
        };
        let admitted = owner.admit(entry.weight, share);
        if !admitted {
            self.stats.refused_over_share.increment();
        }
        admitted
    }

    /// Gives back `entry`'s room in its owner's share.
    fn release(&self, entry: &Entry<V>) {
        if let (Some(_), Some(owner)) = (self.owner_share, entry.tags.first()) {
            owner.release(entry.weight);
        }
    }

    /// Counts why a dead entry was reclaimed.
    pub(crate) fn count_dead(&self, liveness: Liveness) {
        match liveness {
            Liveness::Expired => self.stats.expirations.increment(),
            Liveness::Invalidated => self.stats.invalidated_entries.increment(),
            Liveness::Live => {}
        }
    }

    /// Removes `key`'s entry if it is (still) dead at `now`.
    fn reclaim_if_dead<Q>(&self, key: &Q, now: u64)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some((_, entry)) = self.map.remove_if(key, |_, e| !e.is_live(now)) {
            self.account_removed(&entry);
            self.count_dead(entry.liveness(now));
        }
    }

    fn remove_entry<Q>(&self, key: &Q) -> Option<Entry<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (_, entry) = self.map.remove(key)?;
        self.account_removed(&entry);
        Some(entry)
    }

    /// Removes `key`, returning its value if it was live. A load of `key` in flight at the
    /// time will not store its result (see the crate docs).
    pub fn remove<Q>(&self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.stats.invalidations.increment();
        // Flag the flight before taking the entry's shard lock: a leader storing after our
        // removal then sees the flag under that lock (see `store`).
        if let Some(flight) = self.flights.get(key) {
            flight.invalidate_key();
        }
        let now = self.clock.now_nanos();
        let entry = self.remove_entry(key)?;
        if entry.is_live(now) {
            self.stats.invalidated_entries.increment();
            Some(entry.value)
        } else {
            self.count_dead(entry.liveness(now));
            None
        }
    }

    /// Makes every entry tagged with `tag` unreachable at once, in O(1) (entries are not visited;
    /// they are reclaimed lazily). Loads in flight that carry the tag will not store their result,
    /// and new callers do not join them. Returns whether the tag was known to the cache.
    pub fn invalidate_tag<Q>(&self, tag: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.stats.invalidations.increment();
        self.tags.invalidate(tag)
    }

    /// Removes every entry. Loads in flight will not store their result.
    pub fn clear(&self) {
        self.stats.invalidations.increment();
        self.clear_epoch.fetch_add(1, Ordering::SeqCst);
        let mut ring = self.lock_ring();
        let mut removed = 0u64;
        self.map.retain(|_, entry| {
            self.account_removed(entry);
            removed += 1;
            false
        });
        self.stats.invalidated_entries.add(removed);
        ring.clear();
        drop(ring);
        self.tags.drop_unreferenced();
    }

    /// Reclaims every expired or invalidated entry now, in one O(n) pass, and drops tag counters
    /// nothing refers to. Returns the number of entries reclaimed.
    ///
    /// Not required for correctness (dead entries are never served) nor for the bound; call it
    /// from a timer if memory held by dead entries between writes matters.
    pub fn purge_expired(&self) -> usize {
        let now = self.clock.now_nanos();
        let mut reclaimed = 0usize;
        let mut ring = self.lock_ring();
        self.map.retain(|_, entry| {
            let liveness = entry.liveness(now);
            if liveness == Liveness::Live {
                return true;
            }
            self.account_removed(entry);
            self.count_dead(liveness);
            reclaimed += 1;
            false
        });
        self.compact_ring(&mut ring);
        drop(ring);
        self.tags.drop_unreferenced();
        reclaimed
    }

    /// Entries held now, including dead ones not reclaimed yet.
    pub fn len(&self) -> usize {
        self.entries.load(Ordering::SeqCst)
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry bound given at construction.
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> CacheStats {
        let s = &self.stats;
        CacheStats {
            hits: s.hits.sum(),
            misses: s.misses.sum(),
            loads: s.loads.get(),
            load_errors: s.load_errors.get(),
            coalesced_waits: s.coalesced_waits.get(),
            discarded_loads: s.discarded_loads.get(),
            refused_over_share: s.refused_over_share.get(),
            inserts: s.inserts.get(),
            evictions: s.evictions.get(),
            expirations: s.expirations.get(),
            invalidations: s.invalidations.get(),
            invalidated_entries: s.invalidated_entries.get(),
            entries: self.entries.load(Ordering::SeqCst) as u64,
            weight: self.weight.load(Ordering::SeqCst),
        }
    }

    /// Number of tag counters held (diagnostics: grows with distinct live tags only).
    pub fn tag_count(&self) -> usize {
        self.tags.len()
    }

    pub(crate) fn default_ttl_nanos(&self) -> u64 {
        self.default_ttl
    }

    pub(crate) fn lock_ring(&self) -> MutexGuard<'_, VecDeque<Slot<K>>> {
        // The ring holds no invariant a panic could break halfway: slots are only hints.
        self.ring.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K, V, T, S> std::fmt::Debug for TtlCache<K, V, T, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("entries", &self.entries.load(Ordering::Relaxed))
            .field("max_entries", &self.max_entries)
            .field("weight", &self.weight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

//! Capacity bound and expiry reclamation: a CLOCK (second-chance FIFO) ring of keys.
//!
//! New keys join the back of the ring. When the cache is over its bound, the hand takes the
//! front slot: a dead entry (expired or invalidated) is reclaimed; an entry hit since the hand
//! last passed (reference bit set) loses the bit and goes to the back; otherwise it is evicted.
//! Every write also moves the hand over a couple of slots, reclaiming dead entries without
//! evicting live ones, so expired entries are freed by the write traffic alone.
//!
//! A slot names a key and the id of its residency; a slot whose key was removed (or removed and
//! inserted again, which gets a new id and a new slot) is outdated and simply dropped.

use std::collections::VecDeque;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::Ordering;

use dashmap::mapref::entry::Entry as MapEntry;

use crate::cache::TtlCache;
use crate::entry::Liveness;

/// Slots the hand inspects on every write, beyond what eviction needs.
const SWEEP_PER_WRITE: usize = 2;

/// A key's place in the ring.
pub(crate) struct Slot<K> {
    key: K,
    id: u64,
}

impl<K, V, T, S> TtlCache<K, V, T, S>
where
    K: Hash + Eq + Clone,
    V: Clone,
    T: Hash + Eq + Clone,
    S: BuildHasher + Clone,
{
    /// Runs after every successful store, outside any shard lock. `new_id` is set when the key
    /// was not in the map before and therefore needs a ring slot.
    pub(crate) fn after_store(&self, key: K, new_id: Option<u64>, now: u64) {
        let mut ring = self.lock_ring();
        if let Some(id) = new_id {
            ring.push_back(Slot { key, id });
        }
        for _ in 0..SWEEP_PER_WRITE {
            self.advance_hand(&mut ring, now, None);
        }
        self.evict_to_bound(&mut ring, now);
        // Outdated slots are dropped as the hand passes; this catches the case of many removals
        // between evictions. It is O(ring) but runs only after the ring doubled past the bound.
        if ring.len() > self.max_entries.saturating_mul(2).saturating_add(64) {
            self.compact_ring(&mut ring);
        }
    }

    fn over_bound(&self) -> bool {
        self.entries.load(Ordering::SeqCst) > self.max_entries
            || self.weight.load(Ordering::SeqCst) > self.max_weight
    }

    fn evict_to_bound(&self, ring: &mut VecDeque<Slot<K>>, now: u64) {
        // Readers keep setting reference bits while the hand turns; after two full turns the
        // bits are ignored, so every step removes a slot and eviction terminates.
        let mut patience = ring.len().saturating_mul(2);
        while self.over_bound() && !ring.is_empty() {
            let honour_bits = patience > 0;
            patience = patience.saturating_sub(1);
            self.advance_hand(ring, now, Some(honour_bits));
        }
    }

    /// Looks at the front slot. Dead entries are reclaimed. With `evicting = Some(honour_bits)`
    /// a live entry is evicted unless it is referenced (and bits are honoured), in which case it
    /// loses its bit and goes to the back; with `None` live entries just go to the back.
    fn advance_hand(&self, ring: &mut VecDeque<Slot<K>>, now: u64, evicting: Option<bool>) {
        let Some(slot) = ring.pop_front() else {
            return;
        };
        let MapEntry::Occupied(occupied) = self.map.entry(slot.key) else {
            return;
        };
        let entry = occupied.get();
        if entry.id != slot.id {
            return;
        }
        let liveness = entry.liveness(now);
        if liveness != Liveness::Live {
            let (_, entry) = occupied.remove_entry();
            self.account_removed(&entry);
            self.count_dead(liveness);
            return;
        }
        let keep = match evicting {
            None => true,
            Some(honour_bits) => honour_bits && entry.referenced.swap(false, Ordering::Relaxed),
        };
        if keep {
            ring.push_back(Slot {
                key: occupied.key().clone(),
                id: slot.id,
            });
            return;
        }
        let (_, entry) = occupied.remove_entry();
        self.account_removed(&entry);
        self.stats.evictions.increment();
    }

    /// Drops outdated slots (keys no longer in the map under the slot's id).
    pub(crate) fn compact_ring(&self, ring: &mut VecDeque<Slot<K>>) {
        ring.retain(|slot| self.map.get(&slot.key).is_some_and(|e| e.id == slot.id));
    }
}

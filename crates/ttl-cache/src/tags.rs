//! Tag invalidation in O(1): every tag has a generation counter; entries remember the
//! generation of each of their tags at the time their value was produced. Invalidating a tag
//! bumps its counter, which makes every entry carrying an older generation stale at once,
//! without visiting those entries. Stale entries are reclaimed lazily (on read, by the
//! write-time sweep, or by a purge).

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use dashmap::DashMap;

use crate::builder::OwnerShare;

/// The generation counter of one tag, shared by the registry and every entry carrying the tag.
#[derive(Debug, Default)]
pub(crate) struct TagCell {
    generation: AtomicU64,
    /// What the live entries owned by this tag hold, for the per-owner bound. Only touched when
    /// a value is stored or removed (never on a hit), so a mutex costs nothing measurable.
    residency: Mutex<Residency>,
}

/// The entries owned by a tag in one generation. Entries of older generations are dead (their
/// stamps are outdated), so invalidating the tag empties the residency at once: it is reset the
/// next time a value is admitted, and removals of older entries no longer count.
#[derive(Debug, Default)]
struct Residency {
    generation: u64,
    entries: usize,
    weight: u64,
}

/// A tag as seen by one entry: the tag's counter and the generation it had when the entry's
/// value was produced (for a load: when the load started).
#[derive(Debug, Clone)]
pub(crate) struct TagStamp {
    cell: Arc<TagCell>,
    generation: u64,
}

impl TagStamp {
    fn is_current(&self) -> bool {
        // Acquire pairs with the Release bump: a reader that sees the new generation also sees
        // everything the invalidating thread wrote before invalidating.
        self.cell.generation.load(Ordering::Acquire) == self.generation
    }
}

impl TagStamp {
    /// Admits a value of `weight` owned by this stamp's tag if the owner's live entries leave
    /// room for it within `share`; the caller then stores it and later calls
    /// [`release`](Self::release) with the same weight. A stamp already outdated is refused:
    /// its value is dead on arrival.
    pub(crate) fn admit(&self, weight: u64, share: OwnerShare) -> bool {
        let mut residency = self
            .cell
            .residency
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let current = self.cell.generation.load(Ordering::Acquire);
        if self.generation != current {
            return false;
        }
        if residency.generation != current {
            *residency = Residency {
                generation: current,
                entries: 0,
                weight: 0,
            };
        }
        if residency.entries >= share.max_entries
            || residency.weight.saturating_add(weight) > share.max_weight
        {
            return false;
        }
        residency.entries += 1;
        residency.weight = residency.weight.saturating_add(weight);
        true
    }

    /// Gives back what [`admit`](Self::admit) took, unless the tag was invalidated since (then
    /// the residency was emptied already).
    pub(crate) fn release(&self, weight: u64) {
        let mut residency = self
            .cell
            .residency
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if residency.generation == self.generation {
            residency.entries = residency.entries.saturating_sub(1);
            residency.weight = residency.weight.saturating_sub(weight);
        }
    }
}

/// The stamps of one entry; empty for untagged entries, which keeps their check free.
pub(crate) type TagStamps = Box<[TagStamp]>;

/// True when none of the entry's tags was invalidated since the stamps were taken.
pub(crate) fn stamps_are_current(stamps: &[TagStamp]) -> bool {
    stamps.iter().all(TagStamp::is_current)
}

/// All tags that some entry or in-flight load refers to, with their generation counters.
pub(crate) struct TagRegistry<T, S> {
    cells: DashMap<T, Arc<TagCell>, S>,
    /// Number of cells, kept by hand because `DashMap::len` locks every shard.
    count: AtomicUsize,
    /// When `count` passes this, unreferenced cells are dropped; then it is reset to twice
    /// the survivors, so the O(tags) cleanup is paid for by the insertions that grew the map.
    cleanup_at: AtomicUsize,
    min_cleanup_at: usize,
}

impl<T, S> TagRegistry<T, S>
where
    T: Hash + Eq + Clone,
    S: BuildHasher + Clone,
{
    pub(crate) fn new(hasher: S, min_cleanup_at: usize) -> Self {
        Self {
            cells: DashMap::with_hasher(hasher),
            count: AtomicUsize::new(0),
            cleanup_at: AtomicUsize::new(min_cleanup_at),
            min_cleanup_at,
        }
    }

    /// Stamps for `tags` at their current generations, creating counters for new tags.
    pub(crate) fn stamp(&self, tags: &[T]) -> TagStamps {
        tags.iter().map(|tag| self.stamp_one(tag)).collect()
    }

    fn stamp_one(&self, tag: &T) -> TagStamp {
        let cell = if let Some(cell) = self.cells.get(tag) {
            Arc::clone(cell.value())
        } else {
            let mut created = false;
            let cell = Arc::clone(
                self.cells
                    .entry(tag.clone())
                    .or_insert_with(|| {
                        created = true;
                        Arc::default()
                    })
                    .value(),
            );
            if created {
                self.after_cell_created();
            }
            cell
        };
        let generation = cell.generation.load(Ordering::Acquire);
        TagStamp { cell, generation }
    }

    fn after_cell_created(&self) {
        let count = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        if count > self.cleanup_at.load(Ordering::Relaxed) {
            self.drop_unreferenced();
        }
    }

    /// Makes every entry stamped with `tag` stale. Returns whether the tag was known (an
    /// unknown tag has no entries and no loads in flight, so there is nothing to do).
    pub(crate) fn invalidate<Q>(&self, tag: &Q) -> bool
    where
        T: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let Some(cell) = self.cells.get(tag) else {
            return false;
        };
        cell.generation.fetch_add(1, Ordering::AcqRel);
        drop(cell);
        // Cells no entry refers to any more are dropped now rather than at the next cleanup.
        if self
            .cells
            .remove_if(tag, |_, cell| Arc::strong_count(cell) == 1)
            .is_some()
        {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        true
    }

    /// Drops the counters that no entry and no in-flight load refers to.
    ///
    /// Safe against concurrent stamping: a stamp clones the registry's `Arc` only while holding
    /// the shard lock that `retain` also holds, so a count of 1 seen under that lock stays 1.
    pub(crate) fn drop_unreferenced(&self) {
        let mut dropped = 0usize;
        self.cells.retain(|_, cell| {
            let keep = Arc::strong_count(cell) > 1;
            if !keep {
                dropped += 1;
            }
            keep
        });
        let remaining = self
            .count
            .fetch_sub(dropped, Ordering::Relaxed)
            .saturating_sub(dropped);
        self.cleanup_at.store(
            remaining.saturating_mul(2).max(self.min_cleanup_at),
            Ordering::Relaxed,
        );
    }

    /// Number of tag counters held (for tests and diagnostics).
    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

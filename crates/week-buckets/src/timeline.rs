//! The linear-time bucketing: every item placed in each week it overlaps, in one pass.

use std::collections::HashMap;
use std::hash::Hash;

use crate::{Span, Status, StatusCounts, StatusRule, WeekBucketsError, WeekSpan, WeekWindow};

/// One entry of a week: which input item (by index) and its status in that week.
///
/// Packed into 4 bytes (30-bit item index, 2-bit status) because writing the output is the
/// only part of the work that can grow to `n × weeks`; profiling showed those stores dominate,
/// and one 4-byte store per entry is half the traffic of an (index, status) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Presence(u32);

impl Presence {
    /// Largest number of items one timeline can index (2³⁰).
    pub const MAX_ITEMS: usize = 1 << 30;
    const INDEX_MASK: u32 = (1 << 30) - 1;

    /// `item < MAX_ITEMS` is checked by the builder before any entry is made.
    #[inline]
    const fn new(item: u32, status: Status) -> Self {
        let code = match status {
            Status::New => 0,
            Status::Existing => 1,
            Status::Disappeared => 2,
        };
        Self(item | (code << 30))
    }

    /// Index of the item in the input slice.
    pub const fn item_index(&self) -> usize {
        (self.0 & Self::INDEX_MASK) as usize
    }

    /// The item's status in this week.
    pub const fn status(&self) -> Status {
        match self.0 >> 30 {
            0 => Status::New,
            1 => Status::Existing,
            _ => Status::Disappeared,
        }
    }
}

/// Items bucketed into the weeks of a [`WeekWindow`], with per-week counts by status and by a
/// caller-supplied kind.
///
/// Built in `O(n + weeks × kinds + output)` time, where `output` is the number of
/// (week, item) entries — itself `Θ(Σ weeks each item is present in)`, which no algorithm that
/// lists entries can beat. See the crate docs for the argument.
///
/// `K` is the kind key (e.g. a pattern type); [`Timeline::build`] uses `()` when no kinds
/// are needed.
#[derive(Debug, Clone)]
pub struct Timeline<'a, T, K = ()> {
    window: WeekWindow,
    rule: StatusRule,
    items: &'a [T],
    buckets: Vec<Vec<Presence>>,
    status_counts: Vec<StatusCounts>,
    kinds: Vec<K>,
    /// `weeks × kinds.len()`, row-major by week.
    kind_counts: Vec<usize>,
    present_items: usize,
}

impl<'a, T> Timeline<'a, T> {
    /// Buckets `items` into the weeks of `window`; `span_of` gives each item's
    /// `[start, end]` instants.
    ///
    /// # Errors
    /// [`WeekBucketsError::TooManyItems`] for more than [`Presence::MAX_ITEMS`] (2³⁰) items.
    pub fn build(
        window: &WeekWindow,
        rule: StatusRule,
        items: &'a [T],
        span_of: impl Fn(&T) -> Span,
    ) -> Result<Self, WeekBucketsError> {
        Self::build_with_kinds(window, rule, items, span_of, |_| ())
    }
}

impl<'a, T, K: Eq + Hash + Clone> Timeline<'a, T, K> {
    /// As [`Timeline::build`], also counting per week how many present items have each kind
    /// (`kind_of` is called once per item inside the window, not once per entry).
    ///
    /// # Errors
    /// [`WeekBucketsError::TooManyItems`] for more than [`Presence::MAX_ITEMS`] (2³⁰) items.
    pub fn build_with_kinds(
        window: &WeekWindow,
        rule: StatusRule,
        items: &'a [T],
        span_of: impl Fn(&T) -> Span,
        kind_of: impl Fn(&T) -> K,
    ) -> Result<Self, WeekBucketsError> {
        if items.len() > Presence::MAX_ITEMS {
            return Err(WeekBucketsError::TooManyItems {
                len: items.len(),
                max: Presence::MAX_ITEMS,
            });
        }
        let weeks = window.weeks() as usize;
        let last_week = i64::from(window.weeks()) - 1;
        let mut buckets: Vec<Vec<Presence>> = bucket_sizes(window, items, &span_of)
            .into_iter()
            .map(Vec::with_capacity)
            .collect();
        let mut status_counts = vec![StatusCounts::default(); weeks];
        let mut kinds = KindInterner::default();
        // Per kind, a difference array over weeks: +1 at an item's first week, −1 after its
        // last. Prefix sums at the end give the counts in O(weeks × kinds) instead of one
        // increment per entry.
        let mut kind_deltas: Vec<Vec<i64>> = Vec::new();
        let mut present_items = 0;

        for (index, item) in items.iter().enumerate() {
            let span = span_of(item).normalized();
            let raw_first = window.raw_index(span.start_ms);
            let raw_last = window.raw_index(span.end_ms);
            if raw_last < 0 || raw_first > last_week {
                continue; // wholly before or after the window
            }
            present_items += 1;
            // Both clamped into [0, weeks − 1], so the casts are lossless.
            let first = raw_first.max(0) as usize;
            let last = raw_last.min(last_week) as usize;
            let starts_here = raw_first >= 0;
            let ends_here = raw_last <= last_week;
            let disappears = ends_here
                && match rule {
                    StatusRule::Fixed => raw_last != last_week,
                    StatusRule::Original => span.end_ms < window.anchor_ms(),
                };
            // Checked above: items.len() ≤ 2³⁰, so the index fits in 30 bits.
            let item_id = index as u32;

            // `new` wins over `disappeared` when the item starts and ends in the same week.
            let first_status = if starts_here {
                Status::New
            } else if disappears && first == last {
                Status::Disappeared
            } else {
                Status::Existing
            };
            buckets[first].push(Presence::new(item_id, first_status));
            for bucket in &mut buckets[first + 1..last.max(first + 1)] {
                bucket.push(Presence::new(item_id, Status::Existing));
            }
            if last > first {
                let status = if disappears {
                    Status::Disappeared
                } else {
                    Status::Existing
                };
                buckets[last].push(Presence::new(item_id, status));
                if disappears {
                    status_counts[last].disappeared += 1;
                }
            }
            match first_status {
                Status::New => status_counts[first].new += 1,
                Status::Disappeared => status_counts[first].disappeared += 1,
                Status::Existing => {}
            }

            let kind = kinds.intern(kind_of(item));
            if kind == kind_deltas.len() {
                kind_deltas.push(vec![0; weeks + 1]);
            }
            kind_deltas[kind][first] += 1;
            kind_deltas[kind][last + 1] -= 1;
        }

        for (counts, bucket) in status_counts.iter_mut().zip(&buckets) {
            counts.existing = bucket.len() - counts.new - counts.disappeared;
        }
        let kind_count = kind_deltas.len();
        let mut kind_counts = vec![0usize; weeks * kind_count];
        for (kind, deltas) in kind_deltas.iter().enumerate() {
            let mut running: i64 = 0;
            for (week, delta) in deltas[..weeks].iter().enumerate() {
                running += delta;
                // A prefix sum of +1/−1 pairs whose −1 comes after its +1 is never negative.
                kind_counts[week * kind_count + kind] = running as usize;
            }
        }

        Ok(Self {
            window: *window,
            rule,
            items,
            buckets,
            status_counts,
            kinds: kinds.keys,
            kind_counts,
            present_items,
        })
    }
}

impl<'a, T, K: Eq> Timeline<'a, T, K> {
    /// The window the items were bucketed into.
    pub const fn window(&self) -> &WeekWindow {
        &self.window
    }

    /// The rule that decided `disappeared`.
    pub const fn rule(&self) -> StatusRule {
        self.rule
    }

    /// The input items.
    pub const fn items(&self) -> &'a [T] {
        self.items
    }

    /// How many input items are present in at least one week.
    pub const fn present_items(&self) -> usize {
        self.present_items
    }

    /// The distinct kinds of present items, in order of first appearance.
    pub fn kinds(&self) -> &[K] {
        &self.kinds
    }

    /// Number of (week, item) entries over all weeks.
    pub fn total_entries(&self) -> usize {
        self.buckets.iter().map(Vec::len).sum()
    }

    /// The week with 0-based `index`, or `None` past the last week.
    pub fn week(&self, index: usize) -> Option<WeekBucket<'_, 'a, T, K>> {
        (index < self.buckets.len()).then(|| self.bucket_at(index))
    }

    /// All weeks, oldest first.
    pub fn weeks(&self) -> impl ExactSizeIterator<Item = WeekBucket<'_, 'a, T, K>> + '_ {
        (0..self.buckets.len()).map(|index| self.bucket_at(index))
    }

    /// Week `index < weeks` (the callers check the bound).
    fn bucket_at(&self, index: usize) -> WeekBucket<'_, 'a, T, K> {
        let kind_count = self.kinds.len();
        WeekBucket {
            // index < weeks ≤ MAX_WEEKS, so it fits in u32.
            span: self.window.span_at(index as u32),
            presences: &self.buckets[index],
            items: self.items,
            counts: self.status_counts[index],
            kinds: &self.kinds,
            kind_counts: &self.kind_counts[index * kind_count..(index + 1) * kind_count],
        }
    }
}

/// Exact number of entries each week will get, in `O(n + weeks)` (a difference array over the
/// weeks, +1 at an item's first week and −1 after its last). Sizing every bucket up front costs
/// one cheap extra pass over the items and saves the reallocation copies of growing vectors,
/// which dominated at a million items.
fn bucket_sizes<T>(window: &WeekWindow, items: &[T], span_of: &impl Fn(&T) -> Span) -> Vec<usize> {
    let weeks = window.weeks() as usize;
    let last_week = i64::from(window.weeks()) - 1;
    let mut deltas = vec![0_isize; weeks + 1];
    for item in items {
        let span = span_of(item).normalized();
        let raw_first = window.raw_index(span.start_ms);
        let raw_last = window.raw_index(span.end_ms);
        if raw_last < 0 || raw_first > last_week {
            continue;
        }
        // Clamped into [0, weeks − 1]: lossless casts.
        deltas[raw_first.max(0) as usize] += 1;
        deltas[raw_last.min(last_week) as usize + 1] -= 1;
    }
    let mut running = 0_isize;
    deltas[..weeks]
        .iter()
        .map(|delta| {
            running += delta;
            // Every −1 follows its +1, so the running sum is never negative.
            running.unsigned_abs()
        })
        .collect()
}

/// One week of a [`Timeline`]: its bounds, its entries in input order, and its counts.
#[derive(Debug, Clone, Copy)]
pub struct WeekBucket<'t, 'a, T, K> {
    span: WeekSpan,
    presences: &'t [Presence],
    items: &'a [T],
    counts: StatusCounts,
    kinds: &'t [K],
    kind_counts: &'t [usize],
}

impl<'t, 'a, T, K: Eq> WeekBucket<'t, 'a, T, K> {
    /// Number and bounds of the week.
    pub const fn span(&self) -> WeekSpan {
        self.span
    }

    /// 1-based week number.
    pub const fn number(&self) -> u32 {
        self.span.number
    }

    /// First instant of the week (ms).
    pub const fn start_ms(&self) -> i64 {
        self.span.start_ms
    }

    /// Last instant of the week (ms, inclusive).
    pub const fn end_ms(&self) -> i64 {
        self.span.end_ms
    }

    /// The entries as item indices and statuses, in input order.
    pub const fn presences(&self) -> &'t [Presence] {
        self.presences
    }

    /// The entries as items and statuses, in input order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&'a T, Status)> + 't
    where
        'a: 't,
    {
        let items = self.items;
        self.presences
            .iter()
            .map(move |p| (&items[p.item_index()], p.status()))
    }

    /// Number of entries.
    pub const fn len(&self) -> usize {
        self.presences.len()
    }

    /// Whether no item is present in this week.
    pub const fn is_empty(&self) -> bool {
        self.presences.is_empty()
    }

    /// Entries by status.
    pub const fn counts(&self) -> StatusCounts {
        self.counts
    }

    /// Entries of each kind present in the week (kinds with zero entries included), in the
    /// timeline's [`kinds`](Timeline::kinds) order.
    pub fn kind_counts(&self) -> impl ExactSizeIterator<Item = (&'t K, usize)> + 't {
        self.kinds.iter().zip(self.kind_counts.iter().copied())
    }

    /// Entries of one kind (0 for a kind never seen).
    pub fn count_of_kind(&self, kind: &K) -> usize {
        self.kinds
            .iter()
            .position(|k| k == kind)
            .map_or(0, |i| self.kind_counts[i])
    }
}

/// Maps kind keys to dense indices in order of first appearance.
struct KindInterner<K> {
    index: HashMap<K, usize>,
    keys: Vec<K>,
    /// The previous item's kind: database rows arrive grouped by kind (the original orders by
    /// `patternType`), so this check usually skips hashing altogether.
    last: Option<(K, usize)>,
}

impl<K> Default for KindInterner<K> {
    fn default() -> Self {
        Self {
            index: HashMap::new(),
            keys: Vec::new(),
            last: None,
        }
    }
}

impl<K: Eq + Hash + Clone> KindInterner<K> {
    #[inline]
    fn intern(&mut self, key: K) -> usize {
        if let Some((last, index)) = &self.last
            && *last == key
        {
            return *index;
        }
        let index = match self.index.get(&key) {
            Some(&index) => index,
            None => {
                let index = self.keys.len();
                self.keys.push(key.clone());
                self.index.insert(key.clone(), index);
                index
            }
        };
        self.last = Some((key, index));
        index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_packs_index_and_status_losslessly() {
        let max = (Presence::MAX_ITEMS - 1) as u32;
        for status in [Status::New, Status::Existing, Status::Disappeared] {
            for item in [0, 1, 12_345, max] {
                let p = Presence::new(item, status);
                assert_eq!((p.item_index(), p.status()), (item as usize, status));
            }
        }
        assert_eq!(size_of::<Presence>(), 4);
    }
}

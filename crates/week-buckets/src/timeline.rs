//! The linear-time bucketing: every item placed in each week it overlaps, in two passes over
//! the items and one flat output array.

use std::hash::Hash;

use crate::kinds::KindInterner;
use crate::layout::{Layout, UNROLL};
use crate::placement::{self, EXISTING, Placement, Placer};
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

    /// `item < MAX_ITEMS` is checked by the builder before any entry is made; `code` is one of
    /// the 2-bit codes of [`placement`].
    #[inline]
    const fn packed(item: u32, code: u32) -> u32 {
        item | (code << 30)
    }

    /// Index of the item in the input slice.
    pub const fn item_index(&self) -> usize {
        (self.0 & Self::INDEX_MASK) as usize
    }

    /// The item's status in this week.
    pub const fn status(&self) -> Status {
        placement::status_of(self.0 >> 30)
    }
}

/// Items bucketed into the weeks of a [`WeekWindow`], with per-week counts by status and by a
/// caller-supplied kind.
///
/// Built in `O(n + weeks × kinds + output)` time, where `output` is the number of
/// (week, item) entries — itself `Θ(Σ weeks each item is present in)`, which no algorithm that
/// lists entries can beat. See the crate docs for the argument.
///
/// The entries of all weeks live in one array, week after week, so building costs one
/// allocation for the output rather than one per week, and a week's entries are one contiguous
/// slice in input order.
///
/// `K` is the kind key (e.g. a pattern type); [`Timeline::build`] uses `()` when no kinds
/// are needed.
#[derive(Debug, Clone)]
pub struct Timeline<'a, T, K = ()> {
    window: WeekWindow,
    rule: StatusRule,
    items: &'a [T],
    /// Packed [`Presence`] values of every week, oldest week first, placed by `layout`.
    entries: Vec<u32>,
    layout: Layout,
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
        let placer = Placer::new(window, rule);

        // Pass 1, O(n): each item's placement (the only divisions), kept for pass 2; per-kind
        // difference arrays over the weeks (+1 at an item's first week, −1 after its last),
        // whose prefix sums give the kind counts and, summed over kinds, each week's size; and
        // the new/disappeared counts (each item is new in at most its first week and
        // disappeared in at most its last), added as bools so that counting has no
        // data-dependent branch.
        //
        // Placing is a pure map in a loop of its own; the counting loop then reads the 4-byte
        // placements (and `kind_of`). Measured the same speed as one fused loop, and simpler.
        let placements: Vec<Placement> = items
            .iter()
            .map(|item| placer.place(span_of(item).normalized()))
            .collect();
        let mut new_counts = vec![0_usize; weeks];
        let mut gone_counts = vec![0_usize; weeks];
        let mut kinds = KindInterner::default();
        let mut kind_deltas: Vec<Vec<isize>> = Vec::new();
        let mut present_items = 0;
        for (item, place) in items.iter().zip(&placements) {
            if !place.is_inside() {
                continue;
            }
            present_items += 1;
            let (first, last) = (place.first(), place.last());
            new_counts[first] += usize::from(place.is_new());
            gone_counts[last] += usize::from(place.is_gone());
            let kind = kinds.intern(kind_of(item));
            if kind == kind_deltas.len() {
                kind_deltas.push(vec![0; weeks + 1]);
            }
            kind_deltas[kind][first] += 1;
            kind_deltas[kind][last + 1] -= 1;
        }

        // Prefix sums, O(weeks × kinds): kind counts, week sizes, status counts.
        let kind_count = kind_deltas.len();
        let mut kind_counts = vec![0_usize; weeks * kind_count];
        for (kind, deltas) in kind_deltas.iter().enumerate() {
            let mut running = 0_isize;
            for (week, delta) in deltas[..weeks].iter().enumerate() {
                running += delta;
                // A prefix sum of +1/−1 pairs whose −1 comes after its +1 is never negative.
                kind_counts[week * kind_count + kind] = running.unsigned_abs();
            }
        }
        let status_counts: Vec<StatusCounts> = (0..weeks)
            .map(|week| {
                let size: usize = kind_counts[week * kind_count..(week + 1) * kind_count]
                    .iter()
                    .sum();
                // An item adds 1 to the size of each week it is in and at most 1 to new (its
                // first week) or gone (its last; never both in one week, `new` wins), so
                // new + gone ≤ size.
                StatusCounts {
                    new: new_counts[week],
                    existing: size - new_counts[week] - gone_counts[week],
                    disappeared: gone_counts[week],
                }
            })
            .collect();
        let layout = Layout::new(&status_counts);

        // Pass 2, O(n + output): write each item's entries at its weeks' cursors. Items are
        // visited in input order, so every week's entries stay in input order.
        let mut entries = layout.zeroed_entries();
        let mut cursors = layout.cursors();
        for (index, place) in placements.iter().enumerate() {
            if !place.is_inside() {
                continue;
            }
            // Checked above: items.len() ≤ 2³⁰, so the index fits in 30 bits.
            let id = index as u32;
            let (first, last) = (place.first(), place.last());
            let code_at = |week: usize| {
                if week == first {
                    place.first_code()
                } else if week == last {
                    place.last_code()
                } else {
                    EXISTING
                }
            };
            // The first UNROLL weeks from `first` are written unconditionally and the cursor
            // only advances for weeks the item is in: a constant trip count, so no
            // mispredicted loop exit for short items. A write that does not advance lands on
            // the week's next free slot (overwritten by its next real entry) or on its spare
            // slot; weeks past the window have cursors on a scratch slot (see `Layout`).
            for (week, cursor) in (first..).zip(&mut cursors[first..first + UNROLL]) {
                entries[*cursor] = Presence::packed(id, code_at(week));
                *cursor += usize::from(week <= last);
            }
            if let Some(rest) = cursors.get_mut(first + UNROLL..=last) {
                for (week, cursor) in (first + UNROLL..).zip(rest) {
                    entries[*cursor] = Presence::packed(id, code_at(week));
                    *cursor += 1;
                }
            }
        }

        Ok(Self {
            window: *window,
            rule,
            items,
            entries,
            layout,
            status_counts,
            kinds: kinds.into_keys(),
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
        self.layout.total_entries()
    }

    /// The week with 0-based `index`, or `None` past the last week.
    pub fn week(&self, index: usize) -> Option<WeekBucket<'_, 'a, T, K>> {
        (index < self.status_counts.len()).then(|| self.bucket_at(index))
    }

    /// All weeks, oldest first.
    pub fn weeks(&self) -> impl ExactSizeIterator<Item = WeekBucket<'_, 'a, T, K>> + '_ {
        (0..self.status_counts.len()).map(|index| self.bucket_at(index))
    }

    /// Week `index < weeks` (the callers check the bound).
    fn bucket_at(&self, index: usize) -> WeekBucket<'_, 'a, T, K> {
        let kind_count = self.kinds.len();
        WeekBucket {
            // index < weeks ≤ MAX_WEEKS, so it fits in u32.
            span: self.window.span_at(index as u32),
            packed: &self.entries[self.layout.week_range(index)],
            items: self.items,
            counts: self.status_counts[index],
            kinds: &self.kinds,
            kind_counts: &self.kind_counts[index * kind_count..(index + 1) * kind_count],
        }
    }
}

/// One week of a [`Timeline`]: its bounds, its entries in input order, and its counts.
#[derive(Debug, Clone, Copy)]
pub struct WeekBucket<'t, 'a, T, K> {
    span: WeekSpan,
    /// This week's packed [`Presence`] values.
    packed: &'t [u32],
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
    pub fn presences(&self) -> impl ExactSizeIterator<Item = Presence> + 't {
        self.packed.iter().map(|&p| Presence(p))
    }

    /// The entries as items and statuses, in input order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&'a T, Status)> + 't
    where
        'a: 't,
    {
        let items = self.items;
        self.presences()
            .map(move |p| (&items[p.item_index()], p.status()))
    }

    /// Number of entries.
    pub const fn len(&self) -> usize {
        self.packed.len()
    }

    /// Whether no item is present in this week.
    pub const fn is_empty(&self) -> bool {
        self.packed.is_empty()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placement::{DISAPPEARED, NEW};

    #[test]
    fn presence_packs_index_and_status_losslessly() {
        let max = (Presence::MAX_ITEMS - 1) as u32;
        for status in [Status::New, Status::Existing, Status::Disappeared] {
            for item in [0, 1, 12_345, max] {
                let code = match status {
                    Status::New => NEW,
                    Status::Existing => EXISTING,
                    Status::Disappeared => DISAPPEARED,
                };
                let p = Presence(Presence::packed(item, code));
                assert_eq!((p.item_index(), p.status()), (item as usize, status));
            }
        }
        assert_eq!(size_of::<Presence>(), 4);
    }
}

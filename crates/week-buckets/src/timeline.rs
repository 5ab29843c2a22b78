//! The linear-time bucketing: items placed 64 at a time as bits, each week's entries read
//! back from the bit words of the blocks present in it.

use std::hash::Hash;

use crate::block::{PositionList, PositionMask, WeekWord};
use crate::grid::WeekGrid;
use crate::presence::{Presence, Presences};
use crate::tally::Tally;
use crate::{Span, Status, StatusCounts, StatusRule, WeekBucketsError, WeekSpan, WeekWindow};

/// Items bucketed into the weeks of a [`WeekWindow`], with per-week counts by status and by a
/// caller-supplied kind.
///
/// Built in `O(n + weeks × kinds + output)` time, where `output` is the number of
/// (week, item) entries — itself `Θ(Σ weeks each item is present in)`, which no algorithm that
/// lists entries can beat. See the crate docs for the argument.
///
/// Entries are stored as bits: for each block of 64 consecutive items and each week where one
/// of them is present, one word says which are present and which are `new` or `disappeared`.
/// A week's entries are the set bits of its words, in block order, so in input order.
///
/// `K` is the kind key (e.g. a pattern type); [`Timeline::build`] uses `()` when no kinds
/// are needed.
#[derive(Debug, Clone)]
pub struct Timeline<'a, T, K = ()> {
    window: WeekWindow,
    rule: StatusRule,
    items: &'a [T],
    /// Every week word, block after block.
    words: Vec<WeekWord>,
    /// Indices into `words`, week after week; week `w`'s are
    /// `order[week_starts[w]..week_starts[w + 1]]`.
    order: Vec<usize>,
    week_starts: Vec<usize>,
    status_counts: Vec<StatusCounts>,
    kinds: Vec<K>,
    /// `weeks × kinds.len()`, row-major by week.
    kind_counts: Vec<usize>,
    present_items: usize,
    total_entries: usize,
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
        let grid = WeekGrid::new(window, rule);
        let mut tally = Tally::new(grid.weeks());
        // Two instances of one algorithm: the touched grid positions of a block as a register
        // bit mask when the grid has at most 64 positions, as a sorted list otherwise.
        if PositionMask::fits(grid.weeks()) {
            tally.fill::<PositionMask, T>(&grid, items, span_of, kind_of);
        } else {
            tally.fill::<PositionList, T>(&grid, items, span_of, kind_of);
        }
        let parts = tally.finish();
        Ok(Self {
            window: *window,
            rule,
            items,
            words: parts.words,
            order: parts.order,
            week_starts: parts.week_starts,
            status_counts: parts.status_counts,
            kinds: parts.kinds,
            kind_counts: parts.kind_counts,
            present_items: parts.present_items,
            total_entries: parts.total_entries,
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
        self.total_entries
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
            words: &self.words,
            order: &self.order[self.week_starts[index]..self.week_starts[index + 1]],
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
    /// All words of the timeline; this week's are `order`.
    words: &'t [WeekWord],
    order: &'t [usize],
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
    pub fn presences(&self) -> Presences<'t> {
        Presences::new(self.words, self.order, self.counts.total())
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
        self.counts.total()
    }

    /// Whether no item is present in this week.
    pub const fn is_empty(&self) -> bool {
        self.counts.total() == 0
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

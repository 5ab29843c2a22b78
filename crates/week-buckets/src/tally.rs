//! The single pass over the items: blocks of 64 filled and swept into week words, and every
//! per-week count added up from those words as they are emitted.

use std::hash::Hash;

use crate::block::{BLOCK_ITEMS, BlockBits, TouchedPositions, WeekWord};
use crate::grid::WeekGrid;
use crate::kinds::KindInterner;
use crate::{Span, StatusCounts};

/// Everything the pass accumulates; [`Tally::finish`] turns it into the timeline's arrays.
pub(crate) struct Tally<K> {
    weeks: usize,
    /// Block order (so input order), weeks ascending within a block.
    words: Vec<WeekWord>,
    sizes: Vec<usize>,
    new: Vec<usize>,
    gone: Vec<usize>,
    words_per_week: Vec<usize>,
    kinds: KindInterner<K>,
    /// Per kind (dense index), entries per week.
    kind_weeks: Vec<Vec<usize>>,
    present_items: usize,
}

/// The kinds of one block's present items.
enum BlockKinds {
    /// No item of the block is present in any week.
    Absent,
    /// Every present item has this kind. Rows arrive grouped by kind, so this is the usual
    /// case, and a word's count for the kind is its entry count: no per-entry work.
    Single(usize),
    /// The kind of each slot (meaningful for present items only).
    Mixed(Box<[usize; BLOCK_ITEMS]>),
}

/// The arrays a [`Timeline`](crate::Timeline) is made of.
pub(crate) struct TallyParts<K> {
    pub(crate) words: Vec<WeekWord>,
    /// Indices into `words`, week by week; week `w`'s are `order[week_starts[w]..week_starts[w + 1]]`.
    pub(crate) order: Vec<usize>,
    pub(crate) week_starts: Vec<usize>,
    pub(crate) status_counts: Vec<StatusCounts>,
    pub(crate) kinds: Vec<K>,
    /// `weeks × kinds.len()`, row-major by week.
    pub(crate) kind_counts: Vec<usize>,
    pub(crate) present_items: usize,
    pub(crate) total_entries: usize,
}

impl<K: Eq + Hash + Clone> Tally<K> {
    pub(crate) fn new(weeks: usize) -> Self {
        Self {
            weeks,
            words: Vec::new(),
            sizes: vec![0; weeks],
            new: vec![0; weeks],
            gone: vec![0; weeks],
            words_per_week: vec![0; weeks],
            kinds: KindInterner::default(),
            kind_weeks: Vec::new(),
            present_items: 0,
        }
    }

    /// Places every item, 64 at a time. The caller has checked that `items.len()` is at most
    /// [`Presence::MAX_ITEMS`](crate::Presence::MAX_ITEMS) (2³⁰).
    pub(crate) fn fill<P: TouchedPositions, T>(
        &mut self,
        grid: &WeekGrid,
        items: &[T],
        span_of: impl Fn(&T) -> Span,
        kind_of: impl Fn(&T) -> K,
    ) {
        let mut bits = BlockBits::<P>::new(grid);
        // A guess that avoids most regrowth on realistic data (one word per 64-item block for
        // each of the ~3 weeks an item spans, plus spread): the measured benchmark data has
        // one word per ~12 entries.
        self.words.reserve(items.len() / 4);
        for (block, chunk) in items.chunks(BLOCK_ITEMS).enumerate() {
            // Placing is a tight loop of its own; kinds are looked up in a second loop over the
            // block's present items only (fewer live values in the hot one).
            let mut inside = 0_u64;
            for (slot, item) in chunk.iter().enumerate() {
                let (start, end) = grid.positions(span_of(item));
                bits.add(slot, (start, end));
                // Present in some week unless wholly before (end at 0) or after (start past
                // the last week) the window.
                inside |= u64::from((end >= 1) & (start <= self.weeks)) << slot;
            }
            self.present_items += inside.count_ones() as usize;
            let kinds = self.block_kinds(chunk, inside, &kind_of);
            // items.len() ≤ 2³⁰ (checked by the caller), so block < 2²⁴ fits in u32.
            bits.sweep(block as u32, |word, through| {
                self.record(word, through, &kinds);
            });
        }
    }

    /// The kinds of the `inside` items of `chunk`, calling `kind_of` once for each.
    #[inline]
    fn block_kinds<T>(
        &mut self,
        chunk: &[T],
        inside: u64,
        kind_of: &impl Fn(&T) -> K,
    ) -> BlockKinds {
        if inside == 0 {
            return BlockKinds::Absent;
        }
        let key = |slot: usize| kind_of(&chunk[slot]);
        let first_key = key(inside.trailing_zeros() as usize);
        // Compare with the first key only, interning nothing, until a different kind shows up
        // (with `()` kinds, as `Timeline::build` uses, that never happens).
        let mut rest = inside & (inside - 1);
        while rest != 0 {
            let slot = rest.trailing_zeros() as usize;
            let other = key(slot);
            if other != first_key {
                let mut of_slot = Box::new([0; BLOCK_ITEMS]);
                let first = self.kind_index(first_key);
                let mut before = inside & ((1 << slot) - 1);
                while before != 0 {
                    of_slot[before.trailing_zeros() as usize] = first;
                    before &= before - 1;
                }
                of_slot[slot] = self.kind_index(other);
                rest &= rest - 1;
                while rest != 0 {
                    let slot = rest.trailing_zeros() as usize;
                    of_slot[slot] = self.kind_index(key(slot));
                    rest &= rest - 1;
                }
                return BlockKinds::Mixed(of_slot);
            }
            rest &= rest - 1;
        }
        BlockKinds::Single(self.kind_index(first_key))
    }

    fn kind_index(&mut self, kind: K) -> usize {
        let index = self.kinds.intern(kind);
        if index == self.kind_weeks.len() {
            self.kind_weeks.push(vec![0; self.weeks]);
        }
        index
    }

    /// Records `word` for its own week and, identical but for the week, for every week
    /// through `through`.
    #[inline(always)]
    fn record(&mut self, word: WeekWord, through: u32, kinds: &BlockKinds) {
        let size = word.present.count_ones() as usize;
        let first = word.week as usize;
        // `new` and `gone` are only ever set in a word's own week (see `BlockBits::sweep`).
        self.new[first] += word.new.count_ones() as usize;
        self.gone[first] += word.gone.count_ones() as usize;
        for week in first..=through as usize {
            self.sizes[week] += size;
            self.words_per_week[week] += 1;
            // week ≤ through < weeks ≤ MAX_WEEKS fits in u32.
            self.words.push(WeekWord {
                week: week as u32,
                ..word
            });
        }
        let weeks = first..=through as usize;
        match kinds {
            BlockKinds::Single(kind) => {
                for count in &mut self.kind_weeks[*kind][weeks] {
                    *count += size;
                }
            }
            BlockKinds::Mixed(of_slot) => {
                let mut present = word.present;
                while present != 0 {
                    let slot = present.trailing_zeros() as usize;
                    for count in &mut self.kind_weeks[of_slot[slot]][weeks.clone()] {
                        *count += 1;
                    }
                    present &= present - 1;
                }
            }
            // A block with no present item emits no word.
            BlockKinds::Absent => {}
        }
    }

    /// Orders the words week by week (a counting sort: `O(words + weeks)`) and lays out the
    /// counts.
    pub(crate) fn finish(self) -> TallyParts<K> {
        let mut week_starts = Vec::with_capacity(self.weeks + 1);
        let mut next = 0;
        week_starts.push(next);
        for count in &self.words_per_week {
            next += count;
            week_starts.push(next);
        }
        let mut cursors = week_starts[..self.weeks].to_vec();
        let mut order = vec![0; self.words.len()];
        for (index, word) in self.words.iter().enumerate() {
            let cursor = &mut cursors[word.week as usize];
            order[*cursor] = index;
            *cursor += 1;
        }

        let status_counts = (0..self.weeks)
            .map(|week| StatusCounts {
                new: self.new[week],
                // Every entry is new, gone or existing, and never both new and gone.
                existing: self.sizes[week] - self.new[week] - self.gone[week],
                disappeared: self.gone[week],
            })
            .collect();
        let kind_count = self.kind_weeks.len();
        let mut kind_counts = vec![0; self.weeks * kind_count];
        for (kind, per_week) in self.kind_weeks.iter().enumerate() {
            for (week, &count) in per_week.iter().enumerate() {
                kind_counts[week * kind_count + kind] = count;
            }
        }
        TallyParts {
            words: self.words,
            order,
            week_starts,
            status_counts,
            kinds: self.kinds.into_keys(),
            kind_counts,
            present_items: self.present_items,
            total_entries: self.sizes.iter().sum(),
        }
    }
}

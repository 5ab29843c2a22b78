//! One block of 64 consecutive items turned into per-week bit words.
//!
//! Each item of a block is one bit. Per grid position the block keeps the items that start
//! there and the items that end there (two `u64`s); a sweep over the positions where anything
//! starts or ends then yields, for each week where at least one of the 64 items is present, a
//! [`WeekWord`]: which items are present, which are `new` and which `disappeared`. Between two
//! such positions the present set cannot change, so those weeks repeat the running word.
//!
//! Per item this costs two bit-ors; per block, the positions touched (at most 128) plus one
//! step per emitted word, and every emitted word holds at least one entry. Items are
//! never compared with weeks they are not in.

use crate::grid::WeekGrid;

/// The items of one block present in one week. Bit `i` is item `64 × block + i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WeekWord {
    pub(crate) block: u32,
    /// 0-based week.
    pub(crate) week: u32,
    pub(crate) present: u64,
    /// Present items whose start lies in this week.
    pub(crate) new: u64,
    /// Present items that disappear in this week (never also `new`).
    pub(crate) gone: u64,
}

/// Items per block: one bit each in a `u64`.
pub(crate) const BLOCK_ITEMS: usize = 64;

/// The grid positions touched by one block, visited in ascending order by the sweep.
pub(crate) trait TouchedPositions: Default {
    /// Records that something starts or ends at `position`.
    fn touch(&mut self, position: usize);
    /// Calls `visit` for each touched position once, ascending, and forgets them.
    fn drain_ascending(&mut self, visit: impl FnMut(usize));
}

/// For grids of at most 64 positions (windows of up to 62 weeks, which covers the API's 52):
/// one bit per position, kept in a register.
#[derive(Debug, Default)]
pub(crate) struct PositionMask(u64);

impl PositionMask {
    /// Whether grids of `weeks` weeks fit: positions `0 ..= weeks + 1` must be below 64.
    pub(crate) const fn fits(weeks: usize) -> bool {
        weeks + 2 <= 64
    }
}

impl TouchedPositions for PositionMask {
    #[inline]
    fn touch(&mut self, position: usize) {
        self.0 |= 1 << position;
    }

    #[inline]
    fn drain_ascending(&mut self, mut visit: impl FnMut(usize)) {
        while self.0 != 0 {
            visit(self.0.trailing_zeros() as usize);
            self.0 &= self.0 - 1;
        }
    }
}

/// For longer windows: the touched positions as a list, sorted and deduplicated per block
/// (at most 128 of them, so `O(1)` per item).
#[derive(Debug, Default)]
pub(crate) struct PositionList(Vec<usize>);

impl TouchedPositions for PositionList {
    #[inline]
    fn touch(&mut self, position: usize) {
        self.0.push(position);
    }

    fn drain_ascending(&mut self, mut visit: impl FnMut(usize)) {
        self.0.sort_unstable();
        self.0.dedup();
        for &position in &self.0 {
            visit(position);
        }
        self.0.clear();
    }
}

/// Start and end bits of the block being filled, per grid position.
#[derive(Debug)]
pub(crate) struct BlockBits<P> {
    weeks: usize,
    /// Indexed by grid position (`weeks + 2` of them); all zero between blocks.
    starts: Vec<u64>,
    ends: Vec<u64>,
    touched: P,
}

impl<P: TouchedPositions> BlockBits<P> {
    pub(crate) fn new(grid: &WeekGrid) -> Self {
        let weeks = grid.weeks();
        Self {
            weeks,
            starts: vec![0; weeks + 2],
            ends: vec![0; weeks + 2],
            touched: P::default(),
        }
    }

    /// Adds item `slot` (< 64) of the block with grid positions `start ≤ end ≤ weeks + 1`.
    #[inline]
    pub(crate) fn add(&mut self, slot: usize, (start, end): (usize, usize)) {
        let bit = 1 << slot;
        self.starts[start] |= bit;
        self.ends[end] |= bit;
        self.touched.touch(start);
        self.touched.touch(end);
    }

    /// Emits the block's non-empty week words in week order and leaves the bits zeroed for the
    /// next block. Each call of `emit` is one word and the week through which it repeats:
    /// weeks after a word's own where nothing starts or ends hold the same items, none of them
    /// `new` or `disappeared`, so the caller can count them once.
    #[inline]
    pub(crate) fn sweep(&mut self, block: u32, mut emit: impl FnMut(WeekWord, u32)) {
        let Self {
            weeks,
            starts,
            ends,
            touched,
        } = self;
        let weeks = *weeks;
        // Grid positions 1 ..= weeks ≤ MAX_WEEKS are weeks 0 ..= weeks − 1; they fit in u32.
        let week_at = |position: usize| (position - 1) as u32;
        // The repeated word of the weeks from `position` on, none of whose items start or end.
        let run_from = |position: usize, present: u64| WeekWord {
            block,
            week: week_at(position),
            present,
            new: 0,
            gone: 0,
        };
        let mut present = 0_u64;
        let mut previous = 0;
        touched.drain_ascending(|position| {
            let started = std::mem::take(&mut starts[position]);
            let ended = std::mem::take(&mut ends[position]);
            // Position `weeks + 1` is after the window: nothing is emitted there, and being
            // the largest position it comes last.
            if position > weeks {
                return;
            }
            if present != 0 && previous + 1 < position {
                emit(run_from(previous + 1, present), week_at(position - 1));
            }
            present |= started;
            // Position 0 is before the window: items starting there are carried into week 1.
            if position > 0 {
                let word = WeekWord {
                    block,
                    week: week_at(position),
                    present,
                    new: started,
                    gone: ended & !started,
                };
                emit(word, word.week);
            }
            present &= !ended;
            previous = position;
        });
        if present != 0 && previous < weeks {
            emit(run_from(previous + 1, present), week_at(weeks));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Span, StatusRule, WEEK_MS, WeekBucketsError, WeekWindow};

    fn sweep_of<P: TouchedPositions>(spans: &[Span]) -> Result<Vec<WeekWord>, WeekBucketsError> {
        let window = WeekWindow::rolling(4 * WEEK_MS, 4)?;
        let grid = WeekGrid::new(&window, StatusRule::Fixed);
        let mut bits = BlockBits::<P>::new(&grid);
        for (slot, span) in spans.iter().enumerate() {
            bits.add(slot, grid.positions(*span));
        }
        let mut words = Vec::new();
        bits.sweep(7, |word, through| {
            words.extend((word.week..=through).map(|week| WeekWord { week, ..word }));
        });
        assert!(bits.starts.iter().chain(&bits.ends).all(|&b| b == 0));
        Ok(words)
    }

    #[test]
    fn words_cover_only_weeks_with_items() -> Result<(), WeekBucketsError> {
        // Item 0: weeks 0–2 (gone in 2); item 1: from before the window into the final week;
        // item 2: after the window; weeks 0 and 1 share the running word.
        let spans = [
            Span::new(0, 2 * WEEK_MS + 5),
            Span::new(-WEEK_MS, 3 * WEEK_MS + 1),
            Span::point(9 * WEEK_MS),
        ];
        let word = |week, present, new, gone| WeekWord {
            block: 7,
            week,
            present,
            new,
            gone,
        };
        let expected = vec![
            word(0, 0b011, 0b001, 0),
            word(1, 0b011, 0, 0),
            word(2, 0b011, 0, 0b001),
            word(3, 0b010, 0, 0),
        ];
        assert_eq!(sweep_of::<PositionMask>(&spans)?, expected);
        assert_eq!(sweep_of::<PositionList>(&spans)?, expected);
        Ok(())
    }

    #[test]
    fn gaps_between_items_emit_nothing() -> Result<(), WeekBucketsError> {
        let spans = [Span::point(0), Span::point(3 * WEEK_MS)];
        let weeks: Vec<u32> = sweep_of::<PositionMask>(&spans)?
            .iter()
            .map(|w| w.week)
            .collect();
        assert_eq!(weeks, [0, 3]);
        Ok(())
    }
}

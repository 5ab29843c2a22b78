//! An item's start and end as positions on the window's week grid, with the status rule folded
//! into the end position.
//!
//! Grid positions run `0 ..= weeks + 1`: `0` is "before the window", `1 ..= weeks` are the
//! weeks (week `w`, 0-based, is position `w + 1`) and `weeks + 1` is "after the window". An item
//! is present in the weeks from `max(start_pos, 1)` to `min(end_pos, weeks)`; it is `new` at
//! its start position and `disappeared` at its end position unless that is also its start.
//!
//! Folding the rule into the end position is what makes the status free to compute: an end
//! that must not count as `disappeared` (in the final week under [`StatusRule::Fixed`], at or
//! after the anchor under [`StatusRule::Original`]) is moved to "after the window". Both such
//! ends lie in the final week or later, so the item's presence is unchanged by the move.

use crate::{Span, StatusRule, WEEK_MS, WeekWindow};

/// Maps instants to grid positions for one window and rule. Built once per timeline so that
/// the per-item work is two clamps, two constant divisions and one comparison, all branch-free.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WeekGrid {
    start_ms: i64,
    /// Instants below `start_ms` clamp here (position 0). `start_ms − 1`, or `start_ms` itself
    /// when that is `i64::MIN` (then nothing lies before the window).
    before_ms: i64,
    /// One past the last instant of the last week; instants from here on are position
    /// `weeks + 1`.
    after_ms: i64,
    /// Ends at or after this instant never count as `disappeared` (see the module docs).
    keep_from_ms: i64,
    weeks: usize,
}

impl WeekGrid {
    pub(crate) fn new(window: &WeekWindow, rule: StatusRule) -> Self {
        let start_ms = window.start_ms();
        let after_ms = window.end_exclusive_ms();
        let keep_from_ms = match rule {
            // The final week's start: `start + (weeks − 1) × 7d < after_ms`, so it fits.
            StatusRule::Fixed => after_ms - WEEK_MS,
            // The anchor lies in the final week (rolling: it is `after_ms`).
            StatusRule::Original => window.anchor_ms(),
        };
        Self {
            start_ms,
            before_ms: start_ms.saturating_sub(1),
            after_ms,
            keep_from_ms,
            weeks: window.weeks() as usize,
        }
    }

    /// Number of weeks; grid positions run `0 ..= weeks + 1`.
    pub(crate) const fn weeks(&self) -> usize {
        self.weeks
    }

    /// The grid position of `instant_ms`.
    #[inline]
    fn position(&self, instant_ms: i64) -> usize {
        // Clamped into [start − 1, after], the offset from `start − 7d` lies in
        // [7d − 1, (weeks + 1) × 7d]: non-negative, and no overflow because the window
        // constructors guarantee `after_ms` fits. `max`/`min` rather than `clamp`, which
        // asserts its bounds on every call.
        let clamped = instant_ms.max(self.before_ms).min(self.after_ms);
        let offset = (clamped - self.start_ms + WEEK_MS) as u64;
        (offset / WEEK_MS as u64) as usize
    }

    /// The start and end positions of `span`; `start ≤ end` always holds.
    #[inline]
    pub(crate) fn positions(&self, span: Span) -> (usize, usize) {
        if span.end_ms < span.start_ms {
            return self.reversed_positions(span);
        }
        let end_ms = if span.end_ms >= self.keep_from_ms {
            self.after_ms
        } else {
            span.end_ms
        };
        (self.position(span.start_ms), self.position(end_ms))
    }

    /// A reversed span (`end < start`, only corrupt data has one) under the overlap test taken
    /// literally, as the original applies it: `start ≤ weekEnd && end ≥ weekStart` holds only in
    /// a week containing both instants, where the item is the point `start` (so `new`). In
    /// any other week it is absent: both positions 0, which no week shows.
    #[cold]
    fn reversed_positions(&self, span: Span) -> (usize, usize) {
        let start = self.position(span.start_ms);
        if start == self.position(span.end_ms) {
            self.positions(Span::point(span.start_ms))
        } else {
            (0, 0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::WeekBucketsError;

    #[test]
    fn positions_follow_week_edges() -> Result<(), WeekBucketsError> {
        let window = WeekWindow::rolling(3 * WEEK_MS, 3)?;
        let grid = WeekGrid::new(&window, StatusRule::Original);
        let at = |ms| grid.position(ms);
        assert_eq!([at(i64::MIN), at(-1), at(0), at(WEEK_MS - 1)], [0, 0, 1, 1]);
        assert_eq!(
            [at(WEEK_MS), at(3 * WEEK_MS - 1), at(3 * WEEK_MS)],
            [2, 3, 4]
        );
        assert_eq!(at(i64::MAX), 4);
        Ok(())
    }

    #[test]
    fn ends_that_cannot_disappear_move_after_the_window() -> Result<(), WeekBucketsError> {
        let window = WeekWindow::rolling(3 * WEEK_MS, 3)?;
        // Fixed: an end in the final week is "after"; an end in week 2 is not.
        let fixed = WeekGrid::new(&window, StatusRule::Fixed);
        assert_eq!(fixed.positions(Span::new(0, 2 * WEEK_MS)), (1, 4));
        assert_eq!(fixed.positions(Span::new(0, 2 * WEEK_MS - 1)), (1, 2));
        // Original, rolling: every end inside the window is before the anchor.
        let original = WeekGrid::new(&window, StatusRule::Original);
        assert_eq!(original.positions(Span::new(0, 3 * WEEK_MS - 1)), (1, 3));
        // A reversed span is its start point inside one week, and nowhere across weeks.
        assert_eq!(original.positions(Span::new(WEEK_MS + 5, WEEK_MS)), (2, 2));
        assert_eq!(original.positions(Span::new(WEEK_MS, 0)), (0, 0));
        Ok(())
    }

    #[test]
    fn a_window_starting_at_i64_min_has_nothing_before_it() -> Result<(), WeekBucketsError> {
        let window = WeekWindow::rolling(i64::MIN + 2 * WEEK_MS, 2)?;
        let grid = WeekGrid::new(&window, StatusRule::Fixed);
        assert_eq!(grid.position(i64::MIN), 1);
        assert_eq!(grid.position(i64::MAX), 3);
        Ok(())
    }
}

//! Where one item goes: its first and last week and its status in each, packed into 4 bytes.
//!
//! The builder computes a [`Placement`] once per item (two floor divisions) in its sizing pass,
//! keeps the compact array, and reads it back in the placing pass instead of calling `span_of`
//! and dividing again. At 4 bytes per item the array is a small, sequential read.

use crate::{Span, Status, StatusRule, WeekWindow};

/// Bits for a week index: `WeekWindow::MAX_WEEKS` (10 000) < 2¹⁴.
const WEEK_BITS: u32 = 14;
const WEEK_MASK: u32 = (1 << WEEK_BITS) - 1;
const _: () = assert!(WeekWindow::MAX_WEEKS <= 1 << WEEK_BITS);

/// 2-bit status codes, shared with the packed entries ([`crate::Presence`]).
pub(crate) const NEW: u32 = 0;
pub(crate) const EXISTING: u32 = 1;
pub(crate) const DISAPPEARED: u32 = 2;

/// Status code to [`Status`] (3 is never produced; it reads as `Disappeared`).
#[inline]
pub(crate) const fn status_of(code: u32) -> Status {
    match code {
        NEW => Status::New,
        EXISTING => Status::Existing,
        _ => Status::Disappeared,
    }
}

/// An item's first and last week (0-based, clamped to the window) and its status codes there.
///
/// Layout: bits 0–13 first week, 14–27 last week, 28–29 status in the first week, 30–31 status
/// in the last week (only meaningful when last > first; every week strictly between is
/// `existing`). An item outside the window is encoded with first > last, so its week range is
/// empty and no special case is needed when placing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Placement(u32);

/// Everything [`Placement`] needs from the window and the rule, computed once per build so
/// the per-item work is two divisions by a constant and a few branch-free comparisons (the
/// status and range branches of a naive version are data-dependent and mispredict often).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placer {
    window: WeekWindow,
    last_week: i64,
    /// An item disappears when its raw last week is below this week …
    gone_below_week: i64,
    /// … and its end instant is before this one.
    gone_before_ms: i64,
}

impl Placer {
    /// Both rules as one test: `raw_last < gone_below_week && end < gone_before_ms`.
    ///
    /// * Fixed: the end lies in the window but not its final week: `raw_last < weeks − 1`.
    ///   `end < i64::MAX` adds nothing: an end of `i64::MAX` lies ≥ 10¹⁰ weeks past any window.
    /// * Original: the end lies in the window (`raw_last < weeks`) and before the anchor.
    pub(crate) fn new(window: &WeekWindow, rule: StatusRule) -> Self {
        let last_week = i64::from(window.weeks()) - 1;
        let (gone_below_week, gone_before_ms) = match rule {
            StatusRule::Fixed => (last_week, i64::MAX),
            StatusRule::Original => (last_week + 1, window.anchor_ms()),
        };
        Self {
            window: *window,
            last_week,
            gone_below_week,
            gone_before_ms,
        }
    }

    /// Where `span` (normalised by the caller) goes.
    #[inline]
    pub(crate) fn place(&self, span: Span) -> Placement {
        let raw_first = self.window.raw_index(span.start_ms);
        let raw_last = self.window.raw_index(span.end_ms);
        // Rows arrive sorted by detection time, so this branch is well predicted.
        if raw_last < 0 || raw_first > self.last_week {
            return Placement::OUTSIDE;
        }
        // Both clamped into [0, weeks − 1] ⊂ [0, 2¹⁴): the casts are lossless.
        let first = raw_first.max(0) as u32;
        let last = raw_last.min(self.last_week) as u32;
        let starts_here = raw_first >= 0;
        let disappears = (raw_last < self.gone_below_week) & (span.end_ms < self.gone_before_ms);
        // `new` wins over `disappeared` when the item starts and ends in the same week.
        let first_code = if starts_here {
            NEW
        } else {
            EXISTING + u32::from(disappears & (first == last))
        };
        let last_code = EXISTING + u32::from(disappears);
        Placement(first | last << WEEK_BITS | first_code << 28 | last_code << 30)
    }
}

impl Placement {
    /// Wholly before or after the window: first = 1, last = 0.
    pub(crate) const OUTSIDE: Self = Self(1);

    /// Where `span` (normalised by the caller) goes in `window` under `rule`.
    #[cfg(test)]
    fn of(window: &WeekWindow, rule: StatusRule, span: Span) -> Self {
        Placer::new(window, rule).place(span)
    }

    /// First week (0-based).
    #[inline]
    pub(crate) const fn first(self) -> usize {
        (self.0 & WEEK_MASK) as usize
    }

    /// Last week (0-based); below [`first`](Self::first) for an item outside the window.
    #[inline]
    pub(crate) const fn last(self) -> usize {
        ((self.0 >> WEEK_BITS) & WEEK_MASK) as usize
    }

    /// Whether the item is present in at least one week.
    #[inline]
    pub(crate) const fn is_inside(self) -> bool {
        self.first() <= self.last()
    }

    /// Status code in the first week.
    #[inline]
    pub(crate) const fn first_code(self) -> u32 {
        (self.0 >> 28) & 3
    }

    /// Status code in the last week, when it differs from the first.
    #[inline]
    pub(crate) const fn last_code(self) -> u32 {
        self.0 >> 30
    }

    /// Whether the item is `new` in its first week.
    #[inline]
    pub(crate) const fn is_new(self) -> bool {
        self.first_code() == NEW
    }

    /// Whether the item is `disappeared` in its last week (which may be its first).
    #[inline]
    pub(crate) const fn is_gone(self) -> bool {
        let code = if self.first() == self.last() {
            self.first_code()
        } else {
            self.last_code()
        };
        code == DISAPPEARED
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{WEEK_MS, WeekBucketsError};

    #[test]
    fn outside_has_an_empty_week_range() {
        assert!(!Placement::OUTSIDE.is_inside());
        assert!(Placement::OUTSIDE.first() > Placement::OUTSIDE.last());
    }

    #[test]
    fn packs_the_largest_window_losslessly() -> Result<(), WeekBucketsError> {
        let weeks = WeekWindow::MAX_WEEKS;
        let window = WeekWindow::rolling(i64::from(weeks) * WEEK_MS, weeks)?;
        // Spans the whole window: first week 0 (new), last week weeks − 1 (still seen: existing).
        let whole = Placement::of(
            &window,
            StatusRule::Fixed,
            Span::new(0, i64::from(weeks) * WEEK_MS - 1),
        );
        assert_eq!((whole.first(), whole.last()), (0, weeks as usize - 1));
        assert_eq!((whole.first_code(), whole.last_code()), (NEW, EXISTING));
        // Starts before the window, ends in week weeks − 2: existing, then disappeared.
        let end = i64::from(weeks - 1) * WEEK_MS - 1;
        let gone = Placement::of(&window, StatusRule::Fixed, Span::new(-5, end));
        assert_eq!((gone.first(), gone.last()), (0, weeks as usize - 2));
        assert_eq!(
            (gone.first_code(), gone.last_code()),
            (EXISTING, DISAPPEARED)
        );
        // Starts before and ends in the first week: one entry, disappeared.
        let short = Placement::of(&window, StatusRule::Fixed, Span::new(-5, 5));
        assert_eq!((short.first(), short.last()), (0, 0));
        assert_eq!(short.first_code(), DISAPPEARED);
        assert!(short.is_inside());
        Ok(())
    }

    #[test]
    fn items_outside_either_side_are_outside() -> Result<(), WeekBucketsError> {
        let window = WeekWindow::rolling(3 * WEEK_MS, 3)?;
        for span in [
            Span::new(i64::MIN, -1),
            Span::point(3 * WEEK_MS),
            Span::point(i64::MAX),
        ] {
            assert_eq!(
                Placement::of(&window, StatusRule::Original, span),
                Placement::OUTSIDE
            );
        }
        Ok(())
    }
}

//! The window of consecutive 7-day buckets: rolling (the original's) or calendar-aligned.

use time::UtcOffset;

use crate::WeekBucketsError;

/// One week in milliseconds.
pub const WEEK_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// 1970-01-05T00:00:00Z, the first Monday after the Unix epoch (a Thursday). Calendar weeks are
/// whole weeks away from it, shifted by the UTC offset.
const FIRST_MONDAY_MS: i64 = 4 * 24 * 60 * 60 * 1000;

/// How the buckets of a [`WeekWindow`] are placed on the time line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alignment {
    /// Anchored at the end instant: the last week ends 1 ms before it (the original's rule).
    Rolling,
    /// Monday 00:00 at the given UTC offset; the last week contains the end instant.
    Calendar(UtcOffset),
}

/// One week of a window: 1-based number and inclusive millisecond bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekSpan {
    /// 1-based week number (the original's `weekNumber`).
    pub number: u32,
    /// First instant of the week (Unix epoch ms).
    pub start_ms: i64,
    /// Last instant of the week: `start_ms + 7d − 1 ms` (inclusive, like the original's `weekEnd`).
    pub end_ms: i64,
}

impl WeekSpan {
    /// Whether `instant_ms` lies in this week (both bounds inclusive).
    pub const fn contains(&self, instant_ms: i64) -> bool {
        self.start_ms <= instant_ms && instant_ms <= self.end_ms
    }
}

/// `weeks` consecutive 7-day buckets, validated so that every bucket bound fits in `i64` ms.
///
/// Both constructors accept `1..=`[`WeekWindow::MAX_WEEKS`] weeks; the API itself only allows
/// 1..=52, which is the caller's validation.
///
/// * [`rolling`](Self::rolling) — the original's arithmetic:
///   `start = end − weeks × 7d`, week `i` (0-based) starts at `start + i × 7d` and ends at
///   `start + (i + 1) × 7d − 1 ms`; the last week ends at `end − 1 ms`. No time zones, no
///   Monday alignment.
/// * [`calendar`](Self::calendar) — weeks start on Monday 00:00:00.000 local time at a fixed UTC
///   offset (no DST: an offset, not a zone). The **last** bucket is the local Monday-to-Sunday
///   week that contains the end instant, so it extends past the end instant up to the following
///   Monday 00:00 − 1 ms; the window covers that week and the `weeks − 1` whole weeks before it.
///
/// ```
/// use insights_week_buckets::WeekWindow;
/// let w = WeekWindow::rolling(1_000 * 604_800_000, 2)?;
/// assert_eq!(w.start_ms(), 998 * 604_800_000);
/// assert_eq!(w.week(1).map(|s| s.end_ms), Some(1_000 * 604_800_000 - 1));
/// # Ok::<(), insights_week_buckets::WeekBucketsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WeekWindow {
    start_ms: i64,
    weeks: u32,
    anchor_ms: i64,
    alignment: Alignment,
}

impl WeekWindow {
    /// The largest accepted number of weeks (about 192 years). Far above the API's 52; it only
    /// bounds the bucket array a caller can make the crate allocate.
    pub const MAX_WEEKS: u32 = 10_000;

    /// The original's rolling window of `weeks` weeks ending at `end_ms` (exclusive).
    ///
    /// # Errors
    /// [`WeekBucketsError::WeeksOutOfRange`] for 0 or more than [`Self::MAX_WEEKS`];
    /// [`WeekBucketsError::WindowOutOfRange`] if the start does not fit in `i64` ms.
    pub fn rolling(end_ms: i64, weeks: u32) -> Result<Self, WeekBucketsError> {
        check_weeks(weeks)?;
        let out_of_range = WeekBucketsError::WindowOutOfRange { end_ms, weeks };
        let start_ms = end_ms
            .checked_sub(i64::from(weeks) * WEEK_MS)
            .ok_or(out_of_range)?;
        Ok(Self {
            start_ms,
            weeks,
            anchor_ms: end_ms,
            alignment: Alignment::Rolling,
        })
    }

    /// Calendar weeks (Monday 00:00 at `utc_offset`), the last one containing `end_ms`.
    ///
    /// # Errors
    /// As [`rolling`](Self::rolling); also when the last week's end does not fit in `i64` ms.
    pub fn calendar(
        end_ms: i64,
        weeks: u32,
        utc_offset: UtcOffset,
    ) -> Result<Self, WeekBucketsError> {
        check_weeks(weeks)?;
        let out_of_range = WeekBucketsError::WindowOutOfRange { end_ms, weeks };
        let offset_ms = i64::from(utc_offset.whole_seconds()) * 1000;
        // Milliseconds since local Monday 00:00 at `end_ms`; subtracting them from the UTC
        // instant gives the UTC instant of that local midnight without converting back.
        let since_monday = end_ms
            .checked_add(offset_ms)
            .and_then(|local| local.checked_sub(FIRST_MONDAY_MS))
            .ok_or(out_of_range.clone())?
            .rem_euclid(WEEK_MS);
        let last_week_start = end_ms
            .checked_sub(since_monday)
            .ok_or(out_of_range.clone())?;
        let start_ms = last_week_start
            .checked_sub(i64::from(weeks - 1) * WEEK_MS)
            .ok_or(out_of_range.clone())?;
        // Every bucket bound must be representable, including the last week's end.
        last_week_start.checked_add(WEEK_MS).ok_or(out_of_range)?;
        Ok(Self {
            start_ms,
            weeks,
            anchor_ms: end_ms,
            alignment: Alignment::Calendar(utc_offset),
        })
    }

    /// Number of weeks (buckets), at least 1.
    pub const fn weeks(&self) -> u32 {
        self.weeks
    }

    /// First instant of week 1 (the original's `startDate`).
    pub const fn start_ms(&self) -> i64 {
        self.start_ms
    }

    /// The end instant the window was built for (the original's `endDate`, the request time).
    /// For rolling windows it is also the exclusive end of the window; for calendar windows it
    /// lies inside the last week.
    pub const fn anchor_ms(&self) -> i64 {
        self.anchor_ms
    }

    /// One past the last instant of the last week. Equals [`anchor_ms`](Self::anchor_ms) for
    /// rolling windows.
    pub const fn end_exclusive_ms(&self) -> i64 {
        // Validated at construction: start + weeks × 7d fits in i64.
        self.start_ms + self.weeks as i64 * WEEK_MS
    }

    /// How the buckets are placed.
    pub const fn alignment(&self) -> Alignment {
        self.alignment
    }

    /// The week with 0-based `index`, or `None` past the last week.
    pub fn week(&self, index: u32) -> Option<WeekSpan> {
        (index < self.weeks).then(|| self.span_at(index))
    }

    /// All weeks, oldest first.
    pub fn spans(&self) -> impl ExactSizeIterator<Item = WeekSpan> + '_ {
        (0..self.weeks).map(|index| self.span_at(index))
    }

    /// The week with 0-based `index < weeks`. The constructors proved that the last week's end
    /// fits in `i64`, so none of this arithmetic can overflow for such an index.
    pub(crate) const fn span_at(&self, index: u32) -> WeekSpan {
        let start_ms = self.start_ms + index as i64 * WEEK_MS;
        WeekSpan {
            number: index + 1,
            start_ms,
            end_ms: start_ms + (WEEK_MS - 1),
        }
    }

    /// The 0-based index of the week containing `instant_ms`, or `None` outside the window.
    pub fn index_of(&self, instant_ms: i64) -> Option<u32> {
        let raw = self.raw_index(instant_ms);
        (0..i64::from(self.weeks))
            .contains(&raw)
            .then_some(raw as u32)
    }

    /// Index of the week containing `instant_ms` on the unbounded grid of this window (negative
    /// before the window, ≥ `weeks` after it). Saturating subtraction keeps extreme instants on
    /// the right side: a saturated offset is still ≥ 1.5 × 10¹⁰ weeks away, far past
    /// [`Self::MAX_WEEKS`], so clamping afterwards gives the exact answer.
    #[inline]
    pub(crate) fn raw_index(&self, instant_ms: i64) -> i64 {
        instant_ms.saturating_sub(self.start_ms).div_euclid(WEEK_MS)
    }
}

fn check_weeks(weeks: u32) -> Result<(), WeekBucketsError> {
    if (1..=WeekWindow::MAX_WEEKS).contains(&weeks) {
        Ok(())
    } else {
        Err(WeekBucketsError::WeeksOutOfRange {
            weeks,
            max: WeekWindow::MAX_WEEKS,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY_MS: i64 = 24 * 60 * 60 * 1000;

    #[test]
    fn rolling_weeks_are_contiguous_and_end_before_the_anchor() -> Result<(), WeekBucketsError> {
        let w = WeekWindow::rolling(10 * WEEK_MS + 123, 3)?;
        let spans: Vec<_> = w.spans().collect();
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[0].start_ms, 7 * WEEK_MS + 123);
        for pair in spans.windows(2) {
            assert_eq!(pair[0].end_ms + 1, pair[1].start_ms);
        }
        assert_eq!(spans[2].end_ms, w.anchor_ms() - 1);
        assert_eq!(w.end_exclusive_ms(), w.anchor_ms());
        assert_eq!(
            spans.iter().map(|s| s.number).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        Ok(())
    }

    #[test]
    fn zero_and_too_many_weeks_are_rejected() {
        assert_eq!(
            WeekWindow::rolling(0, 0),
            Err(WeekBucketsError::WeeksOutOfRange {
                weeks: 0,
                max: 10_000
            })
        );
        assert!(WeekWindow::rolling(0, WeekWindow::MAX_WEEKS + 1).is_err());
        assert!(WeekWindow::calendar(0, 0, UtcOffset::UTC).is_err());
        assert!(WeekWindow::rolling(0, WeekWindow::MAX_WEEKS).is_ok());
    }

    #[test]
    fn extreme_anchors_are_errors_not_panics() {
        assert!(WeekWindow::rolling(i64::MIN, 1).is_err());
        assert!(WeekWindow::rolling(i64::MAX, 52).is_ok());
        assert!(WeekWindow::calendar(i64::MAX, 1, UtcOffset::UTC).is_err());
        assert!(WeekWindow::calendar(i64::MIN, 1, UtcOffset::UTC).is_err());
    }

    #[test]
    fn calendar_last_week_is_the_monday_week_containing_the_anchor() -> Result<(), WeekBucketsError>
    {
        // 2025-11-01 is a Saturday; its Monday is 2025-10-27 (20388 days after the epoch).
        let monday = 20_388 * DAY_MS;
        let saturday_17h = monday + 5 * DAY_MS + 17 * 3_600_000;
        let w = WeekWindow::calendar(saturday_17h, 2, UtcOffset::UTC)?;
        assert_eq!(w.week(1).map(|s| s.start_ms), Some(monday));
        assert_eq!(w.week(1).map(|s| s.end_ms), Some(monday + WEEK_MS - 1));
        assert_eq!(w.start_ms(), monday - WEEK_MS);
        // Exactly on Monday 00:00 the anchor starts a new last week.
        let on_edge = WeekWindow::calendar(monday, 1, UtcOffset::UTC)?;
        assert_eq!(on_edge.start_ms(), monday);
        let before_edge = WeekWindow::calendar(monday - 1, 1, UtcOffset::UTC)?;
        assert_eq!(before_edge.start_ms(), monday - WEEK_MS);
        Ok(())
    }

    #[test]
    fn calendar_respects_the_utc_offset() -> Result<(), Box<dyn std::error::Error>> {
        let monday = 20_388 * DAY_MS;
        // Sunday 23:00Z is already Monday 01:00 at +02:00: a new local week.
        let offset = UtcOffset::from_hms(2, 0, 0)?;
        let w = WeekWindow::calendar(monday - 3_600_000, 1, offset)?;
        assert_eq!(w.start_ms(), monday - 2 * 3_600_000);
        // At −05:00 Monday 03:00Z is still Sunday 22:00 local.
        let west = UtcOffset::from_hms(-5, 0, 0)?;
        let w = WeekWindow::calendar(monday + 3 * 3_600_000, 1, west)?;
        assert_eq!(w.start_ms(), monday - WEEK_MS + 5 * 3_600_000);
        Ok(())
    }

    #[test]
    fn index_of_respects_edges() -> Result<(), WeekBucketsError> {
        let w = WeekWindow::rolling(3 * WEEK_MS, 3)?;
        assert_eq!(w.index_of(-1), None);
        assert_eq!(w.index_of(0), Some(0));
        assert_eq!(w.index_of(WEEK_MS - 1), Some(0));
        assert_eq!(w.index_of(WEEK_MS), Some(1));
        assert_eq!(w.index_of(3 * WEEK_MS - 1), Some(2));
        assert_eq!(w.index_of(3 * WEEK_MS), None);
        assert_eq!(w.index_of(i64::MAX), None);
        assert_eq!(w.index_of(i64::MIN), None);
        Ok(())
    }
}

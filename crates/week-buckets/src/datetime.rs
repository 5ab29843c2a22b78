//! Conveniences for callers holding `time::OffsetDateTime` instead of epoch milliseconds.

use time::OffsetDateTime;

use crate::{Span, WeekBucketsError, WeekSpan, WeekWindow};

/// Milliseconds since the Unix epoch, rounded down (towards the past) to a whole millisecond.
pub fn epoch_ms(at: OffsetDateTime) -> i64 {
    // `time` spans ±9999 years ≈ ±3.2 × 10¹⁴ ms, well inside i64, so the narrowing is lossless.
    at.unix_timestamp_nanos().div_euclid(1_000_000) as i64
}

/// The UTC date-time of an epoch-millisecond instant.
///
/// # Errors
/// [`WeekBucketsError::InstantOutOfRange`] outside `time`'s range (±9999 years).
pub fn datetime_from_epoch_ms(ms: i64) -> Result<OffsetDateTime, WeekBucketsError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|_| WeekBucketsError::InstantOutOfRange { ms })
}

impl WeekWindow {
    /// [`WeekWindow::rolling`] ending at `end`.
    ///
    /// # Errors
    /// As [`WeekWindow::rolling`].
    pub fn rolling_at(end: OffsetDateTime, weeks: u32) -> Result<Self, WeekBucketsError> {
        Self::rolling(epoch_ms(end), weeks)
    }

    /// [`WeekWindow::calendar`] whose last week contains `end`, with weeks starting on Monday
    /// 00:00 at `end`'s own UTC offset.
    ///
    /// # Errors
    /// As [`WeekWindow::calendar`].
    pub fn calendar_at(end: OffsetDateTime, weeks: u32) -> Result<Self, WeekBucketsError> {
        Self::calendar(epoch_ms(end), weeks, end.offset())
    }
}

impl Span {
    /// A span from two date-times (any offsets).
    pub fn from_datetimes(start: OffsetDateTime, end: OffsetDateTime) -> Self {
        Self::new(epoch_ms(start), epoch_ms(end))
    }
}

impl WeekSpan {
    /// The week's first instant as a UTC date-time.
    ///
    /// # Errors
    /// [`WeekBucketsError::InstantOutOfRange`] outside `time`'s range.
    pub fn start_datetime(&self) -> Result<OffsetDateTime, WeekBucketsError> {
        datetime_from_epoch_ms(self.start_ms)
    }

    /// The week's last instant (inclusive) as a UTC date-time.
    ///
    /// # Errors
    /// [`WeekBucketsError::InstantOutOfRange`] outside `time`'s range.
    pub fn end_datetime(&self) -> Result<OffsetDateTime, WeekBucketsError> {
        datetime_from_epoch_ms(self.end_ms)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn epoch_ms_floors_and_round_trips() -> Result<(), WeekBucketsError> {
        assert_eq!(epoch_ms(datetime!(1970-01-01 00:00:00.000_999 UTC)), 0);
        assert_eq!(epoch_ms(datetime!(1969-12-31 23:59:59.999_5 UTC)), -1);
        let at = datetime!(2025-10-20 08:00:00.123 +02:00);
        assert_eq!(datetime_from_epoch_ms(epoch_ms(at))?, at);
        assert!(datetime_from_epoch_ms(i64::MAX).is_err());
        Ok(())
    }
}

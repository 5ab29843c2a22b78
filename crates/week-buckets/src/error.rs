//! The crate's single error type.

use thiserror::Error;

/// Why a window could not be built or items could not be bucketed.
///
/// Nothing in this crate panics on bad input; every rejected input ends up here.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WeekBucketsError {
    /// `weeks` was 0 or above [`WeekWindow::MAX_WEEKS`](crate::WeekWindow::MAX_WEEKS).
    #[error("weeks must be between 1 and {max}, got {weeks}")]
    WeeksOutOfRange {
        /// The rejected number of weeks.
        weeks: u32,
        /// The largest accepted number of weeks.
        max: u32,
    },
    /// The window's first or last instant does not fit in `i64` milliseconds
    /// (only happens for end instants within a few hundred thousand years of `i64`'s limits).
    #[error(
        "a window of {weeks} weeks ending at {end_ms} ms is not representable in i64 milliseconds"
    )]
    WindowOutOfRange {
        /// The requested end instant (Unix epoch milliseconds).
        end_ms: i64,
        /// The requested number of weeks.
        weeks: u32,
    },
    /// More items than a bucket entry can index ([`Presence::MAX_ITEMS`](crate::Presence::MAX_ITEMS),
    /// 2³⁰); entries pack a 30-bit item index and the status into 4 bytes.
    #[error("at most {max} items can be bucketed at once, got {len}")]
    TooManyItems {
        /// How many items were passed.
        len: usize,
        /// The largest accepted number of items.
        max: usize,
    },
    /// A millisecond instant outside the range `time::OffsetDateTime` can represent.
    #[error("instant {ms} ms is outside the representable date range")]
    InstantOutOfRange {
        /// The rejected instant (Unix epoch milliseconds).
        ms: i64,
    },
}

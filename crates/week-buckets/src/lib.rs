//! Weekly timelines of `[start, end]` items in linear time — the computation behind the
//! pattern-evolution endpoint, with no knowledge of HTTP or the database.
//!
//! A [`WeekWindow`] is `weeks` consecutive 7-day buckets, either rolling (the original's:
//! the last week ends 1 ms before the request instant) or calendar-aligned (Monday 00:00 at a
//! UTC offset). [`Timeline::build`] places every item in each week its closed interval overlaps
//! (`start ≤ weekEnd && end ≥ weekStart`) with a [`Status`]:
//!
//! * `new` — the item's start lies in the week;
//! * else `disappeared` — its end lies in the week and the [`StatusRule`] agrees
//!   ([`StatusRule::Fixed`]: not the final week; [`StatusRule::Original`]: end before the anchor);
//! * else `existing`.
//!
//! Entries keep input order within a week; counts by status and by a caller-supplied kind come
//! from the same pass ([`Timeline::build_with_kinds`]).
//!
//! # Complexity
//! Each item's first and last week come from two clamped divisions of its instants by the
//! constant week length. Items are then handled 64 at a time, one bit each: per week, the block
//! keeps the bits of its items that start there and of those that end there, and a sweep over
//! the weeks where something starts or ends yields one word for each week in which any of the
//! 64 is present (which are present, which `new`, which `disappeared`). Every word holds at
//! least one entry and costs `O(1)`, so building is `O(n + weeks × kinds + output)`; iterating a
//! week reads its words' set bits, `O(1)` per entry. The original filtered all `n` items once
//! per week: `O(n × weeks)` whatever the output size.
//!
//! # Edge cases
//! * Items wholly outside the window are skipped (they appear in no week).
//! * A reversed item (`end < start`, corrupt data) gets the overlap test literally, as the
//!   original did: present (as `new`) only in a week containing both instants, else nowhere.
//! * Any `i64` instant is accepted: instants are clamped to the window before any arithmetic,
//!   window constructors reject windows whose bounds do not fit in `i64` ms, and nothing panics.
//!
//! # Example (a request of the original's evolution route, answered as it answered it)
//! ```
//! use insights_week_buckets::{epoch_ms, Span, Status, StatusRule, Timeline, WeekWindow};
//! use time::macros::datetime;
//!
//! struct Pattern { id: &'static str, detected_ms: i64, last_seen_ms: i64 }
//! let patterns = [
//!     Pattern { id: "cmp1", detected_ms: epoch_ms(datetime!(2025-09-20 00:00 UTC)),
//!               last_seen_ms: epoch_ms(datetime!(2025-10-30 00:00 UTC)) },
//!     Pattern { id: "cmp2", detected_ms: epoch_ms(datetime!(2025-10-20 08:00 UTC)),
//!               last_seen_ms: epoch_ms(datetime!(2025-10-20 08:00 UTC)) },
//! ];
//! let window = WeekWindow::rolling_at(datetime!(2025-11-01 17:00 UTC), 3)?;
//! let span_of = |p: &Pattern| Span::new(p.detected_ms, p.last_seen_ms);
//!
//! let fixed = Timeline::build(&window, StatusRule::Fixed, &patterns, span_of)?;
//! let week3: Vec<_> = fixed.weeks().nth(2).into_iter()
//!     .flat_map(|w| w.entries().map(|(p, s)| (p.id, s)).collect::<Vec<_>>())
//!     .collect();
//! assert_eq!(week3, [("cmp1", Status::Existing)]);
//!
//! let original = Timeline::build(&window, StatusRule::Original, &patterns, span_of)?;
//! let week3 = original.week(2).map(|w| w.counts().disappeared);
//! assert_eq!(week3, Some(1));
//! # Ok::<(), insights_week_buckets::WeekBucketsError>(())
//! ```

mod block;
mod datetime;
mod error;
mod grid;
mod kinds;
mod presence;
mod span;
mod status;
mod tally;
mod timeline;
mod window;

#[doc(hidden)]
pub mod reference;

pub use datetime::{datetime_from_epoch_ms, epoch_ms};
pub use error::WeekBucketsError;
pub use presence::{Presence, Presences};
pub use span::Span;
pub use status::{Status, StatusCounts, StatusRule};
pub use timeline::{Timeline, WeekBucket};
pub use window::{Alignment, WEEK_MS, WeekSpan, WeekWindow};

//! UTC instants at millisecond precision, printed the way the original's JavaScript did.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::ModelError;

/// One UTC instant, truncated to whole milliseconds.
///
/// The original stored `timestamp(3)` columns and printed `Date#toISOString()`
/// (`2025-10-20T12:34:56.789Z`); this type keeps both properties by construction, so a value
/// read back from the database equals the value written.
///
/// ```
/// use insights_model::Timestamp;
/// let t = Timestamp::from_unix_millis(1_760_963_696_789).unwrap();
/// assert_eq!(t.to_string(), "2025-10-20T12:34:56.789Z");
/// assert_eq!(t.unix_millis(), 1_760_963_696_789);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// The earliest instant the store handles (0001-01-01, a lower bound for "all time").
    pub const MIN: Timestamp = Timestamp(time::macros::datetime!(0001-01-01 0:00 UTC));

    /// The latest instant the store handles (9999-12-31T23:59:59.999Z).
    pub const MAX: Timestamp = Timestamp(time::macros::datetime!(9999-12-31 23:59:59.999 UTC));

    /// The current instant, truncated to the millisecond.
    pub fn now() -> Self {
        Self::truncating(OffsetDateTime::now_utc())
    }

    /// Converts any instant to UTC and drops its sub-millisecond part (truncation, not rounding,
    /// as the original did for "now").
    pub fn truncating(at: OffsetDateTime) -> Self {
        let utc = at.to_offset(UtcOffset::UTC);
        let sub_ms = utc.nanosecond() % 1_000_000;
        Self(utc - Duration::nanoseconds(i64::from(sub_ms)))
    }

    /// The instant `ms` milliseconds after the Unix epoch.
    pub fn from_unix_millis(ms: i64) -> Result<Self, ModelError> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .map(Self)
            .map_err(|_| ModelError::TimestampOutOfRange(ms))
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        // The value is a whole number of milliseconds within `time`'s range (±9999 years),
        // which fits an i64 comfortably, so the narrowing cannot lose information.
        (self.0.unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Reads a naive UTC timestamp as stored in a `timestamp(3) without time zone` column.
    pub fn from_naive_utc(naive: PrimitiveDateTime) -> Self {
        Self::truncating(naive.assume_utc())
    }

    /// The naive UTC form for a `timestamp without time zone` column.
    pub fn to_naive_utc(self) -> PrimitiveDateTime {
        PrimitiveDateTime::new(self.0.date(), self.0.time())
    }

    /// The instant as a `time` value in UTC.
    pub fn as_offset(self) -> OffsetDateTime {
        self.0
    }

    /// Adds a (possibly negative) duration, saturating at the representable range.
    pub fn saturating_add(self, d: Duration) -> Self {
        Self::truncating(self.0.saturating_add(d))
    }

    /// Parses an RFC 3339 instant (`2025-10-01T00:00:00Z`, `…+02:00`, fractional seconds
    /// allowed) or a bare date `YYYY-MM-DD` (UTC midnight, as JavaScript's `Date` does).
    pub fn parse(input: &str) -> Result<Self, ModelError> {
        let bad = || ModelError::InvalidTimestamp(input.to_owned());
        if let Ok(at) = OffsetDateTime::parse(input, &Rfc3339) {
            // A valid local time can lie outside `time`'s range once moved to UTC
            // (`9999-12-31T23:00:00-02:00`); `truncating` would panic on it.
            let utc = at.checked_to_offset(UtcOffset::UTC).ok_or_else(bad)?;
            return Ok(Self::truncating(utc));
        }
        let date_only = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(input, &date_only)
            .map(|d| Self(d.midnight().assume_utc()))
            .map_err(|_| bad())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Timestamp::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_past_the_range_in_utc_are_errors_not_panics() {
        for late in ["9999-12-31T23:00:00-02:00", "9999-12-31T23:59:59.999-00:01"] {
            assert!(
                matches!(Timestamp::parse(late), Err(ModelError::InvalidTimestamp(_))),
                "{late}"
            );
        }
        let edge = Timestamp::parse("9999-12-31T21:00:00-02:00").expect("23:00 UTC fits");
        assert_eq!(edge.to_string(), "9999-12-31T23:00:00.000Z");
    }

    #[test]
    fn prints_exactly_three_fraction_digits_and_z() {
        let t = Timestamp::from_unix_millis(0).expect("epoch");
        assert_eq!(t.to_string(), "1970-01-01T00:00:00.000Z");
        let json = serde_json::to_string(&t).expect("json");
        assert_eq!(json, "\"1970-01-01T00:00:00.000Z\"");
    }

    #[test]
    fn truncates_sub_millisecond_parts_instead_of_rounding() {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_999_999).expect("valid");
        assert_eq!(Timestamp::truncating(at).unix_millis(), 1);
    }

    #[test]
    fn parses_offsets_dates_and_rejects_garbage() {
        let t = Timestamp::parse("2025-10-01T02:00:00+02:00").expect("offset");
        assert_eq!(t.to_string(), "2025-10-01T00:00:00.000Z");
        let d = Timestamp::parse("2025-10-01").expect("date");
        assert_eq!(d.to_string(), "2025-10-01T00:00:00.000Z");
        for bad in ["", "yesterday", "2025-13-01", "2025-10-01T00:00:00 02:00"] {
            assert!(Timestamp::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn naive_round_trip_is_lossless() {
        let t = Timestamp::from_unix_millis(1_760_963_696_789).expect("valid");
        assert_eq!(Timestamp::from_naive_utc(t.to_naive_utc()), t);
    }
}

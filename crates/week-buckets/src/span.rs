//! An item's lifetime on the time line, as the bucketing sees it.

/// The closed interval `[start_ms, end_ms]` an item was observed in (for patterns:
/// `detectedAt` and `lastSeenAt`), in Unix epoch milliseconds.
///
/// **Reversed spans** (`end_ms < start_ms`, which only corrupt data can produce) get the
/// original's overlap test taken literally, `start ≤ weekEnd && end ≥ weekStart` (see
/// [`Span::overlaps`]): such an item is present, as `new`, only in a week containing both of its
/// instants, and in no week otherwise. Nothing panics on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// First instant the item was seen (inclusive).
    pub start_ms: i64,
    /// Last instant the item was seen (inclusive).
    pub end_ms: i64,
}

impl Span {
    /// A span from its two instants, as given (not normalised).
    pub const fn new(start_ms: i64, end_ms: i64) -> Self {
        Self { start_ms, end_ms }
    }

    /// A single instant.
    pub const fn point(at_ms: i64) -> Self {
        Self::new(at_ms, at_ms)
    }

    /// Whether the span overlaps `[from_ms, to_ms]` (both inclusive): `start ≤ to && end ≥ from`,
    /// the test that decides presence in a week. A reversed span passes it only when the range
    /// holds both of its instants.
    pub const fn overlaps(self, from_ms: i64, to_ms: i64) -> bool {
        self.start_ms <= to_ms && self.end_ms >= from_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_is_closed_on_both_ends() {
        let s = Span::new(10, 20);
        assert!(s.overlaps(20, 30));
        assert!(s.overlaps(0, 10));
        assert!(!s.overlaps(21, 30));
        assert!(!s.overlaps(0, 9));
        // Reversed: only a range holding both instants.
        assert!(!Span::new(10, 3).overlaps(3, 9));
        assert!(Span::new(10, 3).overlaps(3, 10));
    }
}

//! An item's lifetime on the time line, as the bucketing sees it.

/// The closed interval `[start_ms, end_ms]` an item was observed in (for patterns:
/// `detectedAt` and `lastSeenAt`), in Unix epoch milliseconds.
///
/// **Reversed spans** (`end_ms < start_ms`, which only corrupt data can produce) are read as the
/// single instant `start_ms` — see [`Span::normalized`]. That keeps such an item visible, as
/// `new`, in the week it was detected instead of silently dropping it, and never panics.
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

    /// The span the bucketing uses: itself, or the point at `start_ms` if reversed.
    #[inline]
    pub const fn normalized(self) -> Self {
        if self.end_ms < self.start_ms {
            Self::point(self.start_ms)
        } else {
            self
        }
    }

    /// Whether the span, normalised, overlaps `[from_ms, to_ms]` (both inclusive).
    pub const fn overlaps(self, from_ms: i64, to_ms: i64) -> bool {
        let s = self.normalized();
        s.start_ms <= to_ms && s.end_ms >= from_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversed_span_becomes_a_point_at_its_start() {
        assert_eq!(Span::new(10, 3).normalized(), Span::point(10));
        assert_eq!(Span::new(3, 10).normalized(), Span::new(3, 10));
    }

    #[test]
    fn overlap_is_closed_on_both_ends() {
        let s = Span::new(10, 20);
        assert!(s.overlaps(20, 30));
        assert!(s.overlaps(0, 10));
        assert!(!s.overlaps(21, 30));
        assert!(!s.overlaps(0, 9));
        assert!(!Span::new(10, 3).overlaps(3, 9));
    }
}

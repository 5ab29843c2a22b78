//! **Not part of the API.** The original's two `O(n × weeks)` loops, kept only so tests can
//! check the linear version against them and benchmarks can measure the difference.
//!
//! Both apply the overlap test literally ([`Span::overlaps`]), reversed spans included, as the
//! original did.

use crate::{Span, Status, StatusRule, Timeline, WeekSpan, WeekWindow};

/// Per week (oldest first), `(item index, status)` in input order.
pub type WeekEntries = Vec<Vec<(usize, Status)>>;

/// The pre-"optimisation" loop: for every week, every item is re-read (its instants recomputed,
/// as the original rebuilt `Date` objects) and tested for overlap.
pub fn naive<T>(
    window: &WeekWindow,
    rule: StatusRule,
    items: &[T],
    span_of: impl Fn(&T) -> Span,
) -> WeekEntries {
    let mut weeks = Vec::with_capacity(window.weeks() as usize);
    for week in window.spans() {
        let mut entries = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let span = span_of(item);
            if span.overlaps(week.start_ms, week.end_ms) {
                entries.push((index, status_in(window, rule, &week, span)));
            }
        }
        weeks.push(entries);
    }
    weeks
}

/// The seed's "after" version: instants computed once, but still a filter over **all** items
/// inside a map over the weeks — `O(n × weeks)` with a smaller constant.
pub fn seed_after<T>(
    window: &WeekWindow,
    rule: StatusRule,
    items: &[T],
    span_of: impl Fn(&T) -> Span,
) -> WeekEntries {
    let spans: Vec<Span> = items.iter().map(span_of).collect();
    window
        .spans()
        .map(|week| {
            spans
                .iter()
                .enumerate()
                .filter(|(_, span)| span.start_ms <= week.end_ms && span.end_ms >= week.start_ms)
                .map(|(index, span)| (index, status_in(window, rule, &week, *span)))
                .collect()
        })
        .collect()
}

/// The same shape from a [`Timeline`], for comparisons.
pub fn entries_of<T, K: Eq>(timeline: &Timeline<'_, T, K>) -> WeekEntries {
    timeline
        .weeks()
        .map(|week| {
            week.presences()
                .map(|p| (p.item_index(), p.status()))
                .collect()
        })
        .collect()
}

/// The status rule written as the original states it, with instant comparisons only.
fn status_in(window: &WeekWindow, rule: StatusRule, week: &WeekSpan, span: Span) -> Status {
    if week.contains(span.start_ms) {
        return Status::New;
    }
    let gone = week.contains(span.end_ms)
        && match rule {
            StatusRule::Fixed => week.number != window.weeks(),
            StatusRule::Original => span.end_ms < window.anchor_ms(),
        };
    if gone {
        Status::Disappeared
    } else {
        Status::Existing
    }
}

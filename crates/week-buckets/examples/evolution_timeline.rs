//! A pattern-evolution timeline from a handful of in-memory patterns: which patterns are
//! present in each week, with their status, and the per-week counts by status and by type.
//! Then the same patterns under the original's status rule, to show the one week where the
//! two rules differ.
//!
//! Run: `cargo run -p insights-week-buckets --example evolution_timeline`

use insights_week_buckets::{
    Span, StatusRule, Timeline, WeekBucketsError, WeekWindow, datetime_from_epoch_ms,
};
use time::OffsetDateTime;
use time::macros::datetime;

/// The columns of a stored pattern the timeline needs.
struct Pattern {
    id: &'static str,
    kind: &'static str,
    detected_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
}

fn patterns() -> [Pattern; 5] {
    [
        Pattern {
            id: "p1",
            kind: "OPTIMAL_STUDY_TIME",
            detected_at: datetime!(2025-09-29 08:00 UTC),
            last_seen_at: datetime!(2025-10-31 19:00 UTC),
        },
        Pattern {
            id: "p2",
            kind: "FORGETTING_CURVE",
            detected_at: datetime!(2025-10-08 12:00 UTC),
            last_seen_at: datetime!(2025-10-16 12:00 UTC),
        },
        Pattern {
            id: "p3",
            kind: "OPTIMAL_STUDY_TIME",
            detected_at: datetime!(2025-10-21 07:30 UTC),
            last_seen_at: datetime!(2025-10-21 07:30 UTC),
        },
        Pattern {
            id: "p4",
            kind: "SESSION_DURATION_PREFERENCE",
            detected_at: datetime!(2025-10-27 18:00 UTC),
            last_seen_at: datetime!(2025-10-30 18:00 UTC),
        },
        // Last seen long before the window: in no week.
        Pattern {
            id: "p5",
            kind: "FORGETTING_CURVE",
            detected_at: datetime!(2025-06-01 09:00 UTC),
            last_seen_at: datetime!(2025-06-20 09:00 UTC),
        },
    ]
}

fn main() -> Result<(), WeekBucketsError> {
    let patterns = patterns();
    let span_of = |p: &Pattern| Span::from_datetimes(p.detected_at, p.last_seen_at);
    let kind_of = |p: &Pattern| p.kind;

    // Five calendar weeks (Monday 00:00 UTC) ending with the week of the request.
    let now = datetime!(2025-11-01 17:00 UTC);
    let window = WeekWindow::calendar_at(now, 5)?;
    let timeline =
        Timeline::build_with_kinds(&window, StatusRule::Fixed, &patterns, span_of, kind_of)?;
    println!(
        "{} of {} patterns present in {} calendar weeks, {} (week, pattern) entries",
        timeline.present_items(),
        patterns.len(),
        window.weeks(),
        timeline.total_entries()
    );
    for week in timeline.weeks() {
        let counts = week.counts();
        let entries: Vec<String> = week
            .entries()
            .map(|(p, status)| format!("{} {}", p.id, status.as_str()))
            .collect();
        let kinds: Vec<String> = week
            .kind_counts()
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect();
        println!(
            "week {} {}..{}  new {} existing {} disappeared {}  [{}]  by type: {}",
            week.number(),
            datetime_from_epoch_ms(week.start_ms())?.date(),
            datetime_from_epoch_ms(week.end_ms())?.date(),
            counts.new,
            counts.existing,
            counts.disappeared,
            entries.join(", "),
            kinds.join(", "),
        );
    }

    // The original's rolling window (3 weeks ending at the request instant) under both rules:
    // the original calls a pattern last seen yesterday "disappeared" in the current week.
    let rolling = WeekWindow::rolling_at(now, 3)?;
    for rule in [StatusRule::Original, StatusRule::Fixed] {
        let timeline = Timeline::build(&rolling, rule, &patterns, span_of)?;
        let last = timeline.weeks().last();
        let statuses: Vec<String> = last
            .iter()
            .flat_map(|week| week.entries())
            .map(|(p, status)| format!("{} {}", p.id, status.as_str()))
            .collect();
        println!(
            "rolling window, {rule:?} rule, current week: {}",
            statuses.join(", ")
        );
    }
    Ok(())
}

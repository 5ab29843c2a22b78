//! The worked example of the original's evolution route, under both status rules.

use insights_week_buckets::{
    Span, Status, StatusRule, Timeline, WeekBucketsError, WeekWindow, epoch_ms,
};
use time::macros::datetime;

struct Pattern {
    id: &'static str,
    detected_ms: i64,
    last_seen_ms: i64,
}

fn patterns() -> [Pattern; 2] {
    [
        Pattern {
            id: "cmp1",
            detected_ms: epoch_ms(datetime!(2025-09-20 00:00 UTC)),
            last_seen_ms: epoch_ms(datetime!(2025-10-30 00:00 UTC)),
        },
        Pattern {
            id: "cmp2",
            detected_ms: epoch_ms(datetime!(2025-10-20 08:00 UTC)),
            last_seen_ms: epoch_ms(datetime!(2025-10-20 08:00 UTC)),
        },
    ]
}

fn window() -> Result<WeekWindow, WeekBucketsError> {
    WeekWindow::rolling_at(datetime!(2025-11-01 17:00 UTC), 3)
}

fn weeks_of(rule: StatusRule) -> Result<Vec<Vec<(&'static str, Status)>>, WeekBucketsError> {
    let patterns = patterns();
    let timeline = Timeline::build(&window()?, rule, &patterns, |p| {
        Span::new(p.detected_ms, p.last_seen_ms)
    })?;
    Ok(timeline
        .weeks()
        .map(|week| week.entries().map(|(p, s)| (p.id, s)).collect())
        .collect())
}

#[test]
fn week_boundaries_match_the_contract() -> Result<(), WeekBucketsError> {
    let window = window()?;
    assert_eq!(window.start_ms(), epoch_ms(datetime!(2025-10-11 17:00 UTC)));
    assert_eq!(
        window.anchor_ms(),
        epoch_ms(datetime!(2025-11-01 17:00 UTC))
    );
    let expected = [
        (
            datetime!(2025-10-11 17:00 UTC),
            datetime!(2025-10-18 16:59:59.999 UTC),
        ),
        (
            datetime!(2025-10-18 17:00 UTC),
            datetime!(2025-10-25 16:59:59.999 UTC),
        ),
        (
            datetime!(2025-10-25 17:00 UTC),
            datetime!(2025-11-01 16:59:59.999 UTC),
        ),
    ];
    let spans: Vec<_> = window.spans().collect();
    assert_eq!(spans.len(), 3);
    for (number, (span, (start, end))) in (1..).zip(spans.iter().zip(expected)) {
        assert_eq!(span.number, number);
        assert_eq!(span.start_ms, epoch_ms(start));
        assert_eq!(span.end_ms, epoch_ms(end));
        assert_eq!(span.start_datetime()?, start);
        assert_eq!(span.end_datetime()?, end);
    }
    Ok(())
}

#[test]
fn original_rule_reproduces_the_contract_response() -> Result<(), WeekBucketsError> {
    assert_eq!(
        weeks_of(StatusRule::Original)?,
        vec![
            vec![("cmp1", Status::Existing)],
            vec![("cmp1", Status::Existing), ("cmp2", Status::New)],
            vec![("cmp1", Status::Disappeared)],
        ]
    );
    Ok(())
}

#[test]
fn fixed_rule_keeps_a_pattern_seen_in_the_final_week_active() -> Result<(), WeekBucketsError> {
    assert_eq!(
        weeks_of(StatusRule::Fixed)?,
        vec![
            vec![("cmp1", Status::Existing)],
            vec![("cmp1", Status::Existing), ("cmp2", Status::New)],
            vec![("cmp1", Status::Existing)],
        ]
    );
    Ok(())
}

//! Per-week counts by status and kind agree with the entries themselves.

use insights_week_buckets::{
    Span, Status, StatusRule, Timeline, WEEK_MS, WeekBucketsError, WeekWindow,
};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    StudyTime,
    ForgettingCurve,
}

#[test]
fn kind_counts_follow_presence() -> Result<(), WeekBucketsError> {
    let window = WeekWindow::rolling(4 * WEEK_MS, 4)?;
    let items = [
        (Span::new(0, WEEK_MS), Kind::StudyTime), // weeks 1–2
        (Span::new(WEEK_MS, 4 * WEEK_MS), Kind::StudyTime), // weeks 2–4
        (Span::new(-WEEK_MS, 10 * WEEK_MS), Kind::ForgettingCurve), // all
        (Span::new(9 * WEEK_MS, 10 * WEEK_MS), Kind::ForgettingCurve), // outside
    ];
    let timeline = Timeline::build_with_kinds(
        &window,
        StatusRule::Fixed,
        &items,
        |(span, _)| *span,
        |(_, kind)| *kind,
    )?;
    assert_eq!(timeline.kinds(), [Kind::StudyTime, Kind::ForgettingCurve]);
    assert_eq!(timeline.present_items(), 3);
    let study: Vec<_> = timeline
        .weeks()
        .map(|w| w.count_of_kind(&Kind::StudyTime))
        .collect();
    let forgetting: Vec<_> = timeline
        .weeks()
        .map(|w| w.count_of_kind(&Kind::ForgettingCurve))
        .collect();
    assert_eq!(study, [1, 2, 1, 1]);
    assert_eq!(forgetting, [1, 1, 1, 1]);
    for week in timeline.weeks() {
        let sum: usize = week.kind_counts().map(|(_, n)| n).sum();
        assert_eq!(sum, week.len());
        for status in [Status::New, Status::Existing, Status::Disappeared] {
            let n = week.entries().filter(|(_, s)| *s == status).count();
            assert_eq!(
                week.counts().get(status),
                n,
                "week {} {status:?}",
                week.number()
            );
        }
    }
    Ok(())
}

#[test]
fn unknown_kind_counts_zero() -> Result<(), WeekBucketsError> {
    let window = WeekWindow::rolling(WEEK_MS, 1)?;
    let items = [(Span::point(0), "a")];
    let timeline =
        Timeline::build_with_kinds(&window, StatusRule::Fixed, &items, |(s, _)| *s, |(_, k)| *k)?;
    let week = timeline.week(0);
    assert_eq!(week.map(|w| w.count_of_kind(&"a")), Some(1));
    assert_eq!(week.map(|w| w.count_of_kind(&"b")), Some(0));
    assert!(timeline.week(1).is_none());
    Ok(())
}

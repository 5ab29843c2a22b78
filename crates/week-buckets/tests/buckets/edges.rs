//! Hand-picked edge cases: bucket edges, outside items, reversed items, extremes, calendar weeks.

use insights_week_buckets::reference::{entries_of, naive};
use insights_week_buckets::{
    Span, Status, StatusRule, Timeline, WEEK_MS, WeekBucketsError, WeekWindow,
};
use time::UtcOffset;

type Entries = Vec<Vec<(usize, Status)>>;

fn bucket(
    window: &WeekWindow,
    rule: StatusRule,
    spans: &[Span],
) -> Result<Entries, WeekBucketsError> {
    let timeline = Timeline::build(window, rule, spans, |s| *s)?;
    let fast = entries_of(&timeline);
    assert_eq!(
        fast,
        naive(window, rule, spans, |s| *s),
        "fast and naive differ"
    );
    Ok(fast)
}

#[test]
fn empty_input_gives_empty_weeks() -> Result<(), WeekBucketsError> {
    let window = WeekWindow::rolling(52 * WEEK_MS, 52)?;
    let timeline = Timeline::build(&window, StatusRule::Fixed, &[] as &[Span], |s| *s)?;
    assert_eq!(timeline.weeks().len(), 52);
    assert!(
        timeline
            .weeks()
            .all(|w| w.is_empty() && w.counts().total() == 0)
    );
    assert_eq!(timeline.total_entries(), 0);
    assert_eq!(timeline.present_items(), 0);
    Ok(())
}

#[test]
fn instants_on_and_around_week_edges() -> Result<(), WeekBucketsError> {
    // Window [0, 3 weeks): week 1 = [0, W−1], week 2 = [W, 2W−1], week 3 = [2W, 3W−1].
    let w = WEEK_MS;
    let window = WeekWindow::rolling(3 * w, 3)?;
    let spans = [
        Span::new(w - 1, w),         // 0: new in week 1, ends first ms of week 2
        Span::new(w, 2 * w - 1),     // 1: exactly week 2
        Span::new(-1, 0),            // 2: starts before the window, ends on its first ms
        Span::new(3 * w - 1, 3 * w), // 3: starts on the last ms, ends after the window
        Span::new(3 * w, 4 * w),     // 4: starts at the exclusive end: outside
        Span::new(-w, -1),           // 5: ends 1 ms before the window: outside
    ];
    let got = bucket(&window, StatusRule::Fixed, &spans)?;
    assert_eq!(
        got,
        vec![
            vec![(0, Status::New), (2, Status::Disappeared)],
            vec![(0, Status::Disappeared), (1, Status::New)],
            vec![(3, Status::New)],
        ]
    );
    Ok(())
}

#[test]
fn item_spanning_the_whole_window_is_existing_everywhere() -> Result<(), WeekBucketsError> {
    let window = WeekWindow::rolling(10 * WEEK_MS, 4)?;
    for rule in [StatusRule::Fixed, StatusRule::Original] {
        let got = bucket(&window, rule, &[Span::new(i64::MIN, i64::MAX)])?;
        assert_eq!(got, vec![vec![(0, Status::Existing)]; 4]);
    }
    Ok(())
}

#[test]
fn reversed_item_is_present_only_in_a_week_holding_both_instants() -> Result<(), WeekBucketsError> {
    let window = WeekWindow::rolling(3 * WEEK_MS, 3)?;
    // Starts in week 3, "ends" in week 1: no week has `start ≤ weekEnd && end ≥ weekStart`
    // (the original's test), so it is in none, whatever the window length.
    let got = bucket(&window, StatusRule::Fixed, &[Span::new(2 * WEEK_MS + 5, 5)])?;
    assert_eq!(got, vec![Vec::new(); 3]);
    // Both instants in week 2, in either order: shown once, as new, there.
    for span in [
        Span::new(WEEK_MS + 9, WEEK_MS + 2),
        Span::new(WEEK_MS + 2, WEEK_MS + 9),
    ] {
        let got = bucket(&window, StatusRule::Original, &[span])?;
        assert_eq!(got[1], vec![(0, Status::New)]);
        assert_eq!(got.iter().map(Vec::len).sum::<usize>(), 1);
    }
    // Reversed within the final week: new there, under either rule.
    for rule in [StatusRule::Fixed, StatusRule::Original] {
        let got = bucket(&window, rule, &[Span::new(3 * WEEK_MS - 1, 2 * WEEK_MS)])?;
        assert_eq!(got, vec![vec![], vec![], vec![(0, Status::New)]]);
    }
    Ok(())
}

#[test]
fn rules_differ_only_in_the_final_week() -> Result<(), WeekBucketsError> {
    let window = WeekWindow::rolling(3 * WEEK_MS, 3)?;
    let spans = [
        Span::new(-WEEK_MS, 2 * WEEK_MS + 10), // ends in the final week
        Span::new(-WEEK_MS, WEEK_MS + 10),     // ends in week 2
        Span::new(-WEEK_MS, 3 * WEEK_MS - 1),  // ends on the window's last ms
    ];
    let original = bucket(&window, StatusRule::Original, &spans)?;
    let fixed = bucket(&window, StatusRule::Fixed, &spans)?;
    assert_eq!(original[1][1], (1, Status::Disappeared));
    assert_eq!(fixed[1][1], (1, Status::Disappeared));
    assert_eq!(
        original[2],
        vec![(0, Status::Disappeared), (2, Status::Disappeared)]
    );
    assert_eq!(fixed[2], vec![(0, Status::Existing), (2, Status::Existing)]);
    Ok(())
}

#[test]
fn original_rule_in_a_calendar_window_compares_with_the_anchor() -> Result<(), WeekBucketsError> {
    // The last calendar week extends past the anchor; an end after the anchor is not "gone".
    let monday = 20_388 * 86_400_000; // 2025-10-27
    let anchor = monday + 2 * 86_400_000;
    let window = WeekWindow::calendar(anchor, 2, UtcOffset::UTC)?;
    let spans = [
        Span::new(monday - WEEK_MS, anchor - 1),
        Span::new(monday - WEEK_MS, anchor),
    ];
    let got = bucket(&window, StatusRule::Original, &spans)?;
    assert_eq!(
        got[1],
        vec![(0, Status::Disappeared), (1, Status::Existing)]
    );
    Ok(())
}

#[test]
fn extreme_instants_never_panic() -> Result<(), WeekBucketsError> {
    let extremes = [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX - 1, i64::MAX];
    let spans: Vec<Span> = extremes
        .iter()
        .flat_map(|&a| extremes.iter().map(move |&b| Span::new(a, b)))
        .collect();
    for window in [
        WeekWindow::rolling(i64::MAX, 52)?,
        WeekWindow::rolling(i64::MIN + 52 * WEEK_MS, 52)?,
        WeekWindow::rolling(0, 1)?,
        WeekWindow::calendar(i64::MAX - WEEK_MS, 3, UtcOffset::UTC)?,
    ] {
        for rule in [StatusRule::Fixed, StatusRule::Original] {
            bucket(&window, rule, &spans)?;
        }
    }
    Ok(())
}

/// The builder writes an item's first weeks unconditionally and only advances the cursors of
/// weeks the item is in; these inputs make such writes land on a week's next free slot (later
/// overwritten), on a full week's spare slot, and past the window, in every order.
#[test]
fn unconditional_writes_never_clobber_entries() -> Result<(), WeekBucketsError> {
    let w = WEEK_MS;
    let window = WeekWindow::rolling(3 * w, 3)?;
    let spans = [
        Span::point(2 * w + 5), // 0: week 3 only, written before anything in weeks 1–2
        Span::point(5),         // 1: week 1 only: writes into weeks 2, 3 and past
        Span::new(w + 5, 2 * w + 5), // 2: weeks 2–3, after week 2's slot was written over
        Span::point(10),        // 3: week 1 only, week 3 now holds 2 entries
        Span::new(-w, 4 * w),   // 4: every week, from before to after the window
        Span::point(2 * w + 6), // 5: week 3 only, last item: week 3's last real slot
        Span::new(i64::MIN, i64::MAX), // 6: every week again
    ];
    let entries = bucket(&window, StatusRule::Fixed, &spans)?;
    use Status::{Disappeared, Existing, New};
    assert_eq!(
        entries,
        vec![
            vec![
                (1, Disappeared),
                (3, Disappeared),
                (4, Existing),
                (6, Existing)
            ]
            .into_iter()
            .map(|(i, s)| (i, if i == 1 || i == 3 { New } else { s }))
            .collect::<Vec<_>>(),
            vec![(2, New), (4, Existing), (6, Existing)],
            vec![
                (0, New),
                (2, Existing),
                (4, Existing),
                (5, New),
                (6, Existing)
            ],
        ]
    );
    // One week only: every unconditional write past week 1 goes to the scratch slot.
    let one = WeekWindow::rolling(w, 1)?;
    let entries = bucket(
        &one,
        StatusRule::Original,
        &[Span::point(1), Span::new(-1, 2)],
    )?;
    assert_eq!(entries, vec![vec![(0, New), (1, Disappeared)]]);
    Ok(())
}

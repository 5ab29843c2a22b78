//! Property tests: the linear timeline equals both O(n × weeks) references on random input
//! concentrated on bucket edges, plus extremes, reversed spans and items outside the window.

use insights_week_buckets::reference::{entries_of, naive, seed_after};
use insights_week_buckets::{Span, StatusRule, Timeline, WEEK_MS, WeekWindow};
use proptest::prelude::*;
use time::UtcOffset;

/// Request instants: a realistic one, both i64 extremes (as far as a window allows) and any.
fn anchor() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(1_762_016_400_000_i64), // 2025-11-01T17:00Z
        Just(i64::MAX),
        Just(i64::MIN + 60 * WEEK_MS),
        -4_000_000_000_000_i64..4_000_000_000_000,
        any::<i64>(),
    ]
}

/// Week counts on both sides of 62, the largest window whose grid fits one 64-bit mask (the
/// builder switches to a position list above it).
fn weeks() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(1_u32),
        Just(2),
        Just(3),
        Just(52),
        Just(62),
        Just(63),
        1_u32..=60,
        61_u32..=130,
    ]
}

fn window() -> impl Strategy<Value = WeekWindow> {
    (anchor(), weeks(), any::<bool>(), -86_399_i32..=86_399).prop_filter_map(
        "window not representable",
        |(end, weeks, calendar, offset_s)| {
            if calendar {
                let offset = UtcOffset::from_whole_seconds(offset_s).ok()?;
                WeekWindow::calendar(end, weeks, offset).ok()
            } else {
                WeekWindow::rolling(end, weeks).ok()
            }
        },
    )
}

/// An instant relative to the window: a bucket edge (weeks −2 … weeks+2) plus −1, 0, +1 ms or
/// anywhere in that week; or an extreme value.
fn instant(window: WeekWindow) -> impl Strategy<Value = i64> {
    let weeks = i64::from(window.weeks());
    let start = window.start_ms();
    let near_edge = (
        -2..=weeks + 2,
        prop_oneof![Just(-1_i64), Just(0), Just(1), 0..WEEK_MS],
    )
        .prop_map(move |(edge, delta)| {
            let at = i128::from(start) + i128::from(edge) * i128::from(WEEK_MS) + i128::from(delta);
            at.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
        });
    prop_oneof![
        8 => near_edge,
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(window.anchor_ms()), any::<i64>()],
    ]
}

fn case() -> impl Strategy<Value = (WeekWindow, Vec<Span>)> {
    window().prop_flat_map(|window| {
        let span = (instant(window), instant(window)).prop_map(|(a, b)| Span::new(a, b));
        // Up to three blocks of 64 items, the last one usually partial.
        (Just(window), prop::collection::vec(span, 0..150))
    })
}

fn rule() -> impl Strategy<Value = StatusRule> {
    prop_oneof![Just(StatusRule::Fixed), Just(StatusRule::Original)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn fast_equals_both_references((window, spans) in case(), rule in rule()) {
        let timeline = Timeline::build(&window, rule, &spans, |s| *s)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let fast = entries_of(&timeline);
        prop_assert_eq!(&fast, &naive(&window, rule, &spans, |s| *s));
        prop_assert_eq!(&fast, &seed_after(&window, rule, &spans, |s| *s));
    }

    #[test]
    fn counts_match_entries((window, spans) in case(), rule in rule(), kinds in 1_i64..=3) {
        // One kind makes every block single-kind; two or three mix kinds within blocks.
        let kind_of = |s: &Span| s.start_ms.rem_euclid(kinds);
        let timeline = Timeline::build_with_kinds(&window, rule, &spans, |s| *s, kind_of)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut entries = 0;
        for week in timeline.weeks() {
            entries += week.len();
            let mut by_status = insights_week_buckets::StatusCounts::default();
            for (_, status) in week.entries() {
                match status {
                    insights_week_buckets::Status::New => by_status.new += 1,
                    insights_week_buckets::Status::Existing => by_status.existing += 1,
                    insights_week_buckets::Status::Disappeared => by_status.disappeared += 1,
                }
            }
            prop_assert_eq!(week.counts(), by_status);
            for (kind, count) in week.kind_counts() {
                let n = week.entries().filter(|(s, _)| kind_of(s) == *kind).count();
                prop_assert_eq!(count, n);
            }
        }
        prop_assert_eq!(entries, timeline.total_entries());
        let present = spans.iter().filter(|s| {
            timeline.window().spans().any(|w| s.overlaps(w.start_ms, w.end_ms))
        }).count();
        prop_assert_eq!(present, timeline.present_items());
    }
}

//! Evolution and effectiveness reads.

use insights_model::*;
use insights_testkit::{TestDb, both_backends};

use crate::fixtures::*;

both_backends!(
    overlap_is_closed_on_both_ends_and_filters_by_type,
    effectiveness_rows_must_lie_inside_the_window,
    timestamps_keep_millisecond_precision,
    long_incompressible_evidence_is_stored_and_read_back_whole
);

async fn overlap_is_closed_on_both_ends_and_filters_by_type(db: TestDb) {
    let store = &db.store;
    let (start, end) = (NOW - 7 * DAY, NOW);
    store
        .insert_patterns(&[
            pattern("u1", PatternType::ForgettingCurve, 0.8, start - DAY, start), // touches start
            pattern("u1", PatternType::OptimalStudyTime, 0.8, end, end + DAY),    // touches end
            pattern(
                "u1",
                PatternType::OptimalStudyTime,
                0.8,
                start - 2 * DAY,
                start - 1,
            ), // ends 1 ms early
            pattern("u1", PatternType::AttentionCycle, 0.8, end + 1, end + DAY), // starts 1 ms late
            pattern("u2", PatternType::OptimalStudyTime, 0.8, start, end),       // other user
        ])
        .await
        .expect("insert");
    let all = store
        .patterns_overlapping("u1", at(start), at(end), None)
        .await
        .expect("read");
    assert_eq!(
        all.iter().map(|p| p.pattern_type).collect::<Vec<_>>(),
        vec![PatternType::OptimalStudyTime, PatternType::ForgettingCurve],
        "enum declaration order, not alphabetical"
    );
    let only = store
        .patterns_overlapping("u1", at(start), at(end), Some(PatternType::ForgettingCurve))
        .await
        .expect("read");
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].last_seen_at, at(start));
}

async fn effectiveness_rows_must_lie_inside_the_window(db: TestDb) {
    let store = &db.store;
    store
        .ensure_user("u1", None, None, at(NOW))
        .await
        .expect("user");
    let active = store
        .insert_config(
            "u1",
            PersonalizationContext::Mission,
            "Balanced",
            0.7,
            true,
            at(NOW),
        )
        .await
        .expect("config");
    store
        .insert_config(
            "u1",
            PersonalizationContext::Content,
            "Conservative",
            0.6,
            false,
            at(NOW),
        )
        .await
        .expect("inactive config");
    let row = |s: i64, e: i64, ret: Option<f64>| NewEffectiveness {
        user_id: "u1".into(),
        config_id: active.clone(),
        row: EffectivenessRow {
            start_date: at(s),
            end_date: at(e),
            retention_improvement: ret,
            performance_improvement: Some(7.5),
            completion_rate_change: None,
            engagement_change: Some(2.0),
            composite_score: 61.2,
            is_statistically_significant: true,
            sample_size: 20,
            correlation: Some(0.55),
            p_value: Some(0.04),
        },
    };
    let (start, end) = (NOW - 14 * DAY, NOW);
    store
        .insert_effectiveness(
            &[
                row(start + 7 * DAY, end, Some(15.0)),
                row(start, start + 7 * DAY, Some(10.0)),
                row(start - 1, start + DAY, Some(1.0)), // starts before the window
                row(end - DAY, end + 1, Some(2.0)),     // ends after it
            ],
            at(NOW),
        )
        .await
        .expect("rows");
    let inputs = store
        .effectiveness_inputs("u1", at(start), at(end))
        .await
        .expect("read");
    assert_eq!(inputs.configs.len(), 1);
    assert_eq!(inputs.configs[0].strategy_variant, "Balanced");
    assert_eq!(inputs.configs[0].context, PersonalizationContext::Mission);
    let starts: Vec<_> = inputs.rows.iter().map(|r| r.start_date).collect();
    assert_eq!(starts, vec![at(start), at(start + 7 * DAY)]);
    assert_eq!(inputs.rows[0].retention_improvement, Some(10.0));
    assert_eq!(inputs.rows[0].completion_rate_change, None);
    assert!(
        store
            .effectiveness_inputs("nobody", at(start), at(end))
            .await
            .expect("read")
            .configs
            .is_empty()
    );
}

async fn timestamps_keep_millisecond_precision(db: TestDb) {
    let store = &db.store;
    let odd = NOW + 123;
    store
        .insert_patterns(&[pattern(
            "u1",
            PatternType::PerformancePeak,
            0.9,
            odd,
            odd + 1,
        )])
        .await
        .expect("insert");
    let back = store
        .patterns_overlapping("u1", at(odd), at(odd), None)
        .await
        .expect("read");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].detected_at, at(odd));
    assert_eq!(back[0].last_seen_at, at(odd + 1));
    assert_eq!(back[0].detected_at.to_string(), "2025-10-20T22:40:00.123Z");
}

async fn long_incompressible_evidence_is_stored_and_read_back_whole(db: TestDb) {
    // No index may carry `evidence` on PostgreSQL: a B-tree entry must fit in 2,704 bytes
    // after compression, so such an index makes this insert fail (as a covering index for
    // the evolution query once did; docs/performance.md).
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut noise = |len: usize| -> String {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b'!' + (state % 94) as u8)
            })
            .collect()
    };
    let evidence: Vec<String> = (0..3).map(|_| noise(4_000)).collect();
    let mut long = pattern("u1", PatternType::AttentionCycle, 0.9, NOW - DAY, NOW);
    long.evidence = evidence.clone();
    db.store
        .insert_patterns(&[long])
        .await
        .expect("a pattern with 12 KB of evidence is stored");
    let back = db
        .store
        .patterns_overlapping("u1", at(NOW - DAY), at(NOW), None)
        .await
        .expect("read");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].evidence, evidence);
}

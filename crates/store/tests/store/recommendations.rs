//! Engine inputs and the idempotent insert.

use insights_model::*;
use insights_testkit::{TestDb, both_backends};

use crate::fixtures::*;

both_backends!(
    thousands_of_candidates_stay_under_the_bind_parameter_limits,
    inserting_the_same_active_recommendation_twice_creates_one_row,
    a_batch_with_one_duplicate_creates_only_the_new_rows,
    once_dismissed_the_same_title_may_be_created_again,
    engine_inputs_apply_the_contract_filters,
    engine_inputs_follow_the_limits_they_are_given
);

async fn thousands_of_candidates_stay_under_the_bind_parameter_limits(db: TestDb) {
    // 2,500 rows × 17 columns would exceed SQLite's 32,766 bind parameters in one statement.
    let store = &db.store;
    let many: Vec<_> = (0..2_500)
        .map(|i| {
            candidate(
                "u1",
                RecommendationType::RetentionStrategy,
                &format!("R{i}"),
                0.7,
            )
        })
        .collect();
    let created = store
        .insert_recommendations(&many, at(NOW))
        .await
        .expect("insert");
    assert_eq!(created.len(), 2_500);
    let again = store
        .insert_recommendations(&many, at(NOW + 1))
        .await
        .expect("again");
    assert!(again.is_empty(), "every one is a duplicate now");
}

async fn inserting_the_same_active_recommendation_twice_creates_one_row(db: TestDb) {
    let store = &db.store;
    let c = candidate(
        "u1",
        RecommendationType::RetentionStrategy,
        "Review every 4 days for optimal retention",
        0.7,
    );
    let first = store
        .insert_recommendations(std::slice::from_ref(&c), at(NOW))
        .await
        .expect("first");
    assert_eq!(first.len(), 1);
    let second = store
        .insert_recommendations(std::slice::from_ref(&c), at(NOW + 1))
        .await
        .expect("second");
    assert!(second.is_empty(), "duplicate skipped: {second:?}");
    let inputs = store
        .recommendation_inputs(
            "u1",
            at(NOW - 30 * DAY),
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect("inputs");
    assert_eq!(inputs.active.len(), 1);
    let created = &first[0];
    assert_eq!(created.title, c.title);
    assert_eq!(created.status, RecommendationStatus::Pending);
    assert_eq!(created.created_at, at(NOW));
    assert_eq!(created.source_pattern_ids, vec!["p1".to_string()]);
    assert!(created.applied_at.is_none() && created.dismissed_at.is_none());
}

async fn a_batch_with_one_duplicate_creates_only_the_new_rows(db: TestDb) {
    let store = &db.store;
    let a = candidate("u1", RecommendationType::RetentionStrategy, "A", 0.7);
    let b = candidate("u1", RecommendationType::ContentTypeBalance, "B", 0.6);
    store
        .insert_recommendations(std::slice::from_ref(&a), at(NOW))
        .await
        .expect("a");
    let created = store
        .insert_recommendations(&[a, b], at(NOW))
        .await
        .expect("a+b");
    assert_eq!(
        created.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(),
        vec!["B"]
    );
}

async fn once_dismissed_the_same_title_may_be_created_again(db: TestDb) {
    let store = &db.store;
    let a = candidate("u1", RecommendationType::RetentionStrategy, "A", 0.7);
    let first = store
        .insert_recommendations(std::slice::from_ref(&a), at(NOW))
        .await
        .expect("a");
    assert!(
        store
            .dismiss_recommendation(&first[0].id, at(NOW + DAY))
            .await
            .expect("dismiss")
    );
    let again = store
        .insert_recommendations(&[a], at(NOW + 2 * DAY))
        .await
        .expect("again");
    assert_eq!(again.len(), 1, "the unique index covers active rows only");
    let inputs = store
        .recommendation_inputs("u1", at(NOW), &insights_recommender::engine::INPUT_LIMITS)
        .await
        .expect("inputs");
    assert_eq!(inputs.active.len(), 1);
    assert_eq!(inputs.closed.len(), 1);
    let old = store
        .recommendation_inputs(
            "u1",
            at(NOW + 3 * DAY),
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect("inputs");
    assert!(old.closed.is_empty(), "dismissed before the cut-off");
}

async fn engine_inputs_apply_the_contract_filters(db: TestDb) {
    let store = &db.store;
    let mut patterns = Vec::new();
    for i in 0..12 {
        patterns.push(pattern(
            "u1",
            PatternType::OptimalStudyTime,
            0.7 + f64::from(i) * 0.02,
            NOW - 10 * DAY,
            NOW,
        ));
    }
    patterns.push(pattern(
        "u1",
        PatternType::ForgettingCurve,
        0.69,
        NOW - DAY,
        NOW,
    ));
    patterns.push(pattern(
        "u2",
        PatternType::ForgettingCurve,
        0.99,
        NOW - DAY,
        NOW,
    ));
    store.insert_patterns(&patterns).await.expect("patterns");
    let insight = |conf: f64| NewInsight {
        user_id: "u1".into(),
        insight_type: InsightType::RetentionStrategy,
        title: "t".into(),
        description: "d".into(),
        actionable_recommendation: "a".into(),
        confidence: conf,
    };
    store
        .insert_insights(&[insight(0.9), insight(0.5)], at(NOW))
        .await
        .expect("insights");
    let intervention = |status: InterventionStatus, priority: i32| NewIntervention {
        user_id: "u1".into(),
        intervention_type: InterventionType::PrerequisiteReview,
        description: "d".into(),
        reasoning: "r".into(),
        priority,
        status,
    };
    let mut interventions: Vec<_> = (1..=7)
        .map(|p| intervention(InterventionStatus::Pending, p))
        .collect();
    interventions.push(intervention(InterventionStatus::Completed, 10));
    store
        .insert_interventions(&interventions, at(NOW))
        .await
        .expect("interventions");

    let inputs = store
        .recommendation_inputs(
            "u1",
            at(NOW - 30 * DAY),
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect("inputs");
    assert_eq!(inputs.patterns.len(), 10, "at most 10");
    assert!(
        inputs
            .patterns
            .windows(2)
            .all(|w| w[0].confidence >= w[1].confidence)
    );
    assert!(
        inputs
            .patterns
            .iter()
            .all(|p| p.user_id == "u1" && p.confidence >= 0.7)
    );
    assert_eq!(inputs.insights.len(), 1);
    assert_eq!(
        inputs
            .interventions
            .iter()
            .map(|i| i.priority)
            .collect::<Vec<_>>(),
        vec![7, 6, 5, 4, 3]
    );
    let p = &inputs.patterns[0];
    assert_eq!(
        p.evidence,
        serde_json::json!(["42 sessions analyzed", "Performance score: 82%"])
    );
    assert_eq!(p.pattern_data["hourOfDay"], 7);
    assert_eq!(p.detected_at, at(NOW - 10 * DAY));
}

async fn engine_inputs_follow_the_limits_they_are_given(db: TestDb) {
    let store = &db.store;
    let patterns: Vec<_> = [0.5, 0.6, 0.8, 0.9]
        .into_iter()
        .map(|c| pattern("u1", PatternType::OptimalStudyTime, c, NOW - DAY, NOW))
        .collect();
    store.insert_patterns(&patterns).await.expect("patterns");
    let insight = |conf: f64| NewInsight {
        user_id: "u1".into(),
        insight_type: InsightType::RetentionStrategy,
        title: "t".into(),
        description: "d".into(),
        actionable_recommendation: "a".into(),
        confidence: conf,
    };
    store
        .insert_insights(&[insight(0.9), insight(0.55), insight(0.5)], at(NOW))
        .await
        .expect("insights");
    let interventions: Vec<_> = (1..=3)
        .map(|priority| NewIntervention {
            user_id: "u1".into(),
            intervention_type: InterventionType::PrerequisiteReview,
            description: "d".into(),
            reasoning: "r".into(),
            priority,
            status: InterventionStatus::Pending,
        })
        .collect();
    store
        .insert_interventions(&interventions, at(NOW))
        .await
        .expect("interventions");

    let confidences = |inputs: &insights_store::RecommendationInputs| {
        (
            inputs
                .patterns
                .iter()
                .map(|p| p.confidence)
                .collect::<Vec<_>>(),
            inputs
                .insights
                .iter()
                .map(|i| i.confidence)
                .collect::<Vec<_>>(),
            inputs
                .interventions
                .iter()
                .map(|i| i.priority)
                .collect::<Vec<_>>(),
        )
    };
    let lenient = EngineInputLimits {
        min_confidence: 0.55,
        patterns: 3,
        insights: 5,
        interventions: 1,
    };
    let inputs = store
        .recommendation_inputs("u1", at(NOW), &lenient)
        .await
        .expect("inputs");
    assert_eq!(
        confidences(&inputs),
        (vec![0.9, 0.8, 0.6], vec![0.9, 0.55], vec![3])
    );
    let engine = &insights_recommender::engine::INPUT_LIMITS;
    let inputs = store
        .recommendation_inputs("u1", at(NOW), engine)
        .await
        .expect("inputs");
    assert_eq!(
        confidences(&inputs),
        (vec![0.9, 0.8], vec![0.9], vec![3, 2, 1])
    );
}

/// A database created by the original app has no unique index on active recommendations; the
/// engine's creation path must still make each one once when generations race (other cache
/// keys, other instances). PostgreSQL only: SQLite databases always come from our migrations.
#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_creations_without_the_unique_index_make_each_recommendation_once() {
    let db = insights_testkit::TestDb::postgres().await;
    db.execute(r#"DROP INDEX "insights_recommendations_active_unique_idx""#)
        .await;
    let candidates: Vec<_> = ["A", "B", "C"]
        .into_iter()
        .map(|title| candidate("u1", RecommendationType::RetentionStrategy, title, 0.7))
        .collect();
    let runs = futures_util::future::join_all(
        (0..16).map(|_| db.store.create_recommendations("u1", &candidates, at(NOW))),
    )
    .await;
    let created: usize = runs.into_iter().map(|run| run.expect("create").len()).sum();
    assert_eq!(created, 3, "each title created by exactly one of the runs");
    let inputs = db
        .store
        .recommendation_inputs(
            "u1",
            at(NOW - 30 * DAY),
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect("inputs");
    let mut titles: Vec<_> = inputs.active.iter().map(|r| r.title.as_str()).collect();
    titles.sort_unstable();
    assert_eq!(titles, ["A", "B", "C"]);
}

//! Front-end recommendation items and the GET list selection.

use insights_model::{PatternType, RecommendationType};
use insights_recommender::view::{
    ListQuery, RecommendationList, RecommendationView, evidence_strings, select_recommendations,
};
use serde_json::{Value, json};

use crate::fixtures::*;

#[test]
fn a_view_is_the_raw_row_plus_category_priority_evidence_and_actionable() {
    let mut row = recommendation(
        "r1",
        RecommendationType::SessionDurationAdjustment,
        "Optimize session length to 50 minutes",
        0.7765000000000001,
        ts("2025-11-01T17:00:00.123Z"),
    );
    row.source_pattern_ids = vec!["p1".to_owned()];
    let mut source = pattern(
        "p1",
        PatternType::SessionDurationPreference,
        0.85,
        json!({}),
    );
    source.evidence = json!(["42 sessions analyzed", "Completion rate: 85%"]);
    let view = RecommendationView::new(row.clone(), &[source]);
    let got = serde_json::to_value(&view).expect("serialises");

    let mut want = serde_json::to_value(&row).expect("row serialises");
    let Value::Object(fields) = &mut want else {
        panic!("a row is a JSON object");
    };
    fields.insert("category".to_owned(), json!("DURATION"));
    fields.insert("priority".to_owned(), json!(0.7765000000000001));
    fields.insert(
        "evidence".to_owned(),
        json!(["42 sessions analyzed", "Completion rate: 85%"]),
    );
    fields.insert("actionable".to_owned(), json!(true));
    assert_eq!(got, want);
    assert_eq!(
        got["appliedAt"],
        Value::Null,
        "a null appliedAt is kept, not dropped"
    );

    let back: RecommendationView = serde_json::from_value(got).expect("deserialises");
    assert_eq!(back, view);
}

#[test]
fn evidence_is_empty_without_a_known_string_array_source() {
    let row = recommendation(
        "r1",
        RecommendationType::RetentionStrategy,
        "T",
        0.5,
        days_ago(1),
    );
    assert!(
        RecommendationView::new(row.clone(), &[])
            .evidence
            .is_empty()
    );

    let mut with_source = row;
    with_source.source_pattern_ids = vec!["p-legacy".to_owned(), "p-missing".to_owned()];
    let mut legacy = pattern("p-legacy", PatternType::ForgettingCurve, 0.8, json!({}));
    legacy.evidence = json!({"halfLife": 5});
    assert!(
        RecommendationView::new(with_source, &[legacy])
            .evidence
            .is_empty()
    );

    assert_eq!(evidence_strings(&json!(["a", 1, "b"])), ["a", "b"]);
    assert!(evidence_strings(&json!("{\"k\":1}")).is_empty());
}

#[test]
fn applied_or_dismissed_rows_are_not_actionable() {
    let mut applied = recommendation(
        "r1",
        RecommendationType::ContentTypeBalance,
        "T",
        0.5,
        days_ago(1),
    );
    applied.applied_at = Some(hours_ago(1));
    let view = RecommendationView::new(applied, &[]);
    assert!(!view.actionable);
    assert_eq!(view.category.as_str(), "CONTENT");
}

fn list_rows() -> Vec<insights_model::Recommendation> {
    let mut applied = recommendation(
        "a",
        RecommendationType::RetentionStrategy,
        "Applied",
        0.9,
        days_ago(5),
    );
    applied.applied_at = Some(days_ago(1));
    let mut dismissed = recommendation(
        "d",
        RecommendationType::RetentionStrategy,
        "Dismissed",
        0.95,
        days_ago(5),
    );
    dismissed.dismissed_at = Some(days_ago(1));
    vec![
        recommendation(
            "r3",
            RecommendationType::StudyTimeOptimization,
            "Low",
            0.5,
            days_ago(2),
        ),
        applied,
        recommendation(
            "r2",
            RecommendationType::ContentTypeBalance,
            "Tie newer",
            0.7,
            days_ago(1),
        ),
        dismissed,
        recommendation(
            "r1",
            RecommendationType::ContentTypeBalance,
            "Tie older",
            0.7,
            days_ago(3),
        ),
        recommendation(
            "r0",
            RecommendationType::SessionDurationAdjustment,
            "Top",
            0.8,
            days_ago(4),
        ),
        // The same row twice (active list + fresh insert) is shown once.
        recommendation(
            "r0",
            RecommendationType::SessionDurationAdjustment,
            "Top",
            0.8,
            days_ago(4),
        ),
    ]
}

fn ids(list: &RecommendationList) -> Vec<&str> {
    list.recommendations
        .iter()
        .map(|v| v.row.id.as_str())
        .collect()
}

#[test]
fn the_list_is_ordered_by_priority_with_a_deterministic_tie_break() {
    let list = select_recommendations(
        list_rows(),
        &[],
        ListQuery {
            include_applied: false,
            limit: 20,
        },
    );
    assert_eq!(ids(&list), ["r0", "r1", "r2", "r3"]);
    assert_eq!((list.count, list.total), (4, 4));

    let mut reversed = list_rows();
    reversed.reverse();
    let again = select_recommendations(
        reversed,
        &[],
        ListQuery {
            include_applied: false,
            limit: 20,
        },
    );
    assert_eq!(again, list);
}

#[test]
fn include_applied_adds_applied_rows_but_never_dismissed_ones() {
    let list = select_recommendations(
        list_rows(),
        &[],
        ListQuery {
            include_applied: true,
            limit: 20,
        },
    );
    assert_eq!(ids(&list), ["a", "r0", "r1", "r2", "r3"]);
    assert!(!list.recommendations[0].actionable);
}

#[test]
fn total_counts_before_the_limit_and_count_after() {
    let list = select_recommendations(
        list_rows(),
        &[],
        ListQuery {
            include_applied: false,
            limit: 2,
        },
    );
    assert_eq!(ids(&list), ["r0", "r1"]);
    assert_eq!((list.count, list.total), (2, 4));
    let json = serde_json::to_value(&list).expect("serialises");
    assert_eq!(json["count"], 2);
    assert_eq!(json["total"], 4);
    assert_eq!(json["recommendations"][0]["priority"], 0.8);

    let empty = select_recommendations(
        Vec::new(),
        &[],
        ListQuery {
            include_applied: false,
            limit: 5,
        },
    );
    assert_eq!(
        serde_json::to_value(&empty).expect("serialises"),
        json!({"recommendations": [], "count": 0, "total": 0})
    );
}

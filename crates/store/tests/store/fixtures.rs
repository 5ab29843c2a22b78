//! Small builders for test data.

use insights_model::*;
use insights_store::Store;
use serde_json::json;

pub fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms).expect("valid instant")
}

pub const DAY: i64 = 86_400_000;
pub const NOW: i64 = 1_761_000_000_000; // 2025-10-20T22:40:00Z

pub fn pattern(
    user: &str,
    t: PatternType,
    confidence: f64,
    detected: i64,
    last_seen: i64,
) -> NewPattern {
    NewPattern {
        user_id: user.into(),
        pattern_type: t,
        pattern_data: json!({"hourOfDay": 7, "sessionCount": 12}),
        confidence,
        pattern_name: Some(format!("{t} pattern")),
        evidence: vec![
            "42 sessions analyzed".into(),
            "Performance score: 82%".into(),
        ],
        occurrence_count: 3,
        detected_at: at(detected),
        last_seen_at: at(last_seen),
    }
}

pub fn candidate(
    user: &str,
    t: RecommendationType,
    title: &str,
    priority: f64,
) -> NewRecommendation {
    NewRecommendation {
        user_id: user.into(),
        recommendation_type: t,
        title: title.into(),
        description: "d".into(),
        actionable_text: "a".into(),
        confidence: 0.8,
        estimated_impact: 0.6,
        ease_of_implementation: 0.7,
        user_readiness: 0.9,
        priority_score: priority,
        source_pattern_ids: vec!["p1".into()],
        source_insight_ids: vec![],
    }
}

pub fn profile(user: &str) -> LearningProfile {
    LearningProfile {
        id: format!("profile-{user}"),
        user_id: user.into(),
        preferred_study_times: json!([]),
        average_session_duration: 40,
        optimal_session_duration: 45,
        content_preferences: json!({}),
        learning_style_profile: json!({}),
        personalized_forgetting_curve: json!({}),
        last_analyzed_at: at(NOW),
        data_quality_score: 0.85,
    }
}

pub async fn user_with_recommendation(store: &Store, user: &str) -> Recommendation {
    store
        .ensure_user(user, None, None, at(NOW))
        .await
        .expect("user");
    let created = store
        .insert_recommendations(
            &[candidate(
                user,
                RecommendationType::SessionDurationAdjustment,
                "Optimize session length to 50 minutes",
                0.8,
            )],
            at(NOW),
        )
        .await
        .expect("insert");
    created.into_iter().next().expect("one created")
}

/// The columns `Store::patterns_overlapping` selects (`TimelinePatternRow`).
pub const EVOLUTION_COLUMNS: &str =
    r#"id, "patternType", confidence, evidence, "detectedAt", "lastSeenAt""#;

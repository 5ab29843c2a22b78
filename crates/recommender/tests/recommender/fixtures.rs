//! Row builders shared by the test modules.

use insights_model::{
    BehavioralInsight, BehavioralPattern, InsightType, Intervention, InterventionStatus,
    InterventionType, PatternType, Recommendation, RecommendationStatus, RecommendationType,
    Timestamp,
};
use serde_json::{Value, json};

pub const USER: &str = "u1";

pub fn ts(s: &str) -> Timestamp {
    Timestamp::parse(s).expect("valid test timestamp")
}

pub fn now() -> Timestamp {
    ts("2025-11-01T17:00:00.000Z")
}

pub fn hours_ago(h: i64) -> Timestamp {
    now().saturating_add(time::Duration::hours(-h))
}

pub fn days_ago(d: i64) -> Timestamp {
    now().saturating_add(time::Duration::days(-d))
}

pub fn pattern(
    id: &str,
    pattern_type: PatternType,
    confidence: f64,
    data: Value,
) -> BehavioralPattern {
    BehavioralPattern {
        id: id.to_owned(),
        user_id: USER.to_owned(),
        pattern_type,
        pattern_data: data,
        confidence,
        first_detected_at: days_ago(20),
        last_seen_at: days_ago(1),
        pattern_name: None,
        evidence: json!(["42 sessions analyzed"]),
        occurrence_count: 5,
        detected_at: days_ago(20),
    }
}

pub fn insight(
    id: &str,
    insight_type: InsightType,
    confidence: f64,
    title: &str,
) -> BehavioralInsight {
    BehavioralInsight {
        id: id.to_owned(),
        user_id: USER.to_owned(),
        insight_type,
        title: title.to_owned(),
        description: format!("{title} (description)"),
        actionable_recommendation: format!("{title} (action)"),
        confidence,
        created_at: days_ago(2),
        acknowledged_at: None,
        applied: false,
    }
}

pub fn intervention(id: &str, intervention_type: InterventionType, priority: i32) -> Intervention {
    Intervention {
        id: id.to_owned(),
        user_id: USER.to_owned(),
        intervention_type,
        description: format!("{id} description"),
        reasoning: format!("{id} reasoning"),
        priority,
        status: InterventionStatus::Pending,
        created_at: days_ago(1),
    }
}

pub fn recommendation(
    id: &str,
    recommendation_type: RecommendationType,
    title: &str,
    priority_score: f64,
    created_at: Timestamp,
) -> Recommendation {
    Recommendation {
        id: id.to_owned(),
        user_id: USER.to_owned(),
        recommendation_type,
        title: title.to_owned(),
        description: "d".to_owned(),
        actionable_text: "a".to_owned(),
        confidence: 0.8,
        estimated_impact: 0.6,
        ease_of_implementation: 0.7,
        user_readiness: 0.8,
        priority_score,
        status: RecommendationStatus::Pending,
        source_pattern_ids: Vec::new(),
        source_insight_ids: Vec::new(),
        created_at,
        applied_at: None,
        dismissed_at: None,
    }
}

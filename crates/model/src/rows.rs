//! Plain structs for the rows the endpoints read and write. Field names serialise to the
//! original's camelCase column names, so a row can be sent as JSON unchanged.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    ApplicationType, InsightType, InterventionStatus, InterventionType, PatternType,
    PersonalizationContext, RecommendationStatus, RecommendationType, Timestamp,
};

/// A `behavioral_patterns` row (HEAD shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BehavioralPattern {
    /// Primary key.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// What the pattern describes.
    pub pattern_type: PatternType,
    /// Numeric payload written by the pattern engine (`hourOfDay`, `recommendedDuration`, …).
    pub pattern_data: Value,
    /// Current confidence, 0..1.
    pub confidence: f64,
    /// First detection.
    pub first_detected_at: Timestamp,
    /// Last re-occurrence.
    pub last_seen_at: Timestamp,
    /// Optional human name, e.g. "Optimal study time: 9:00".
    pub pattern_name: Option<String>,
    /// Human-readable evidence. A string array in the HEAD schema; kept as JSON because older
    /// databases stored an object here, which the engine still reads numbers from.
    pub evidence: Value,
    /// How often the pattern re-occurred.
    pub occurrence_count: i32,
    /// Detection instant the evolution timeline uses.
    pub detected_at: Timestamp,
}

/// The columns of a `behavioral_patterns` row that the evolution timeline shows. Read instead
/// of the whole row because decoding the columns the timeline never shows (notably the
/// `patternData` document) dominated that endpoint's cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelinePattern {
    /// Primary key.
    pub id: String,
    /// What the pattern describes.
    pub pattern_type: PatternType,
    /// Current confidence, 0..1.
    pub confidence: f64,
    /// Human-readable evidence (the HEAD schema's string array; empty when NULL).
    pub evidence: Vec<String>,
    /// Detection instant: the start of the pattern's span on the timeline.
    pub detected_at: Timestamp,
    /// Last re-occurrence: the end of its span.
    pub last_seen_at: Timestamp,
}

/// A `behavioral_insights` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BehavioralInsight {
    /// Primary key.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Subject.
    pub insight_type: InsightType,
    /// Short title.
    pub title: String,
    /// Longer text.
    pub description: String,
    /// What to do about it.
    pub actionable_recommendation: String,
    /// Confidence, 0..1.
    pub confidence: f64,
    /// Creation instant.
    pub created_at: Timestamp,
    /// When the user acknowledged it; unacknowledged insights feed the engine.
    pub acknowledged_at: Option<Timestamp>,
    /// Whether it was applied.
    pub applied: bool,
}

/// The `intervention_recommendations` columns the engine reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intervention {
    /// Primary key.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// What it proposes.
    pub intervention_type: InterventionType,
    /// Text shown to the user.
    pub description: String,
    /// Why it is proposed.
    pub reasoning: String,
    /// 1..10.
    pub priority: i32,
    /// Only `PENDING` ones feed the engine.
    pub status: InterventionStatus,
    /// Creation instant.
    pub created_at: Timestamp,
}

/// A `recommendations` row, serialised with the original's field names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// Primary key.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Kind.
    pub recommendation_type: RecommendationType,
    /// Title (part of the de-duplication key).
    pub title: String,
    /// Description.
    pub description: String,
    /// What to do.
    pub actionable_text: String,
    /// Confidence, 0..1.
    pub confidence: f64,
    /// Estimated impact, 0..1.
    pub estimated_impact: f64,
    /// Ease of implementation, 0..1.
    pub ease_of_implementation: f64,
    /// User readiness, 0..1.
    pub user_readiness: f64,
    /// Weighted score the list is ordered by.
    pub priority_score: f64,
    /// Status (`PENDING` on creation).
    pub status: RecommendationStatus,
    /// Patterns it came from.
    pub source_pattern_ids: Vec<String>,
    /// Insights it came from.
    pub source_insight_ids: Vec<String>,
    /// Creation instant.
    pub created_at: Timestamp,
    /// When it was applied.
    pub applied_at: Option<Timestamp>,
    /// When it was dismissed.
    pub dismissed_at: Option<Timestamp>,
}

impl Recommendation {
    /// Neither applied nor dismissed.
    pub fn is_active(&self) -> bool {
        self.applied_at.is_none() && self.dismissed_at.is_none()
    }
}

/// A recommendation to create: everything but the id, status and timestamps, which the store
/// assigns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRecommendation {
    /// Owner.
    pub user_id: String,
    /// Kind.
    pub recommendation_type: RecommendationType,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// What to do.
    pub actionable_text: String,
    /// Confidence, 0..1.
    pub confidence: f64,
    /// Estimated impact, 0..1.
    pub estimated_impact: f64,
    /// Ease of implementation, 0..1.
    pub ease_of_implementation: f64,
    /// User readiness, 0..1.
    pub user_readiness: f64,
    /// Weighted score.
    pub priority_score: f64,
    /// Patterns it came from.
    pub source_pattern_ids: Vec<String>,
    /// Insights it came from.
    pub source_insight_ids: Vec<String>,
}

/// The `personalization_configs` columns the effectiveness endpoint reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonalizationConfig {
    /// Primary key.
    pub id: String,
    /// Where it applies.
    pub context: PersonalizationContext,
    /// Free-text strategy name ("Balanced", …).
    pub strategy_variant: String,
    /// Confidence in the strategy.
    pub confidence_score: f64,
}

/// The `personalization_effectiveness` columns the effectiveness endpoint reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectivenessRow {
    /// Start of the measured period.
    pub start_date: Timestamp,
    /// End of the measured period.
    pub end_date: Timestamp,
    /// Percentage change in retention.
    pub retention_improvement: Option<f64>,
    /// Percentage change in performance.
    pub performance_improvement: Option<f64>,
    /// Percentage change in completion rate.
    pub completion_rate_change: Option<f64>,
    /// Percentage change in engagement.
    pub engagement_change: Option<f64>,
    /// 0..100.
    pub composite_score: f64,
    /// Stored significance flag (not used by the aggregate).
    pub is_statistically_significant: bool,
    /// Observations behind the row.
    pub sample_size: i32,
    /// Pearson r.
    pub correlation: Option<f64>,
    /// p-value.
    pub p_value: Option<f64>,
}

/// A `user_learning_profiles` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LearningProfile {
    /// Primary key.
    pub id: String,
    /// Owner (unique).
    pub user_id: String,
    /// Array of `{dayOfWeek, startHour, endHour, effectiveness}`.
    pub preferred_study_times: Value,
    /// Minutes.
    pub average_session_duration: i32,
    /// Minutes.
    pub optimal_session_duration: i32,
    /// Content-type weights and preferences.
    pub content_preferences: Value,
    /// Learning-style weights.
    pub learning_style_profile: Value,
    /// Forgetting-curve parameters.
    pub personalized_forgetting_curve: Value,
    /// Last analysis.
    pub last_analyzed_at: Timestamp,
    /// 0..1.
    pub data_quality_score: f64,
}

/// The profile fields an AUTO apply may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileUpdate {
    /// New `preferredStudyTimes`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_study_times: Option<Value>,
    /// New `optimalSessionDuration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optimal_session_duration: Option<i32>,
    /// New `contentPreferences`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_preferences: Option<Value>,
    /// New `personalizedForgettingCurve`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personalized_forgetting_curve: Option<Value>,
}

impl ProfileUpdate {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.preferred_study_times.is_none()
            && self.optimal_session_duration.is_none()
            && self.content_preferences.is_none()
            && self.personalized_forgetting_curve.is_none()
    }
}

/// The metrics snapshot stored with an applied recommendation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaselineMetrics {
    /// Mean confidence of the user's patterns (0 when none).
    pub avg_confidence: f64,
    /// The profile's data-quality score (0 when no profile).
    pub behavioral_score: f64,
    /// Study sessions started in the last 7 days.
    pub session_count: i64,
    /// When the snapshot was taken.
    pub captured_at: Timestamp,
}

/// An `applied_recommendations` row as the apply endpoint reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedRecommendation {
    /// Primary key (also the response's `trackingId`).
    pub id: String,
    /// The recommendation applied.
    pub recommendation_id: String,
    /// Owner.
    pub user_id: String,
    /// How it was applied.
    pub application_type: ApplicationType,
    /// Snapshot taken at apply time.
    pub baseline_metrics: BaselineMetrics,
    /// Apply instant.
    pub applied_at: Timestamp,
}

/// A `study_sessions` row to ingest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewStudySession {
    /// Owner.
    pub user_id: String,
    /// Start instant.
    pub started_at: Timestamp,
    /// End instant, if finished.
    pub completed_at: Option<Timestamp>,
    /// Duration in milliseconds, if finished.
    pub duration_ms: Option<i32>,
    /// Reviews done.
    pub reviews_completed: i32,
    /// New cards studied.
    pub new_cards_studied: i32,
}

/// A `behavioral_patterns` row to ingest (the store assigns the id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewPattern {
    /// Owner.
    pub user_id: String,
    /// What it describes.
    pub pattern_type: PatternType,
    /// Numeric payload.
    pub pattern_data: Value,
    /// 0..1.
    pub confidence: f64,
    /// Optional name.
    pub pattern_name: Option<String>,
    /// Human-readable evidence strings.
    pub evidence: Vec<String>,
    /// Re-occurrences.
    pub occurrence_count: i32,
    /// Detection instant (also `firstDetectedAt`).
    pub detected_at: Timestamp,
    /// Last re-occurrence.
    pub last_seen_at: Timestamp,
}

/// A `behavioral_insights` row to ingest (the store assigns the id and `createdAt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewInsight {
    /// Owner.
    pub user_id: String,
    /// Subject.
    pub insight_type: InsightType,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// What to do.
    pub actionable_recommendation: String,
    /// 0..1.
    pub confidence: f64,
}

/// An `intervention_recommendations` row to ingest (the store assigns the id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewIntervention {
    /// Owner.
    pub user_id: String,
    /// What it proposes.
    pub intervention_type: InterventionType,
    /// Text shown to the user.
    pub description: String,
    /// Why it is proposed.
    pub reasoning: String,
    /// 1..10.
    pub priority: i32,
    /// Status.
    pub status: InterventionStatus,
}

/// A `personalization_effectiveness` row to ingest for one of the user's configs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewEffectiveness {
    /// Owner.
    pub user_id: String,
    /// The config measured.
    pub config_id: String,
    /// The measured values.
    #[serde(flatten)]
    pub row: EffectivenessRow,
}

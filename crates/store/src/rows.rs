//! Diesel row structs (what the tables hold) and their conversions to and from the domain types
//! of `insights-model` (what the rest of the workspace sees).

use diesel::prelude::*;
use insights_model as m;
use insights_model::Timestamp;
use time::PrimitiveDateTime;

use crate::schema::*;
use crate::sql_types::*;

fn ts(naive: PrimitiveDateTime) -> Timestamp {
    Timestamp::from_naive_utc(naive)
}

fn opt_ts(naive: Option<PrimitiveDateTime>) -> Option<Timestamp> {
    naive.map(Timestamp::from_naive_utc)
}

pub(crate) fn naive(t: Timestamp) -> PrimitiveDateTime {
    t.to_naive_utc()
}

/// Text lists may be NULL in the original's schema (Prisma creates `text[]` without NOT NULL).
fn list(v: Option<DbTextList>) -> Vec<String> {
    v.map(|l| l.0).unwrap_or_default()
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = behavioral_patterns, treat_none_as_default_value = false)]
pub(crate) struct PatternRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) pattern_type: DbEnum<m::PatternType>,
    pub(crate) pattern_data: DbJson,
    pub(crate) confidence: f64,
    pub(crate) first_detected_at: PrimitiveDateTime,
    pub(crate) last_seen_at: PrimitiveDateTime,
    pub(crate) pattern_name: Option<String>,
    pub(crate) evidence: Option<DbTextList>,
    pub(crate) occurrence_count: i32,
    pub(crate) detected_at: PrimitiveDateTime,
}

/// The evolution timeline's columns of `behavioral_patterns` (see [`m::TimelinePattern`]).
/// On SQLite they are exactly those `insights_patterns_user_timeline_idx` carries (migration
/// 000005): a column added here and not there turns its covering-index reads into table reads.
#[derive(Queryable, Selectable)]
#[diesel(table_name = behavioral_patterns)]
pub(crate) struct TimelinePatternRow {
    pub(crate) id: String,
    pub(crate) pattern_type: DbEnum<m::PatternType>,
    pub(crate) confidence: f64,
    pub(crate) evidence: Option<DbTextList>,
    pub(crate) detected_at: PrimitiveDateTime,
    pub(crate) last_seen_at: PrimitiveDateTime,
}

impl From<TimelinePatternRow> for m::TimelinePattern {
    fn from(r: TimelinePatternRow) -> Self {
        Self {
            id: r.id,
            pattern_type: r.pattern_type.0,
            confidence: r.confidence,
            evidence: list(r.evidence),
            detected_at: ts(r.detected_at),
            last_seen_at: ts(r.last_seen_at),
        }
    }
}

impl From<PatternRow> for m::BehavioralPattern {
    fn from(r: PatternRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            pattern_type: r.pattern_type.0,
            pattern_data: r.pattern_data.0,
            confidence: r.confidence,
            first_detected_at: ts(r.first_detected_at),
            last_seen_at: ts(r.last_seen_at),
            pattern_name: r.pattern_name,
            evidence: serde_json::Value::from(list(r.evidence)),
            occurrence_count: r.occurrence_count,
            detected_at: ts(r.detected_at),
        }
    }
}

impl PatternRow {
    pub(crate) fn new(id: String, p: &m::NewPattern) -> Self {
        Self {
            id,
            user_id: p.user_id.clone(),
            pattern_type: DbEnum(p.pattern_type),
            pattern_data: DbJson(p.pattern_data.clone()),
            confidence: p.confidence,
            first_detected_at: naive(p.detected_at),
            last_seen_at: naive(p.last_seen_at),
            pattern_name: p.pattern_name.clone(),
            evidence: Some(DbTextList(p.evidence.clone())),
            occurrence_count: p.occurrence_count,
            detected_at: naive(p.detected_at),
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = behavioral_insights)]
pub(crate) struct InsightRow {
    id: String,
    user_id: String,
    insight_type: DbEnum<m::InsightType>,
    title: String,
    description: String,
    actionable_recommendation: String,
    confidence: f64,
    created_at: PrimitiveDateTime,
    acknowledged_at: Option<PrimitiveDateTime>,
    applied: bool,
}

impl From<InsightRow> for m::BehavioralInsight {
    fn from(r: InsightRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            insight_type: r.insight_type.0,
            title: r.title,
            description: r.description,
            actionable_recommendation: r.actionable_recommendation,
            confidence: r.confidence,
            created_at: ts(r.created_at),
            acknowledged_at: opt_ts(r.acknowledged_at),
            applied: r.applied,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = behavioral_insights, treat_none_as_default_value = false)]
pub(crate) struct NewInsightRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) insight_type: DbEnum<m::InsightType>,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) actionable_recommendation: String,
    pub(crate) confidence: f64,
    pub(crate) created_at: PrimitiveDateTime,
    pub(crate) acknowledged_at: Option<PrimitiveDateTime>,
    pub(crate) applied: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = intervention_recommendations)]
pub(crate) struct InterventionRow {
    id: String,
    user_id: String,
    intervention_type: DbEnum<m::InterventionType>,
    description: String,
    reasoning: String,
    priority: i32,
    status: DbEnum<m::InterventionStatus>,
    created_at: PrimitiveDateTime,
}

impl From<InterventionRow> for m::Intervention {
    fn from(r: InterventionRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            intervention_type: r.intervention_type.0,
            description: r.description,
            reasoning: r.reasoning,
            priority: r.priority,
            status: r.status.0,
            created_at: ts(r.created_at),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = intervention_recommendations, treat_none_as_default_value = false)]
pub(crate) struct NewInterventionRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) intervention_type: DbEnum<m::InterventionType>,
    pub(crate) description: String,
    pub(crate) reasoning: String,
    pub(crate) priority: i32,
    pub(crate) status: DbEnum<m::InterventionStatus>,
    pub(crate) created_at: PrimitiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = recommendations, treat_none_as_default_value = false)]
pub(crate) struct RecommendationRow {
    id: String,
    user_id: String,
    recommendation_type: DbEnum<m::RecommendationType>,
    title: String,
    description: String,
    actionable_text: String,
    confidence: f64,
    estimated_impact: f64,
    ease_of_implementation: f64,
    user_readiness: f64,
    priority_score: f64,
    status: DbEnum<m::RecommendationStatus>,
    source_pattern_ids: Option<DbTextList>,
    source_insight_ids: Option<DbTextList>,
    created_at: PrimitiveDateTime,
    applied_at: Option<PrimitiveDateTime>,
    dismissed_at: Option<PrimitiveDateTime>,
}

impl From<RecommendationRow> for m::Recommendation {
    fn from(r: RecommendationRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            recommendation_type: r.recommendation_type.0,
            title: r.title,
            description: r.description,
            actionable_text: r.actionable_text,
            confidence: r.confidence,
            estimated_impact: r.estimated_impact,
            ease_of_implementation: r.ease_of_implementation,
            user_readiness: r.user_readiness,
            priority_score: r.priority_score,
            status: r.status.0,
            source_pattern_ids: list(r.source_pattern_ids),
            source_insight_ids: list(r.source_insight_ids),
            created_at: ts(r.created_at),
            applied_at: opt_ts(r.applied_at),
            dismissed_at: opt_ts(r.dismissed_at),
        }
    }
}

impl RecommendationRow {
    pub(crate) fn new(id: String, r: &m::NewRecommendation, created_at: Timestamp) -> Self {
        Self {
            id,
            user_id: r.user_id.clone(),
            recommendation_type: DbEnum(r.recommendation_type),
            title: r.title.clone(),
            description: r.description.clone(),
            actionable_text: r.actionable_text.clone(),
            confidence: r.confidence,
            estimated_impact: r.estimated_impact,
            ease_of_implementation: r.ease_of_implementation,
            user_readiness: r.user_readiness,
            priority_score: r.priority_score,
            status: DbEnum(m::RecommendationStatus::Pending),
            source_pattern_ids: Some(DbTextList(r.source_pattern_ids.clone())),
            source_insight_ids: Some(DbTextList(r.source_insight_ids.clone())),
            created_at: naive(created_at),
            applied_at: None,
            dismissed_at: None,
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = personalization_configs)]
pub(crate) struct ConfigRow {
    id: String,
    context: DbEnum<m::PersonalizationContext>,
    strategy_variant: String,
    confidence_score: f64,
}

impl From<ConfigRow> for m::PersonalizationConfig {
    fn from(r: ConfigRow) -> Self {
        Self {
            id: r.id,
            context: r.context.0,
            strategy_variant: r.strategy_variant,
            confidence_score: r.confidence_score,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = personalization_configs, treat_none_as_default_value = false)]
pub(crate) struct NewConfigRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) preferences_id: String,
    pub(crate) context: DbEnum<m::PersonalizationContext>,
    pub(crate) strategy_variant: String,
    pub(crate) confidence_score: f64,
    pub(crate) is_active: bool,
    pub(crate) activated_at: PrimitiveDateTime,
    pub(crate) created_at: PrimitiveDateTime,
    pub(crate) updated_at: PrimitiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = personalization_effectiveness)]
pub(crate) struct EffectivenessRowDb {
    start_date: PrimitiveDateTime,
    end_date: PrimitiveDateTime,
    retention_improvement: Option<f64>,
    performance_improvement: Option<f64>,
    completion_rate_change: Option<f64>,
    engagement_change: Option<f64>,
    composite_score: f64,
    is_statistically_significant: bool,
    sample_size: i32,
    correlation: Option<f64>,
    p_value: Option<f64>,
}

impl From<EffectivenessRowDb> for m::EffectivenessRow {
    fn from(r: EffectivenessRowDb) -> Self {
        Self {
            start_date: ts(r.start_date),
            end_date: ts(r.end_date),
            retention_improvement: r.retention_improvement,
            performance_improvement: r.performance_improvement,
            completion_rate_change: r.completion_rate_change,
            engagement_change: r.engagement_change,
            composite_score: r.composite_score,
            is_statistically_significant: r.is_statistically_significant,
            sample_size: r.sample_size,
            correlation: r.correlation,
            p_value: r.p_value,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = personalization_effectiveness, treat_none_as_default_value = false)]
pub(crate) struct NewEffectivenessRow {
    pub(crate) id: String,
    pub(crate) config_id: String,
    pub(crate) user_id: String,
    pub(crate) start_date: PrimitiveDateTime,
    pub(crate) end_date: PrimitiveDateTime,
    pub(crate) retention_improvement: Option<f64>,
    pub(crate) performance_improvement: Option<f64>,
    pub(crate) completion_rate_change: Option<f64>,
    pub(crate) engagement_change: Option<f64>,
    pub(crate) sample_size: i32,
    pub(crate) correlation: Option<f64>,
    pub(crate) p_value: Option<f64>,
    pub(crate) composite_score: f64,
    pub(crate) is_statistically_significant: bool,
    pub(crate) calculated_at: PrimitiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = user_learning_profiles, treat_none_as_default_value = false)]
pub(crate) struct ProfileRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) preferred_study_times: DbJson,
    pub(crate) average_session_duration: i32,
    pub(crate) optimal_session_duration: i32,
    pub(crate) content_preferences: DbJson,
    pub(crate) learning_style_profile: DbJson,
    pub(crate) personalized_forgetting_curve: DbJson,
    pub(crate) last_analyzed_at: PrimitiveDateTime,
    pub(crate) data_quality_score: f64,
}

impl From<ProfileRow> for m::LearningProfile {
    fn from(r: ProfileRow) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id,
            preferred_study_times: r.preferred_study_times.0,
            average_session_duration: r.average_session_duration,
            optimal_session_duration: r.optimal_session_duration,
            content_preferences: r.content_preferences.0,
            learning_style_profile: r.learning_style_profile.0,
            personalized_forgetting_curve: r.personalized_forgetting_curve.0,
            last_analyzed_at: ts(r.last_analyzed_at),
            data_quality_score: r.data_quality_score,
        }
    }
}

impl From<&m::LearningProfile> for ProfileRow {
    fn from(p: &m::LearningProfile) -> Self {
        Self {
            id: p.id.clone(),
            user_id: p.user_id.clone(),
            preferred_study_times: DbJson(p.preferred_study_times.clone()),
            average_session_duration: p.average_session_duration,
            optimal_session_duration: p.optimal_session_duration,
            content_preferences: DbJson(p.content_preferences.clone()),
            learning_style_profile: DbJson(p.learning_style_profile.clone()),
            personalized_forgetting_curve: DbJson(p.personalized_forgetting_curve.clone()),
            last_analyzed_at: naive(p.last_analyzed_at),
            data_quality_score: p.data_quality_score,
        }
    }
}

/// The profile columns an AUTO apply may change; `None` leaves a column untouched.
#[derive(AsChangeset)]
#[diesel(table_name = user_learning_profiles)]
pub(crate) struct ProfileChanges {
    pub(crate) preferred_study_times: Option<DbJson>,
    pub(crate) optimal_session_duration: Option<i32>,
    pub(crate) content_preferences: Option<DbJson>,
    pub(crate) personalized_forgetting_curve: Option<DbJson>,
}

impl From<&m::ProfileUpdate> for ProfileChanges {
    fn from(u: &m::ProfileUpdate) -> Self {
        Self {
            preferred_study_times: u.preferred_study_times.clone().map(DbJson),
            optimal_session_duration: u.optimal_session_duration,
            content_preferences: u.content_preferences.clone().map(DbJson),
            personalized_forgetting_curve: u.personalized_forgetting_curve.clone().map(DbJson),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = applied_recommendations, treat_none_as_default_value = false)]
pub(crate) struct NewAppliedRow {
    pub(crate) id: String,
    pub(crate) recommendation_id: String,
    pub(crate) user_id: String,
    pub(crate) application_type: DbEnum<m::ApplicationType>,
    pub(crate) baseline_metrics: DbJson,
    pub(crate) applied_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = study_sessions, treat_none_as_default_value = false)]
pub(crate) struct NewSessionRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) started_at: PrimitiveDateTime,
    pub(crate) completed_at: Option<PrimitiveDateTime>,
    pub(crate) duration_ms: Option<i32>,
    pub(crate) reviews_completed: i32,
    pub(crate) new_cards_studied: i32,
}

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
pub(crate) struct NewUserRow {
    pub(crate) id: String,
    pub(crate) email: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) created_at: PrimitiveDateTime,
    pub(crate) updated_at: PrimitiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = personalization_preferences, treat_none_as_default_value = false)]
pub(crate) struct NewPreferencesRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) created_at: PrimitiveDateTime,
    pub(crate) updated_at: PrimitiveDateTime,
}

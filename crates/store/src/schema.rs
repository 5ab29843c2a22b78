//! The one Diesel schema shared by both backends. Column types are portable diesel types or the
//! backend-neutral SQL types of [`crate::sql_types`] (enums, text lists, JSON documents), whose
//! encodings differ per backend but whose Rust values do not.

#![allow(missing_docs)]

use crate::sql_types::*;

diesel::table! {
    use diesel::sql_types::*;
    users (id) {
        id -> Text,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        #[sql_name = "createdAt"]
        created_at -> Timestamp,
        #[sql_name = "updatedAt"]
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::{PatternTypeSql, JsonDoc, TextList};
    behavioral_patterns (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "patternType"]
        pattern_type -> PatternTypeSql,
        #[sql_name = "patternData"]
        pattern_data -> JsonDoc,
        confidence -> Double,
        #[sql_name = "firstDetectedAt"]
        first_detected_at -> Timestamp,
        #[sql_name = "lastSeenAt"]
        last_seen_at -> Timestamp,
        #[sql_name = "patternName"]
        pattern_name -> Nullable<Text>,
        evidence -> Nullable<TextList>,
        #[sql_name = "occurrenceCount"]
        occurrence_count -> Integer,
        #[sql_name = "detectedAt"]
        detected_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::InsightTypeSql;
    behavioral_insights (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "insightType"]
        insight_type -> InsightTypeSql,
        title -> Text,
        description -> Text,
        #[sql_name = "actionableRecommendation"]
        actionable_recommendation -> Text,
        confidence -> Double,
        #[sql_name = "createdAt"]
        created_at -> Timestamp,
        #[sql_name = "acknowledgedAt"]
        acknowledged_at -> Nullable<Timestamp>,
        applied -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::{InterventionTypeSql, InterventionStatusSql};
    intervention_recommendations (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "interventionType"]
        intervention_type -> InterventionTypeSql,
        description -> Text,
        reasoning -> Text,
        priority -> Integer,
        status -> InterventionStatusSql,
        #[sql_name = "createdAt"]
        created_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::{RecommendationTypeSql, RecommendationStatusSql, TextList};
    recommendations (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "recommendationType"]
        recommendation_type -> RecommendationTypeSql,
        title -> Text,
        description -> Text,
        #[sql_name = "actionableText"]
        actionable_text -> Text,
        confidence -> Double,
        #[sql_name = "estimatedImpact"]
        estimated_impact -> Double,
        #[sql_name = "easeOfImplementation"]
        ease_of_implementation -> Double,
        #[sql_name = "userReadiness"]
        user_readiness -> Double,
        #[sql_name = "priorityScore"]
        priority_score -> Double,
        status -> RecommendationStatusSql,
        #[sql_name = "sourcePatternIds"]
        source_pattern_ids -> Nullable<TextList>,
        #[sql_name = "sourceInsightIds"]
        source_insight_ids -> Nullable<TextList>,
        #[sql_name = "createdAt"]
        created_at -> Timestamp,
        #[sql_name = "appliedAt"]
        applied_at -> Nullable<Timestamp>,
        #[sql_name = "dismissedAt"]
        dismissed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::{ApplicationTypeSql, JsonDoc};
    applied_recommendations (id) {
        id -> Text,
        #[sql_name = "recommendationId"]
        recommendation_id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "applicationType"]
        application_type -> ApplicationTypeSql,
        #[sql_name = "baselineMetrics"]
        baseline_metrics -> JsonDoc,
        #[sql_name = "appliedAt"]
        applied_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::JsonDoc;
    user_learning_profiles (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "preferredStudyTimes"]
        preferred_study_times -> JsonDoc,
        #[sql_name = "averageSessionDuration"]
        average_session_duration -> Integer,
        #[sql_name = "optimalSessionDuration"]
        optimal_session_duration -> Integer,
        #[sql_name = "contentPreferences"]
        content_preferences -> JsonDoc,
        #[sql_name = "learningStyleProfile"]
        learning_style_profile -> JsonDoc,
        #[sql_name = "personalizedForgettingCurve"]
        personalized_forgetting_curve -> JsonDoc,
        #[sql_name = "lastAnalyzedAt"]
        last_analyzed_at -> Timestamp,
        #[sql_name = "dataQualityScore"]
        data_quality_score -> Double,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    study_sessions (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "startedAt"]
        started_at -> Timestamp,
        #[sql_name = "completedAt"]
        completed_at -> Nullable<Timestamp>,
        #[sql_name = "durationMs"]
        duration_ms -> Nullable<Integer>,
        #[sql_name = "reviewsCompleted"]
        reviews_completed -> Integer,
        #[sql_name = "newCardsStudied"]
        new_cards_studied -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    personalization_preferences (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "createdAt"]
        created_at -> Timestamp,
        #[sql_name = "updatedAt"]
        updated_at -> Timestamp,
        /// Created by migration 000007 for the original application; never read here, and a
        /// database without it passes the schema check.
        #[sql_name = "lastResetAt"]
        last_reset_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::PersonalizationContextSql;
    personalization_configs (id) {
        id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "preferencesId"]
        preferences_id -> Text,
        context -> PersonalizationContextSql,
        #[sql_name = "strategyVariant"]
        strategy_variant -> Text,
        #[sql_name = "confidenceScore"]
        confidence_score -> Double,
        #[sql_name = "isActive"]
        is_active -> Bool,
        #[sql_name = "activatedAt"]
        activated_at -> Timestamp,
        #[sql_name = "createdAt"]
        created_at -> Timestamp,
        #[sql_name = "updatedAt"]
        updated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    personalization_effectiveness (id) {
        id -> Text,
        #[sql_name = "configId"]
        config_id -> Text,
        #[sql_name = "userId"]
        user_id -> Text,
        #[sql_name = "startDate"]
        start_date -> Timestamp,
        #[sql_name = "endDate"]
        end_date -> Timestamp,
        #[sql_name = "retentionImprovement"]
        retention_improvement -> Nullable<Double>,
        #[sql_name = "performanceImprovement"]
        performance_improvement -> Nullable<Double>,
        #[sql_name = "completionRateChange"]
        completion_rate_change -> Nullable<Double>,
        #[sql_name = "engagementChange"]
        engagement_change -> Nullable<Double>,
        #[sql_name = "sampleSize"]
        sample_size -> Integer,
        correlation -> Nullable<Double>,
        #[sql_name = "pValue"]
        p_value -> Nullable<Double>,
        #[sql_name = "compositeScore"]
        composite_score -> Double,
        #[sql_name = "isStatisticallySignificant"]
        is_statistically_significant -> Bool,
        #[sql_name = "calculatedAt"]
        calculated_at -> Timestamp,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    /// The original application's link between an insight and the patterns it was drawn from
    /// (migration 000006). Never read or written here; a database without it passes the schema
    /// check.
    insight_patterns (id) {
        id -> Text,
        #[sql_name = "insightId"]
        insight_id -> Text,
        #[sql_name = "patternId"]
        pattern_id -> Text,
    }
}

diesel::joinable!(insight_patterns -> behavioral_insights (insight_id));
diesel::joinable!(insight_patterns -> behavioral_patterns (pattern_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    behavioral_patterns,
    behavioral_insights,
    intervention_recommendations,
    recommendations,
    applied_recommendations,
    user_learning_profiles,
    study_sessions,
    personalization_preferences,
    personalization_configs,
    personalization_effectiveness,
    insight_patterns,
);

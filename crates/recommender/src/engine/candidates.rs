//! Input selection (what the original engine reads) and the mapping of patterns, insights and
//! interventions to candidate recommendations.

use std::cmp::Ordering;

use insights_model::{
    BehavioralInsight, BehavioralPattern, EngineInputLimits, InsightType, Intervention,
    InterventionStatus, InterventionType, NewRecommendation, RecommendationType,
};

use super::placeholders::placeholders_for;
use super::scoring::{MIN_CONFIDENCE, pattern_readiness, priority_score};
use super::templates::{fill_template, template_for_pattern};

/// Patterns read per run.
pub const MAX_PATTERNS: usize = 10;
/// Insights read per run.
pub const MAX_INSIGHTS: usize = 10;
/// Interventions read per run.
pub const MAX_INTERVENTIONS: usize = 5;

/// The limits above with [`MIN_CONFIDENCE`], for the store's read of the engine's inputs; the
/// selection functions below re-apply them, so the engine is right on any input.
pub const INPUT_LIMITS: EngineInputLimits = EngineInputLimits {
    min_confidence: MIN_CONFIDENCE,
    patterns: MAX_PATTERNS,
    insights: MAX_INSIGHTS,
    interventions: MAX_INTERVENTIONS,
};

/// Impact, ease and readiness of an insight-derived recommendation (impact is × confidence).
const INSIGHT_IMPACT_BASE: f64 = 0.75;
const INSIGHT_EASE: f64 = 0.7;
const INSIGHT_READINESS: f64 = 0.8;
/// Impact, ease and readiness of an intervention-derived recommendation.
const INTERVENTION_IMPACT: f64 = 0.8;
const INTERVENTION_EASE: f64 = 0.6;
const INTERVENTION_READINESS: f64 = 0.7;

/// Descending by a float key; equal keys keep their input order (the sort is stable).
fn descending(a: f64, b: f64) -> Ordering {
    b.total_cmp(&a)
}

/// The user's patterns with confidence ≥ 0.7, highest confidence first, at most 10 — the
/// store's query, re-applied so the engine is right on any input.
pub fn select_patterns<'a>(
    user_id: &str,
    patterns: &'a [BehavioralPattern],
) -> Vec<&'a BehavioralPattern> {
    let mut selected: Vec<_> = patterns
        .iter()
        .filter(|p| p.user_id == user_id && p.confidence >= MIN_CONFIDENCE)
        .collect();
    selected.sort_by(|a, b| descending(a.confidence, b.confidence));
    selected.truncate(MAX_PATTERNS);
    selected
}

/// The user's unacknowledged insights with confidence ≥ 0.7, highest first, at most 10.
pub fn select_insights<'a>(
    user_id: &str,
    insights: &'a [BehavioralInsight],
) -> Vec<&'a BehavioralInsight> {
    let mut selected: Vec<_> = insights
        .iter()
        .filter(|i| {
            i.user_id == user_id && i.acknowledged_at.is_none() && i.confidence >= MIN_CONFIDENCE
        })
        .collect();
    selected.sort_by(|a, b| descending(a.confidence, b.confidence));
    selected.truncate(MAX_INSIGHTS);
    selected
}

/// The user's `PENDING` interventions, highest priority first, at most 5.
pub fn select_interventions<'a>(
    user_id: &str,
    interventions: &'a [Intervention],
) -> Vec<&'a Intervention> {
    let mut selected: Vec<_> = interventions
        .iter()
        .filter(|i| i.user_id == user_id && i.status == InterventionStatus::Pending)
        .collect();
    selected.sort_by_key(|i| std::cmp::Reverse(i.priority));
    selected.truncate(MAX_INTERVENTIONS);
    selected
}

/// Longest recommendation title the engine writes, in characters.
///
/// Titles are copied from insights (which other applications may write with any length) or
/// filled from pattern data, and `(userId, recommendationType, title)` is a unique B-tree
/// index: PostgreSQL refuses an index entry over 2,704 bytes, so one 4,000-character insight
/// title made every later recommendation GET of its user fail. 200 characters are at most 800
/// bytes of UTF-8, and longer than any title the templates produce from sane data.
pub const MAX_TITLE_CHARS: usize = 200;

/// `title` cut to [`MAX_TITLE_CHARS`] characters, ending in `…` when it was cut. The cut is
/// deterministic, so the same long source always yields the same title and de-duplication by
/// (type, title) keeps working.
pub fn bounded_title(title: String) -> String {
    match title.char_indices().nth(MAX_TITLE_CHARS - 1) {
        Some((end, _)) if title[end..].chars().nth(1).is_some() => {
            let mut cut = title[..end].to_owned();
            cut.push('…');
            cut
        }
        _ => title,
    }
}

/// A scored candidate from raw parts.
#[allow(clippy::too_many_arguments)]
fn candidate(
    user_id: &str,
    recommendation_type: RecommendationType,
    title: String,
    description: String,
    actionable_text: String,
    confidence: f64,
    estimated_impact: f64,
    ease_of_implementation: f64,
    user_readiness: f64,
    source_pattern_ids: Vec<String>,
    source_insight_ids: Vec<String>,
) -> NewRecommendation {
    NewRecommendation {
        user_id: user_id.to_owned(),
        recommendation_type,
        title: bounded_title(title),
        description,
        actionable_text,
        confidence,
        estimated_impact,
        ease_of_implementation,
        user_readiness,
        priority_score: priority_score(
            confidence,
            estimated_impact,
            ease_of_implementation,
            user_readiness,
        ),
        source_pattern_ids,
        source_insight_ids,
    }
}

/// The candidate a pattern yields through its type's template; `None` for types without one.
pub fn from_pattern(user_id: &str, pattern: &BehavioralPattern) -> Option<NewRecommendation> {
    let template = template_for_pattern(pattern.pattern_type)?;
    let values = placeholders_for(pattern)?;
    let confidence = pattern.confidence;
    Some(candidate(
        user_id,
        template.recommendation_type,
        fill_template(template.title, &values),
        fill_template(template.description, &values),
        fill_template(template.actionable_text, &values),
        confidence,
        template.impact_base * confidence,
        template.ease_base,
        pattern_readiness(confidence, pattern.occurrence_count),
        vec![pattern.id.clone()],
        Vec::new(),
    ))
}

/// The recommendation type an insight type maps to (one-to-one).
pub fn insight_recommendation_type(insight_type: InsightType) -> RecommendationType {
    match insight_type {
        InsightType::StudyTimeOptimization => RecommendationType::StudyTimeOptimization,
        InsightType::SessionLengthAdjustment => RecommendationType::SessionDurationAdjustment,
        InsightType::ContentPreference => RecommendationType::ContentTypeBalance,
        InsightType::RetentionStrategy => RecommendationType::RetentionStrategy,
    }
}

/// The candidate an insight yields: its texts copied, fixed ease and readiness.
pub fn from_insight(user_id: &str, insight: &BehavioralInsight) -> NewRecommendation {
    let confidence = insight.confidence;
    candidate(
        user_id,
        insight_recommendation_type(insight.insight_type),
        insight.title.clone(),
        insight.description.clone(),
        insight.actionable_recommendation.clone(),
        confidence,
        INSIGHT_IMPACT_BASE * confidence,
        INSIGHT_EASE,
        INSIGHT_READINESS,
        Vec::new(),
        vec![insight.id.clone()],
    )
}

/// The recommendation type an intervention type maps to; `None` for the four the original
/// skipped (spacing adjustment, content variation, break recommendation, focus session).
pub fn intervention_recommendation_type(
    intervention_type: InterventionType,
) -> Option<RecommendationType> {
    use InterventionType as I;
    use RecommendationType as R;
    match intervention_type {
        I::PrerequisiteReview | I::SpacedRepetitionBoost => Some(R::RetentionStrategy),
        I::DifficultyProgression => Some(R::ExperimentalSuggestion),
        I::ContentFormatAdapt => Some(R::ContentTypeBalance),
        I::CognitiveLoadReduce | I::BreakScheduleAdjust => Some(R::SessionDurationAdjustment),
        I::SpacingAdjustment | I::ContentVariation | I::BreakRecommendation | I::FocusSession => {
            None
        }
    }
}

/// `"Intervention: " + type with underscores as spaces, lower-cased`,
/// e.g. `Intervention: prerequisite review`.
pub fn intervention_title(intervention_type: InterventionType) -> String {
    format!(
        "Intervention: {}",
        intervention_type.as_str().replace('_', " ").to_lowercase()
    )
}

/// The candidate an intervention yields. Its confidence is `priority / 10`, with no 0.7
/// threshold (as in the original); the intervention's id is not recorded as a source.
pub fn from_intervention(user_id: &str, intervention: &Intervention) -> Option<NewRecommendation> {
    let recommendation_type = intervention_recommendation_type(intervention.intervention_type)?;
    Some(candidate(
        user_id,
        recommendation_type,
        intervention_title(intervention.intervention_type),
        intervention.description.clone(),
        intervention.reasoning.clone(),
        f64::from(intervention.priority) / 10.0,
        INTERVENTION_IMPACT,
        INTERVENTION_EASE,
        INTERVENTION_READINESS,
        Vec::new(),
        Vec::new(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_bounded_deterministically_on_character_boundaries() {
        let short = "Study during your peak hours (9 AM - 11 AM)".to_owned();
        assert_eq!(bounded_title(short.clone()), short);
        let exact = "é".repeat(MAX_TITLE_CHARS);
        assert_eq!(bounded_title(exact.clone()), exact);
        let long = "ü".repeat(4_000);
        let cut = bounded_title(long.clone());
        assert_eq!(cut.chars().count(), MAX_TITLE_CHARS);
        assert!(cut.ends_with('…'));
        assert!(cut.len() < 2_704, "fits a PostgreSQL B-tree entry");
        assert_eq!(bounded_title(long), cut);
    }
}

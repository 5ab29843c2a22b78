//! Priority score, readiness and the prioritise-and-diversify step, with the original's weights
//! and limits.

use std::collections::HashMap;

use insights_model::{NewRecommendation, RecommendationType};

/// Weight of `confidence` in the priority score.
pub const CONFIDENCE_WEIGHT: f64 = 0.3;
/// Weight of `estimatedImpact`.
pub const IMPACT_WEIGHT: f64 = 0.4;
/// Weight of `easeOfImplementation`.
pub const EASE_WEIGHT: f64 = 0.2;
/// Weight of `userReadiness`.
pub const READINESS_WEIGHT: f64 = 0.1;
/// Patterns and insights below this confidence are ignored.
pub const MIN_CONFIDENCE: f64 = 0.7;
/// At most this many recommendations come out of one run.
pub const MAX_RECOMMENDATIONS: usize = 5;
/// At most this many recommendations of one type come out of one run.
pub const MAX_PER_TYPE: usize = 2;
/// Occurrences at which a pattern counts as fully established for readiness.
pub const FULL_READINESS_OCCURRENCES: f64 = 5.0;

/// `confidence×0.3 + impact×0.4 + ease×0.2 + readiness×0.1`, added left to right as the
/// original did, so the float result is bit-identical (e.g. `0.7765000000000001`).
pub fn priority_score(confidence: f64, impact: f64, ease: f64, readiness: f64) -> f64 {
    confidence * CONFIDENCE_WEIGHT
        + impact * IMPACT_WEIGHT
        + ease * EASE_WEIGHT
        + readiness * READINESS_WEIGHT
}

/// A pattern's user readiness: `(confidence + min(1, occurrenceCount / 5)) / 2`.
pub fn pattern_readiness(confidence: f64, occurrence_count: i32) -> f64 {
    (confidence + (f64::from(occurrence_count) / FULL_READINESS_OCCURRENCES).min(1.0)) / 2.0
}

/// Sorts candidates by `priorityScore` descending (stable: ties keep their input order, which
/// is patterns → insights → interventions), keeps at most [`MAX_PER_TYPE`] of each type while
/// walking that order, and returns the first [`MAX_RECOMMENDATIONS`].
///
/// Scores are compared with [`f64::total_cmp`], so even a NaN score (impossible from the
/// engine's own inputs) gives a deterministic order instead of JavaScript's inconsistent one.
pub fn prioritize(mut candidates: Vec<NewRecommendation>) -> Vec<NewRecommendation> {
    candidates.sort_by(|a, b| b.priority_score.total_cmp(&a.priority_score));
    let mut kept_per_type: HashMap<RecommendationType, usize> = HashMap::new();
    candidates
        .into_iter()
        .filter(|c| {
            let kept = kept_per_type.entry(c.recommendation_type).or_insert(0);
            let keep = *kept < MAX_PER_TYPE;
            if keep {
                *kept += 1;
            }
            keep
        })
        .take(MAX_RECOMMENDATIONS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_caps_occurrences_at_five() {
        assert_eq!(pattern_readiness(0.85, 5), 0.925);
        assert_eq!(pattern_readiness(0.8, 50), 0.9);
        assert_eq!(pattern_readiness(0.8, 0), 0.4);
    }
}

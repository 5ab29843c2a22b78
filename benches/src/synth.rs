//! Deterministic synthesis of one user's rows: the same seed, user and `now` always give the same
//! values (row ids are assigned by the store and are not part of that promise).

use insights_model::{
    InsightType, InterventionStatus, InterventionType, LearningProfile, NewInsight,
    NewIntervention, NewPattern, NewRecommendation, NewStudySession, PatternType,
    PersonalizationContext, RecommendationType, Timestamp,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use time::Duration;

use crate::workload::Volumes;

/// How far back generated activity reaches.
pub const HISTORY_WEEKS: i64 = 26;

const STRATEGIES: [&str; 4] = [
    "Pattern-heavy",
    "Prediction-heavy",
    "Balanced",
    "Conservative",
];
const CONTENT_TYPES: [&str; 4] = ["flashcards", "lectures", "clinical_cases", "quizzes"];

/// A personalization config to create.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigSpec {
    /// Where it applies.
    pub context: PersonalizationContext,
    /// Strategy name.
    pub strategy: &'static str,
    /// Confidence score.
    pub confidence: f64,
    /// Whether it is active.
    pub active: bool,
}

/// An effectiveness row whose config is the user's `config_index`-th config (ids are only known
/// after the configs are written).
#[derive(Debug, Clone, PartialEq)]
pub struct EffectivenessSpec {
    /// Index into [`UserData::configs`].
    pub config_index: usize,
    /// The measured values.
    pub row: insights_model::EffectivenessRow,
}

/// Everything generated for one user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserData {
    /// The user id.
    pub user_id: String,
    /// Patterns.
    pub patterns: Vec<NewPattern>,
    /// Insights.
    pub insights: Vec<NewInsight>,
    /// Interventions.
    pub interventions: Vec<NewIntervention>,
    /// Recommendations; (user, type, title) is distinct so the unique partial index holds.
    pub recommendations: Vec<NewRecommendation>,
    /// Titles of the recommendations to apply after insertion.
    pub applied_titles: Vec<String>,
    /// Titles of the recommendations to dismiss after insertion.
    pub dismissed_titles: Vec<String>,
    /// Configs.
    pub configs: Vec<ConfigSpec>,
    /// Effectiveness rows.
    pub effectiveness: Vec<EffectivenessSpec>,
    /// Study sessions.
    pub sessions: Vec<NewStudySession>,
    /// Learning profile.
    pub profile: Option<LearningProfile>,
}

impl UserData {
    /// Rows this user adds to the database (counting each applied recommendation's
    /// `applied_recommendations` row and the user row itself).
    pub fn row_count(&self) -> usize {
        1 + self.patterns.len()
            + self.insights.len()
            + self.interventions.len()
            + self.recommendations.len()
            + self.applied_titles.len()
            + self.configs.len()
            + self.effectiveness.len()
            + self.sessions.len()
            + usize::from(self.profile.is_some())
    }
}

/// An RNG private to one user, so users can be generated in any order or in parallel and still
/// get the same values.
fn user_rng(seed: u64, user_id: &str) -> StdRng {
    // FNV-1a over the id: stable across Rust versions, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in user_id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    StdRng::seed_from_u64(seed ^ h)
}

/// A uniformly random instant in the last `HISTORY_WEEKS` weeks before `now`.
fn instant_in_history(rng: &mut StdRng, now: Timestamp) -> Timestamp {
    let span_ms = HISTORY_WEEKS * 7 * 86_400_000;
    now.saturating_add(-Duration::milliseconds(rng.random_range(0..span_ms)))
}

/// Rounded to two decimals, as the original's engines store scores.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn confidence(rng: &mut StdRng) -> f64 {
    round2(rng.random_range(0.4..0.99))
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Generates one user's rows.
pub fn user_data(seed: u64, user_id: &str, volumes: &Volumes, now: Timestamp) -> UserData {
    let mut rng = user_rng(seed, user_id);
    let configs = configs(&mut rng, volumes);
    UserData {
        user_id: user_id.to_owned(),
        patterns: (0..volumes.patterns)
            .map(|_| pattern(&mut rng, user_id, now))
            .collect(),
        insights: (0..volumes.insights)
            .map(|i| insight(&mut rng, user_id, i))
            .collect(),
        interventions: (0..volumes.interventions)
            .map(|_| intervention(&mut rng, user_id, volumes.all_interventions_pending))
            .collect(),
        recommendations: (0..volumes.recommendations)
            .map(|i| recommendation(&mut rng, user_id, i))
            .collect(),
        // The last rows are the closed ones: applied first, then dismissed.
        applied_titles: (0..volumes.applied.min(volumes.recommendations))
            .map(|i| recommendation_title(volumes.recommendations - 1 - i))
            .collect(),
        dismissed_titles: (volumes.applied..(volumes.applied + volumes.dismissed))
            .filter(|&i| i < volumes.recommendations)
            .map(|i| recommendation_title(volumes.recommendations - 1 - i))
            .collect(),
        effectiveness: effectiveness(&mut rng, volumes, configs.len(), now),
        configs,
        sessions: (0..volumes.sessions)
            .map(|_| session(&mut rng, user_id, now))
            .collect(),
        profile: volumes.profile.then(|| profile(&mut rng, user_id, now)),
    }
}

fn pattern(rng: &mut StdRng, user_id: &str, now: Timestamp) -> NewPattern {
    let pattern_type = pick(rng, PatternType::ALL);
    let detected_at = instant_in_history(rng, now);
    // Patterns stay visible for between a day and eight weeks, never past `now`.
    let seen_for = Duration::milliseconds(rng.random_range(86_400_000..(56 * 86_400_000_i64)));
    let last_seen_at = detected_at.saturating_add(seen_for).min(now);
    let sessions: u32 = rng.random_range(5..120);
    let score: u32 = rng.random_range(50..96);
    let hour: u32 = rng.random_range(6..=22);
    let duration: u32 = rng.random_range(25..=90);
    let content = pick(rng, &CONTENT_TYPES);
    let half_life = round2(rng.random_range(1.5..14.0));
    let k = (std::f64::consts::LN_2 / half_life * 1000.0).round() / 1000.0;
    let (data, name, evidence) = match pattern_type {
        PatternType::OptimalStudyTime | PatternType::PerformancePeak => (
            json!({"hourOfDay": hour, "timeOfDayScore": score, "sessionCount": sessions,
                   "avgPerformance": score}),
            format!("Optimal study time: {hour}:00"),
            vec![
                format!("{sessions} sessions analyzed"),
                format!("Performance score: {score}%"),
                format!("Retention rate: {}%", rng.random_range(55..95)),
            ],
        ),
        PatternType::SessionDurationPreference | PatternType::AttentionCycle => (
            json!({"recommendedDuration": duration, "sessionCount": sessions,
                   "completionRate": round2(rng.random_range(0.5..0.98))}),
            format!("Preferred session length: {duration} min"),
            vec![
                format!("{sessions} sessions analyzed"),
                format!("Best completion at {duration} minutes"),
            ],
        ),
        PatternType::ContentTypePreference => (
            json!({"topContentType": content, "effectiveness": round2(rng.random_range(0.5..0.95)),
                   "sessionCount": sessions}),
            format!("Prefers {content}"),
            vec![
                format!("Top content type: {content}"),
                format!("{sessions} sessions analyzed"),
            ],
        ),
        PatternType::ForgettingCurve => (
            json!({"halfLife": half_life, "k": k, "R0": round2(rng.random_range(0.8..1.0))}),
            format!("Forgetting curve: half-life {half_life} days"),
            vec![
                format!("Half-life: {half_life} days"),
                format!("Deviation: {}%", rng.random_range(2..30)),
                format!("Decay rate (k): {k:.3}"),
            ],
        ),
    };
    NewPattern {
        user_id: user_id.to_owned(),
        pattern_type,
        pattern_data: data,
        confidence: confidence(rng),
        pattern_name: Some(name),
        evidence,
        occurrence_count: rng.random_range(1..40),
        detected_at,
        last_seen_at,
    }
}

fn insight(rng: &mut StdRng, user_id: &str, index: usize) -> NewInsight {
    let insight_type = pick(rng, InsightType::ALL);
    let (title, action) = match insight_type {
        InsightType::StudyTimeOptimization => {
            ("Mornings work best for you", "Move reviews before noon")
        }
        InsightType::SessionLengthAdjustment => {
            ("Shorter sessions finish more often", "Try 45-minute blocks")
        }
        InsightType::ContentPreference => {
            ("Clinical cases stick better", "Add a case to each mission")
        }
        InsightType::RetentionStrategy => (
            "Reviews after 3 days retain best",
            "Schedule a 3-day review",
        ),
    };
    NewInsight {
        user_id: user_id.to_owned(),
        insight_type,
        title: format!("{title} (#{index})"),
        description: format!("Observed over {} sessions.", rng.random_range(10..200)),
        actionable_recommendation: action.to_owned(),
        confidence: confidence(rng),
    }
}

fn intervention(rng: &mut StdRng, user_id: &str, all_pending: bool) -> NewIntervention {
    let status = if all_pending || rng.random_bool(0.6) {
        InterventionStatus::Pending
    } else {
        pick(rng, InterventionStatus::ALL)
    };
    NewIntervention {
        user_id: user_id.to_owned(),
        intervention_type: pick(rng, InterventionType::ALL),
        description: "Struggle predicted on an upcoming objective".to_owned(),
        reasoning: format!(
            "Predicted struggle probability {}%",
            rng.random_range(40..95)
        ),
        priority: rng.random_range(1..=10),
        status,
    }
}

/// Titles are distinct per index, so a user's active rows never collide on (type, title).
fn recommendation_title(index: usize) -> String {
    let kind = RecommendationType::ALL[index % RecommendationType::ALL.len()];
    let hour = 6 + index % 16;
    match kind {
        RecommendationType::StudyTimeOptimization => {
            format!(
                "Study during your peak hours ({hour}:00-{}:00) #{index}",
                hour + 1
            )
        }
        RecommendationType::SessionDurationAdjustment => {
            format!(
                "Adjust sessions to {} minutes #{index}",
                25 + 5 * (index % 14)
            )
        }
        RecommendationType::ContentTypeBalance => format!("Balance your content types #{index}"),
        RecommendationType::RetentionStrategy => format!("Review before you forget #{index}"),
        RecommendationType::ConsistencyBuilding => format!("Study on more days #{index}"),
        RecommendationType::ExperimentalSuggestion => format!("Try something new #{index}"),
    }
}

fn recommendation(rng: &mut StdRng, user_id: &str, index: usize) -> NewRecommendation {
    let recommendation_type = RecommendationType::ALL[index % RecommendationType::ALL.len()];
    let confidence = confidence(rng);
    let estimated_impact = round2(rng.random_range(0.3..0.95));
    let ease_of_implementation = round2(rng.random_range(0.3..0.95));
    let user_readiness = round2(rng.random_range(0.3..0.95));
    NewRecommendation {
        user_id: user_id.to_owned(),
        recommendation_type,
        title: recommendation_title(index),
        description: "Based on your recent study patterns.".to_owned(),
        actionable_text: "Adjust your next missions accordingly.".to_owned(),
        confidence,
        estimated_impact,
        ease_of_implementation,
        user_readiness,
        // The engine's priority weights, as in the original.
        priority_score: 0.3 * confidence
            + 0.4 * estimated_impact
            + 0.2 * ease_of_implementation
            + 0.1 * user_readiness,
        source_pattern_ids: Vec::new(),
        source_insight_ids: Vec::new(),
    }
}

fn configs(rng: &mut StdRng, volumes: &Volumes) -> Vec<ConfigSpec> {
    (0..volumes.configs)
        .map(|i| ConfigSpec {
            context: PersonalizationContext::ALL[i % PersonalizationContext::ALL.len()],
            strategy: pick(rng, &STRATEGIES),
            confidence: confidence(rng),
            active: i < volumes.active_configs,
        })
        .collect()
}

fn effectiveness(
    rng: &mut StdRng,
    volumes: &Volumes,
    config_count: usize,
    now: Timestamp,
) -> Vec<EffectivenessSpec> {
    if config_count == 0 {
        return Vec::new();
    }
    let day = Duration::days(1);
    (0..volumes.effectiveness)
        .map(|i| {
            let (start, end) = if volumes.weekly_effectiveness {
                // Consecutive weeks ending at `now`, oldest first.
                let weeks_back = (volumes.effectiveness - i) as i64;
                let start = now.saturating_add(-Duration::weeks(weeks_back));
                (start, start.saturating_add(Duration::weeks(1)))
            } else {
                let length = day * pick(rng, &[1_i32, 3, 7, 14]);
                let end = instant_in_history(rng, now);
                (end.saturating_add(-length), end)
            };
            let p_value = round2(rng.random_range(0.001..0.5));
            let maybe = |rng: &mut StdRng, lo: f64, hi: f64| {
                rng.random_bool(0.9)
                    .then(|| round2(rng.random_range(lo..hi)))
            };
            EffectivenessSpec {
                config_index: i % config_count,
                row: insights_model::EffectivenessRow {
                    start_date: start,
                    end_date: end,
                    retention_improvement: maybe(rng, -10.0, 30.0),
                    performance_improvement: maybe(rng, -10.0, 25.0),
                    completion_rate_change: maybe(rng, -5.0, 20.0),
                    engagement_change: maybe(rng, -5.0, 15.0),
                    composite_score: round2(rng.random_range(30.0..90.0)),
                    is_statistically_significant: p_value < 0.05,
                    sample_size: rng.random_range(5..200),
                    correlation: maybe(rng, -0.2, 0.9),
                    p_value: Some(p_value),
                },
            }
        })
        .collect()
}

fn session(rng: &mut StdRng, user_id: &str, now: Timestamp) -> NewStudySession {
    let started_at = instant_in_history(rng, now);
    let minutes: i64 = rng.random_range(25..=90);
    let completed = rng.random_bool(0.9);
    NewStudySession {
        user_id: user_id.to_owned(),
        started_at,
        completed_at: completed.then(|| started_at.saturating_add(Duration::minutes(minutes))),
        duration_ms: completed.then_some((minutes * 60_000) as i32),
        reviews_completed: rng.random_range(0..120),
        new_cards_studied: rng.random_range(0..40),
    }
}

fn profile(rng: &mut StdRng, user_id: &str, now: Timestamp) -> LearningProfile {
    let start: u32 = rng.random_range(6..20);
    let optimal: i32 = rng.random_range(25..=90);
    LearningProfile {
        id: format!("lp-{user_id}"),
        user_id: user_id.to_owned(),
        preferred_study_times: json!([{"dayOfWeek": rng.random_range(0..7), "startHour": start,
                                       "endHour": start + 2, "effectiveness": round2(rng.random_range(0.5..0.95))}]),
        average_session_duration: rng.random_range(25..=90),
        optimal_session_duration: optimal,
        content_preferences: json!({"flashcards": 0.4, "lectures": 0.2, "clinical_cases": 0.3, "quizzes": 0.1}),
        learning_style_profile: json!({"visual": 0.3, "auditory": 0.2, "reading": 0.3, "kinesthetic": 0.2}),
        personalized_forgetting_curve: json!({"R0": 1.0, "k": 0.14, "halfLife": 5.0}),
        last_analyzed_at: now,
        data_quality_score: round2(rng.random_range(0.3..0.95)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Workload;

    fn now() -> Timestamp {
        Timestamp::parse("2025-11-01T17:00:00Z").expect("valid")
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let v = Workload::Typical.per_user();
        let a = user_data(7, "user-00001", &v, now());
        assert_eq!(a, user_data(7, "user-00001", &v, now()));
        assert_ne!(a, user_data(8, "user-00001", &v, now()));
        assert_ne!(a.patterns, user_data(7, "user-00002", &v, now()).patterns);
    }

    #[test]
    fn values_stay_in_their_ranges() {
        let v = Workload::OriginalScale.per_user();
        let d = user_data(1, "user-00001", &v, now());
        let oldest = now().saturating_add(-Duration::weeks(HISTORY_WEEKS));
        for p in &d.patterns {
            assert!((0.4..=0.99).contains(&p.confidence));
            assert!(
                p.detected_at >= oldest
                    && p.detected_at <= p.last_seen_at
                    && p.last_seen_at <= now()
            );
            if let Some(h) = p.pattern_data.get("hourOfDay").and_then(|h| h.as_u64()) {
                assert!((6..=22).contains(&h));
            }
            if let Some(m) = p
                .pattern_data
                .get("recommendedDuration")
                .and_then(|m| m.as_u64())
            {
                assert!((25..=90).contains(&m));
            }
        }
        for e in &d.effectiveness {
            assert!(e.row.start_date < e.row.end_date && e.config_index < d.configs.len());
        }
        assert_eq!(d.configs.iter().filter(|c| c.active).count(), 3);
    }

    #[test]
    fn active_recommendation_titles_are_distinct() {
        let d = user_data(1, "user-00001", &Workload::Typical.per_user(), now());
        let mut keys: Vec<_> = d
            .recommendations
            .iter()
            .map(|r| (r.recommendation_type, r.title.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), d.recommendations.len());
        assert_eq!((d.applied_titles.len(), d.dismissed_titles.len()), (1, 2));
        assert!(
            d.dismissed_titles
                .iter()
                .all(|t| !d.applied_titles.contains(t))
        );
    }

    #[test]
    fn weekly_effectiveness_ends_at_now() {
        let d = user_data(1, "user-00001", &Workload::Typical.per_user(), now());
        assert_eq!(d.effectiveness.len(), 26);
        assert_eq!(d.effectiveness.last().map(|e| e.row.end_date), Some(now()));
    }
}

//! One engine run: inputs → the recommendations to create (the original's rules, with the
//! differences listed in docs/compatibility.md, section 5).

use std::collections::HashSet;

use insights_model::{
    BehavioralInsight, BehavioralPattern, Intervention, NewRecommendation, Recommendation,
    RecommendationType, Timestamp,
};
use time::Duration;

use super::candidates::{
    from_insight, from_intervention, from_pattern, select_insights, select_interventions,
    select_patterns,
};
use super::scoring::{MAX_RECOMMENDATIONS, prioritize};

/// How recent an active recommendation must be to stop a run (with enough active rows).
pub const SHORT_CIRCUIT_WINDOW: Duration = Duration::hours(24);
/// How many active recommendations stop a run (with one of them recent).
pub const SHORT_CIRCUIT_MIN_ACTIVE: usize = MAX_RECOMMENDATIONS;
/// Default time an applied or dismissed recommendation is not suggested again.
pub const DEFAULT_COOLDOWN: Duration = Duration::days(30);

/// Tunables of the engine. Only the cooldown is configurable; every other rule is the
/// original's and fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineConfig {
    /// How long a recommendation the user applied or dismissed blocks the same
    /// (type, title) from being suggested again. Default 30 days.
    pub cooldown: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            cooldown: DEFAULT_COOLDOWN,
        }
    }
}

impl EngineConfig {
    /// The earliest `appliedAt`/`dismissedAt` that still blocks a suggestion at `now`: the
    /// store should fetch closed recommendations with either instant ≥ this.
    pub fn cooldown_start(&self, now: Timestamp) -> Timestamp {
        now.saturating_add(-self.cooldown)
    }
}

/// Everything one run reads. The store pre-filters with SQL
/// ([`INPUT_LIMITS`](super::INPUT_LIMITS)); the engine re-applies every filter, so any superset of
/// the right rows gives the same plan.
#[derive(Debug, Clone, Copy)]
pub struct EngineInput<'a> {
    /// Whose recommendations are planned; rows of other users are ignored and new
    /// recommendations carry this id.
    pub user_id: &'a str,
    /// Behavioral patterns (used: confidence ≥ 0.7, top 10 by confidence).
    pub patterns: &'a [BehavioralPattern],
    /// Behavioral insights (used: unacknowledged, confidence ≥ 0.7, top 10 by confidence).
    pub insights: &'a [BehavioralInsight],
    /// Intervention recommendations (used: `PENDING`, top 5 by priority).
    pub interventions: &'a [Intervention],
    /// The user's active recommendations (neither applied nor dismissed).
    pub active: &'a [Recommendation],
    /// The user's recommendations applied or dismissed within the cooldown.
    pub recently_closed: &'a [Recommendation],
    /// The instant of the run.
    pub now: Timestamp,
}

/// What a run decided.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RecommendationPlan {
    /// New recommendations to insert, highest priority first: at most 5, at most 2 per type,
    /// none sharing (type, title) with an active or cooling-down row or with each other.
    pub to_create: Vec<NewRecommendation>,
    /// True when the 24-hour short-circuit fired (a recent active row and at least 5 active
    /// rows): nothing was generated and `to_create` is empty.
    pub short_circuited: bool,
}

/// Whether the original's short-circuit fires: some active row was created within the last
/// 24 hours (strictly after `now − 24h`) and there are at least 5 active rows.
pub fn short_circuit_fires(user_id: &str, active: &[Recommendation], now: Timestamp) -> bool {
    let since = now.saturating_add(-SHORT_CIRCUIT_WINDOW);
    let mine = || {
        active
            .iter()
            .filter(move |r| r.user_id == user_id && r.is_active())
    };
    mine().count() >= SHORT_CIRCUIT_MIN_ACTIVE && mine().any(|r| r.created_at > since)
}

/// Whether a closed recommendation still blocks its (type, title): applied or dismissed at or
/// after the cooldown start.
fn in_cooldown(row: &Recommendation, cooldown_start: Timestamp) -> bool {
    let closed_recently = |at: Option<Timestamp>| at.is_some_and(|t| t >= cooldown_start);
    closed_recently(row.applied_at) || closed_recently(row.dismissed_at)
}

/// Runs the engine: short-circuit check, candidates (patterns → insights → interventions),
/// prioritise and diversify to at most 5, then drop any candidate whose (type, title) is
/// already active, still in its cooldown, or taken by a higher-priority candidate of this run.
///
/// The de-duplication happens after the top-5 cut, as in the original, so a duplicate is not
/// replaced by the sixth-best candidate; the plan can hold fewer than 5.
pub fn plan_recommendations(input: &EngineInput<'_>, config: &EngineConfig) -> RecommendationPlan {
    let user_id = input.user_id;
    if short_circuit_fires(user_id, input.active, input.now) {
        return RecommendationPlan {
            to_create: Vec::new(),
            short_circuited: true,
        };
    }

    let patterns = select_patterns(user_id, input.patterns);
    let insights = select_insights(user_id, input.insights);
    let interventions = select_interventions(user_id, input.interventions);
    let mut candidates = Vec::with_capacity(patterns.len() + insights.len() + interventions.len());
    candidates.extend(
        patterns
            .into_iter()
            .filter_map(|p| from_pattern(user_id, p)),
    );
    candidates.extend(insights.into_iter().map(|i| from_insight(user_id, i)));
    candidates.extend(
        interventions
            .into_iter()
            .filter_map(|i| from_intervention(user_id, i)),
    );

    let cooldown_start = config.cooldown_start(input.now);
    let taken: HashSet<(RecommendationType, &str)> = input
        .active
        .iter()
        .filter(|r| r.user_id == user_id && r.is_active())
        .chain(
            input
                .recently_closed
                .iter()
                .filter(|r| r.user_id == user_id && in_cooldown(r, cooldown_start)),
        )
        .map(|r| (r.recommendation_type, r.title.as_str()))
        .collect();

    let top = prioritize(candidates);
    let mut fresh_keys: HashSet<(RecommendationType, String)> = HashSet::new();
    let to_create = top
        .into_iter()
        .filter(|c| {
            let key = (c.recommendation_type, c.title.as_str());
            !taken.contains(&key) && fresh_keys.insert((c.recommendation_type, c.title.clone()))
        })
        .collect();

    RecommendationPlan {
        to_create,
        short_circuited: false,
    }
}

//! Properties of the engine over arbitrary inputs (proptest).

use std::collections::{HashMap, HashSet};

use insights_model::{
    BehavioralInsight, BehavioralPattern, InsightType, Intervention, InterventionStatus,
    InterventionType, PatternType, Recommendation, RecommendationType,
};
use insights_recommender::engine::{EngineConfig, EngineInput, plan_recommendations};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::json;

use crate::fixtures::*;

/// Titles candidates can produce, so generated active rows collide with them often.
const TITLES: &[&str] = &[
    "Study during your peak hours (9:00-10:00)",
    "Study during your peak hours (7:00-8:00)",
    "Optimize session length to 45 minutes",
    "Increase flashcards content to 50%",
    "Review every 4 days for optimal retention",
    "Intervention: prerequisite review",
    "Intervention: cognitive load reduce",
    "T0",
    "T1",
    "T2",
];

fn arb_pattern() -> impl Strategy<Value = BehavioralPattern> {
    (
        select(PatternType::ALL),
        0.5f64..1.0,
        prop::option::of(select(vec![7i64, 9, 14])),
        0i32..8,
        "[a-z]{1,4}",
    )
        .prop_map(|(t, conf, hour, occurrences, id)| {
            let data = match hour {
                Some(h) => json!({"hourOfDay": h}),
                None => json!({}),
            };
            let mut p = pattern(&id, t, conf, data);
            p.occurrence_count = occurrences;
            p
        })
}

fn arb_insight() -> impl Strategy<Value = BehavioralInsight> {
    (
        select(InsightType::ALL),
        0.5f64..1.0,
        select(&TITLES[7..]),
        any::<bool>(),
    )
        .prop_map(|(t, conf, title, acked)| {
            let mut i = insight("i", t, conf, title);
            if acked {
                i.acknowledged_at = Some(days_ago(1));
            }
            i
        })
}

fn arb_intervention() -> impl Strategy<Value = Intervention> {
    (
        select(InterventionType::ALL),
        1i32..=10,
        select(InterventionStatus::ALL),
    )
        .prop_map(|(t, priority, status)| {
            let mut i = intervention("iv", t, priority);
            i.status = status;
            i
        })
}

fn arb_recommendation() -> impl Strategy<Value = Recommendation> {
    (select(RecommendationType::ALL), select(TITLES), 0i64..72)
        .prop_map(|(t, title, age)| recommendation("r", t, title, 0.5, hours_ago(age)))
}

#[derive(Debug, Clone)]
struct Inputs {
    patterns: Vec<BehavioralPattern>,
    insights: Vec<BehavioralInsight>,
    interventions: Vec<Intervention>,
    active: Vec<Recommendation>,
}

fn arb_inputs() -> impl Strategy<Value = Inputs> {
    (
        prop::collection::vec(arb_pattern(), 0..25),
        prop::collection::vec(arb_insight(), 0..15),
        prop::collection::vec(arb_intervention(), 0..10),
        prop::collection::vec(arb_recommendation(), 0..7),
    )
        .prop_map(|(patterns, insights, interventions, active)| Inputs {
            patterns,
            insights,
            interventions,
            active,
        })
}

fn run(inputs: &Inputs) -> insights_recommender::engine::RecommendationPlan {
    let input = EngineInput {
        user_id: USER,
        patterns: &inputs.patterns,
        insights: &inputs.insights,
        interventions: &inputs.interventions,
        active: &inputs.active,
        recently_closed: &[],
        now: now(),
    };
    plan_recommendations(&input, &EngineConfig::default())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_more_than_five(inputs in arb_inputs()) {
        prop_assert!(run(&inputs).to_create.len() <= 5);
    }

    #[test]
    fn never_more_than_two_of_one_type(inputs in arb_inputs()) {
        let mut per_type: HashMap<RecommendationType, usize> = HashMap::new();
        for r in run(&inputs).to_create {
            *per_type.entry(r.recommendation_type).or_default() += 1;
        }
        prop_assert!(per_type.values().all(|n| *n <= 2), "{per_type:?}");
    }

    #[test]
    fn sorted_by_priority_descending(inputs in arb_inputs()) {
        let scores: Vec<f64> = run(&inputs).to_create.iter().map(|r| r.priority_score).collect();
        prop_assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }

    #[test]
    fn deterministic(inputs in arb_inputs()) {
        prop_assert_eq!(run(&inputs), run(&inputs.clone()));
    }

    #[test]
    fn never_duplicates_an_active_type_and_title(inputs in arb_inputs()) {
        let active: HashSet<_> = inputs
            .active
            .iter()
            .map(|r| (r.recommendation_type, r.title.clone()))
            .collect();
        let mut seen = HashSet::new();
        let plan = run(&inputs);
        for r in plan.to_create {
            let key = (r.recommendation_type, r.title.clone());
            prop_assert!(!active.contains(&key), "duplicate of an active row: {key:?}");
            prop_assert!(seen.insert(key), "duplicate within the plan");
            prop_assert_eq!(r.user_id.as_str(), USER);
        }
    }

    #[test]
    fn a_short_circuited_plan_creates_nothing(inputs in arb_inputs()) {
        let plan = run(&inputs);
        if plan.short_circuited {
            prop_assert!(plan.to_create.is_empty());
            prop_assert!(inputs.active.len() >= 5);
        }
    }
}

//! The engine's rules, one test per rule (the original's, and ours where docs/compatibility.md
//! says we differ).

use insights_model::{
    InsightType, InterventionStatus, InterventionType, NewRecommendation, PatternType,
    Recommendation, RecommendationType,
};
use insights_recommender::engine::candidates::{from_intervention, intervention_title};
use insights_recommender::engine::scoring::{prioritize, priority_score};
use insights_recommender::engine::templates::{TEMPLATES, fill_template};
use insights_recommender::engine::{
    EngineConfig, EngineInput, RecommendationPlan, plan_recommendations,
};
use serde_json::{Value, json};

use crate::fixtures::*;

#[derive(Default)]
struct Rows {
    patterns: Vec<insights_model::BehavioralPattern>,
    insights: Vec<insights_model::BehavioralInsight>,
    interventions: Vec<insights_model::Intervention>,
    active: Vec<Recommendation>,
    closed: Vec<Recommendation>,
}

impl Rows {
    fn plan_with(&self, config: &EngineConfig) -> RecommendationPlan {
        let input = EngineInput {
            user_id: USER,
            patterns: &self.patterns,
            insights: &self.insights,
            interventions: &self.interventions,
            active: &self.active,
            recently_closed: &self.closed,
            now: now(),
        };
        plan_recommendations(&input, config)
    }

    fn plan(&self) -> RecommendationPlan {
        self.plan_with(&EngineConfig::default())
    }
}

fn one_from_pattern(pattern_type: PatternType, data: Value) -> NewRecommendation {
    let rows = Rows {
        patterns: vec![pattern("p1", pattern_type, 0.85, data)],
        ..Rows::default()
    };
    let plan = rows.plan();
    assert_eq!(plan.to_create.len(), 1, "{pattern_type}");
    plan.to_create.into_iter().next().expect("one candidate")
}

fn texts(r: &NewRecommendation) -> [&str; 3] {
    [&r.title, &r.description, &r.actionable_text]
}

// --- templates with data ---------------------------------------------------------------------

#[test]
fn optimal_study_time_fills_hours_increase_and_sessions_from_pattern_data() {
    let r = one_from_pattern(
        PatternType::OptimalStudyTime,
        json!({"hourOfDay": 7, "timeOfDayScore": 90, "sessionCount": 15}),
    );
    assert_eq!(
        r.recommendation_type,
        RecommendationType::StudyTimeOptimization
    );
    assert_eq!(
        texts(&r),
        [
            "Study during your peak hours (7:00-8:00)",
            "Your analysis shows 29% better performance during 7:00-8:00 based on 15 sessions.",
            "Schedule high-priority missions during 7:00-8:00 for optimal retention and performance.",
        ]
    );
    assert_eq!(r.user_id, USER);
    assert_eq!(r.confidence, 0.85);
    assert_eq!(r.estimated_impact, 0.7224999999999999);
    assert_eq!(r.ease_of_implementation, 0.7);
    assert_eq!(r.user_readiness, 0.925);
    assert_eq!(r.priority_score, 0.7765000000000001);
    assert_eq!(r.source_pattern_ids, vec!["p1".to_owned()]);
    assert!(r.source_insight_ids.is_empty());
}

#[test]
fn session_duration_fills_duration_and_the_constant_completion_rate() {
    let r = one_from_pattern(
        PatternType::SessionDurationPreference,
        json!({"recommendedDuration": 50}),
    );
    assert_eq!(
        r.recommendation_type,
        RecommendationType::SessionDurationAdjustment
    );
    assert_eq!(
        texts(&r),
        [
            "Optimize session length to 50 minutes",
            "Your optimal session length is 50 minutes (85% completion rate).",
            "Adjust mission duration preferences to 50 minutes for better completion and reduced fatigue.",
        ]
    );
    assert_eq!(r.estimated_impact, 0.75 * 0.85);
    assert_eq!(r.ease_of_implementation, 0.9);
}

#[test]
fn content_type_fills_type_and_rounded_percentages() {
    let r = one_from_pattern(
        PatternType::ContentTypePreference,
        json!({"topContentType": "video", "effectiveness": 0.72}),
    );
    assert_eq!(
        r.recommendation_type,
        RecommendationType::ContentTypeBalance
    );
    assert_eq!(
        texts(&r),
        [
            "Increase video content to 72%",
            "You learn 72% more effectively with video content.",
            "Prioritize video content in your study sessions for improved learning outcomes.",
        ]
    );
    assert_eq!(r.estimated_impact, 0.65 * 0.85);
    assert_eq!(r.ease_of_implementation, 0.75);
}

#[test]
fn forgetting_curve_fills_review_days_half_life_and_direction() {
    let r = one_from_pattern(
        PatternType::ForgettingCurve,
        json!({"halfLife": 6.6, "k": 0.2}),
    );
    assert_eq!(r.recommendation_type, RecommendationType::RetentionStrategy);
    assert_eq!(
        texts(&r),
        [
            "Review every 5 days for optimal retention",
            "Your retention decays 15% faster than average (half-life: 6.6 days).",
            "Adjust review frequency to every 5 days to maintain 70%+ retention.",
        ]
    );
    assert_eq!(r.estimated_impact, 0.8 * 0.85);
    assert_eq!(r.ease_of_implementation, 0.6);

    let slow = one_from_pattern(
        PatternType::ForgettingCurve,
        json!({"halfLife": 4.6, "k": 0.14}),
    );
    assert_eq!(slow.title, "Review every 3 days for optimal retention");
    assert_eq!(
        slow.description,
        "Your retention decays 15% slower than average (half-life: 4.6 days)."
    );
}

// --- placeholder defaults (what the original always produced) --------------------------------

#[test]
fn every_template_falls_back_to_the_documented_defaults() {
    let cases = [
        (
            PatternType::OptimalStudyTime,
            [
                "Study during your peak hours (9:00-10:00)",
                "Your analysis shows 0% better performance during 9:00-10:00 based on 0 sessions.",
                "Schedule high-priority missions during 9:00-10:00 for optimal retention and performance.",
            ],
        ),
        (
            PatternType::SessionDurationPreference,
            [
                "Optimize session length to 45 minutes",
                "Your optimal session length is 45 minutes (85% completion rate).",
                "Adjust mission duration preferences to 45 minutes for better completion and reduced fatigue.",
            ],
        ),
        (
            PatternType::ContentTypePreference,
            [
                "Increase flashcards content to 50%",
                "You learn 50% more effectively with flashcards content.",
                "Prioritize flashcards content in your study sessions for improved learning outcomes.",
            ],
        ),
        (
            PatternType::ForgettingCurve,
            [
                "Review every 4 days for optimal retention",
                "Your retention decays 15% slower than average (half-life: 5 days).",
                "Adjust review frequency to every 4 days to maintain 70%+ retention.",
            ],
        ),
    ];
    for (pattern_type, want) in cases {
        // HEAD shape: numbers nowhere, evidence a string array.
        let r = one_from_pattern(pattern_type, json!({}));
        assert_eq!(texts(&r), want, "{pattern_type}");
    }
}

#[test]
fn patterns_without_a_template_yield_nothing() {
    for pattern_type in [PatternType::PerformancePeak, PatternType::AttentionCycle] {
        let rows = Rows {
            patterns: vec![pattern("p1", pattern_type, 0.9, json!({}))],
            ..Rows::default()
        };
        assert!(rows.plan().to_create.is_empty(), "{pattern_type}");
    }
}

#[test]
fn unreachable_templates_keep_unknown_placeholders_literally() {
    let consistency = TEMPLATES[4];
    assert_eq!(
        consistency.recommendation_type,
        RecommendationType::ConsistencyBuilding
    );
    assert_eq!(
        fill_template(consistency.title, &[]),
        "Build study consistency: {{targetDays}} days per week"
    );
    let experimental = TEMPLATES[5];
    assert_eq!(
        fill_template(experimental.title, &[("topic", "cardiology".to_owned())]),
        "Try {{experimentType}} for cardiology"
    );
    assert_eq!(
        (consistency.impact_base, consistency.ease_base),
        (0.7, 0.65)
    );
    assert_eq!(
        (experimental.impact_base, experimental.ease_base),
        (0.6, 0.5)
    );
}

// --- placeholder sources ---------------------------------------------------------------------

#[test]
fn an_object_valued_evidence_is_read_when_pattern_data_lacks_the_key() {
    let mut p = pattern(
        "p1",
        PatternType::OptimalStudyTime,
        0.85,
        json!({"hourOfDay": 7}),
    );
    p.evidence = json!({"hourOfDay": 14, "timeOfDayScore": 105, "sessionCount": 30});
    let rows = Rows {
        patterns: vec![p],
        ..Rows::default()
    };
    let r = &rows.plan().to_create[0];
    // hourOfDay from patternData, the others from evidence.
    assert_eq!(
        r.description,
        "Your analysis shows 50% better performance during 7:00-8:00 based on 30 sessions."
    );
}

#[test]
fn values_of_the_wrong_json_type_fall_through_to_the_next_source() {
    let mut p = pattern(
        "p1",
        PatternType::OptimalStudyTime,
        0.85,
        json!({"hourOfDay": "7", "sessionCount": null}),
    );
    p.evidence = json!({"hourOfDay": 10});
    let rows = Rows {
        patterns: vec![p],
        ..Rows::default()
    };
    let r = &rows.plan().to_create[0];
    assert_eq!(r.title, "Study during your peak hours (10:00-11:00)");
    assert!(r.description.ends_with("based on 0 sessions."));

    let content = one_from_pattern(
        PatternType::ContentTypePreference,
        json!({"topContentType": 3, "effectiveness": "0.9"}),
    );
    assert_eq!(content.title, "Increase flashcards content to 50%");
}

#[test]
fn math_round_semantics_round_halves_up_and_numbers_print_like_javascript() {
    let half = one_from_pattern(
        PatternType::ContentTypePreference,
        json!({"effectiveness": 0.125}),
    );
    assert_eq!(half.title, "Increase flashcards content to 13%");
    let negative = one_from_pattern(PatternType::OptimalStudyTime, json!({"timeOfDayScore": 35}));
    assert!(
        negative
            .description
            .starts_with("Your analysis shows -50% better")
    );
    let fractional = one_from_pattern(PatternType::OptimalStudyTime, json!({"hourOfDay": 7.5}));
    assert_eq!(
        fractional.title,
        "Study during your peak hours (7.5:00-8.5:00)"
    );
    let float_int = one_from_pattern(
        PatternType::SessionDurationPreference,
        json!({"recommendedDuration": 50.0}),
    );
    assert_eq!(float_int.title, "Optimize session length to 50 minutes");
}

// --- insights and interventions --------------------------------------------------------------

#[test]
fn insights_map_to_their_recommendation_type_with_fixed_ease_and_readiness() {
    let cases = [
        (
            InsightType::StudyTimeOptimization,
            RecommendationType::StudyTimeOptimization,
        ),
        (
            InsightType::SessionLengthAdjustment,
            RecommendationType::SessionDurationAdjustment,
        ),
        (
            InsightType::ContentPreference,
            RecommendationType::ContentTypeBalance,
        ),
        (
            InsightType::RetentionStrategy,
            RecommendationType::RetentionStrategy,
        ),
    ];
    for (insight_type, want) in cases {
        let rows = Rows {
            insights: vec![insight("i1", insight_type, 0.9, "Title")],
            ..Rows::default()
        };
        let plan = rows.plan();
        let r = &plan.to_create[0];
        assert_eq!(r.recommendation_type, want);
        assert_eq!(texts(r), ["Title", "Title (description)", "Title (action)"]);
        assert_eq!(r.confidence, 0.9);
        assert_eq!(r.estimated_impact, 0.75 * 0.9);
        assert_eq!((r.ease_of_implementation, r.user_readiness), (0.7, 0.8));
        assert_eq!(r.priority_score, priority_score(0.9, 0.75 * 0.9, 0.7, 0.8));
        assert!(r.source_pattern_ids.is_empty());
        assert_eq!(r.source_insight_ids, vec!["i1".to_owned()]);
    }
}

#[test]
fn interventions_map_or_are_skipped_with_confidence_priority_over_ten() {
    use InterventionType as I;
    use RecommendationType as R;
    let cases = [
        (I::PrerequisiteReview, Some(R::RetentionStrategy)),
        (I::DifficultyProgression, Some(R::ExperimentalSuggestion)),
        (I::SpacingAdjustment, None),
        (I::ContentVariation, None),
        (I::BreakRecommendation, None),
        (I::FocusSession, None),
        (I::ContentFormatAdapt, Some(R::ContentTypeBalance)),
        (I::CognitiveLoadReduce, Some(R::SessionDurationAdjustment)),
        (I::SpacedRepetitionBoost, Some(R::RetentionStrategy)),
        (I::BreakScheduleAdjust, Some(R::SessionDurationAdjustment)),
    ];
    for (intervention_type, want) in cases {
        let got = from_intervention(USER, &intervention("iv1", intervention_type, 3));
        assert_eq!(
            got.as_ref().map(|r| r.recommendation_type),
            want,
            "{intervention_type}"
        );
        if let Some(r) = got {
            // No 0.7 threshold for interventions.
            assert_eq!(r.confidence, 0.3);
            assert_eq!(
                (
                    r.estimated_impact,
                    r.ease_of_implementation,
                    r.user_readiness
                ),
                (0.8, 0.6, 0.7)
            );
            assert_eq!(r.description, "iv1 description");
            assert_eq!(r.actionable_text, "iv1 reasoning");
            assert!(r.source_pattern_ids.is_empty() && r.source_insight_ids.is_empty());
        }
    }
    assert_eq!(
        intervention_title(I::PrerequisiteReview),
        "Intervention: prerequisite review"
    );
    assert_eq!(
        intervention_title(I::SpacedRepetitionBoost),
        "Intervention: spaced repetition boost"
    );
}

// --- input filters (the store's, re-applied by the engine) -----------------------------------

#[test]
fn input_filters_are_reapplied_on_any_input() {
    let mut acknowledged = insight("i-ack", InsightType::ContentPreference, 0.95, "Acked");
    acknowledged.acknowledged_at = Some(days_ago(1));
    let mut done = intervention("iv-done", InterventionType::PrerequisiteReview, 10);
    done.status = InterventionStatus::Completed;
    let mut foreign = pattern("p-other", PatternType::ForgettingCurve, 0.99, json!({}));
    foreign.user_id = "someone-else".to_owned();
    let rows = Rows {
        patterns: vec![
            pattern(
                "p-low",
                PatternType::SessionDurationPreference,
                0.69,
                json!({}),
            ),
            foreign,
        ],
        insights: vec![
            acknowledged,
            insight("i-low", InsightType::RetentionStrategy, 0.5, "Low"),
        ],
        interventions: vec![done],
        ..Rows::default()
    };
    assert!(rows.plan().to_create.is_empty());
}

#[test]
fn only_the_ten_most_confident_patterns_are_read() {
    // Eleven distinct titles of one type would be cut by diversity anyway, so use the
    // confidence ordering: the least confident of 11 session-duration patterns is dropped
    // before scoring even though it alone has a distinct title.
    let mut patterns: Vec<_> = (0..10)
        .map(|i| {
            pattern(
                &format!("p{i}"),
                PatternType::PerformancePeak,
                0.9 + f64::from(i) / 1000.0,
                json!({}),
            )
        })
        .collect();
    patterns.push(pattern(
        "p-last",
        PatternType::ForgettingCurve,
        0.8,
        json!({}),
    ));
    let rows = Rows {
        patterns,
        ..Rows::default()
    };
    assert!(
        rows.plan().to_create.is_empty(),
        "the 11th pattern must not be read"
    );
}

#[test]
fn only_the_five_highest_priority_pending_interventions_are_read() {
    let mut interventions: Vec<_> = (1..=5)
        .map(|i| intervention(&format!("iv{i}"), InterventionType::FocusSession, 5 + i))
        .collect();
    interventions.push(intervention(
        "iv-low",
        InterventionType::PrerequisiteReview,
        5,
    ));
    let rows = Rows {
        interventions,
        ..Rows::default()
    };
    assert!(
        rows.plan().to_create.is_empty(),
        "priority 5 is the 6th and is not read"
    );
}

// --- scoring, order and diversity ------------------------------------------------------------

#[test]
fn priority_examples_of_contract_h1_and_higher_first() {
    let high = priority_score(0.8, 0.9, 0.7, 0.6);
    let low = priority_score(0.6, 0.5, 0.9, 0.8);
    assert!((high - 0.80).abs() < 1e-9, "{high}");
    assert!((low - 0.64).abs() < 1e-9, "{low}");
    let make = |title: &str, score: f64| NewRecommendation {
        user_id: USER.to_owned(),
        recommendation_type: RecommendationType::RetentionStrategy,
        title: title.to_owned(),
        description: String::new(),
        actionable_text: String::new(),
        confidence: 0.0,
        estimated_impact: 0.0,
        ease_of_implementation: 0.0,
        user_readiness: 0.0,
        priority_score: score,
        source_pattern_ids: Vec::new(),
        source_insight_ids: Vec::new(),
    };
    let sorted = prioritize(vec![make("low", low), make("high", high)]);
    let titles: Vec<_> = sorted.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, ["high", "low"]);
}

#[test]
fn at_most_two_of_one_type_are_kept() {
    let insights = (0..5)
        .map(|i| {
            insight(
                &format!("i{i}"),
                InsightType::StudyTimeOptimization,
                0.9 - f64::from(i) / 100.0,
                &format!("Title {i}"),
            )
        })
        .collect();
    let rows = Rows {
        insights,
        ..Rows::default()
    };
    let titles: Vec<_> = rows.plan().to_create.into_iter().map(|r| r.title).collect();
    assert_eq!(titles, ["Title 0", "Title 1"]);
}

#[test]
fn at_most_five_are_created_sorted_by_priority() {
    let mut insights = Vec::new();
    for (n, t) in InsightType::ALL.iter().enumerate() {
        for k in 0..3 {
            let conf = 0.7 + (n * 3 + k) as f64 / 100.0;
            insights.push(insight(&format!("i{n}{k}"), *t, conf, &format!("T{n}{k}")));
        }
    }
    let rows = Rows {
        insights,
        ..Rows::default()
    };
    let plan = rows.plan();
    assert_eq!(plan.to_create.len(), 5);
    let scores: Vec<_> = plan.to_create.iter().map(|r| r.priority_score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn ties_keep_the_patterns_insights_interventions_order() {
    let rows = Rows {
        insights: vec![
            insight("i1", InsightType::RetentionStrategy, 0.8, "First"),
            insight("i2", InsightType::ContentPreference, 0.8, "Second"),
            insight("i3", InsightType::StudyTimeOptimization, 0.8, "Third"),
        ],
        ..Rows::default()
    };
    let titles: Vec<_> = rows.plan().to_create.into_iter().map(|r| r.title).collect();
    assert_eq!(titles, ["First", "Second", "Third"]);
}

// --- 24-hour short-circuit -------------------------------------------------------------------

fn five_active(newest: insights_model::Timestamp) -> Vec<Recommendation> {
    (0..5)
        .map(|i| {
            let created = if i == 0 { newest } else { days_ago(3) };
            recommendation(
                &format!("r{i}"),
                RecommendationType::ExperimentalSuggestion,
                &format!("Existing {i}"),
                0.5,
                created,
            )
        })
        .collect()
}

fn rows_with_candidates(active: Vec<Recommendation>) -> Rows {
    Rows {
        patterns: vec![pattern("p1", PatternType::ForgettingCurve, 0.9, json!({}))],
        active,
        ..Rows::default()
    }
}

#[test]
fn short_circuit_fires_with_five_active_and_one_recent() {
    let plan = rows_with_candidates(five_active(hours_ago(23))).plan();
    assert!(plan.short_circuited);
    assert!(plan.to_create.is_empty());
}

#[test]
fn short_circuit_needs_both_a_recent_row_and_five_active_rows() {
    let old = rows_with_candidates(five_active(hours_ago(25))).plan();
    assert!(!old.short_circuited);
    assert_eq!(old.to_create.len(), 1);

    // Exactly 24 hours old is not "after now − 24h".
    let boundary = rows_with_candidates(five_active(hours_ago(24))).plan();
    assert!(!boundary.short_circuited);

    let mut four = five_active(hours_ago(1));
    four.pop();
    let few = rows_with_candidates(four).plan();
    assert!(!few.short_circuited);
    assert_eq!(few.to_create.len(), 1);

    // Applied rows are not active and do not count.
    let mut with_applied = five_active(hours_ago(1));
    with_applied[4].applied_at = Some(hours_ago(1));
    assert!(!rows_with_candidates(with_applied).plan().short_circuited);
}

// --- de-duplication --------------------------------------------------------------------------

const DEFAULT_RETENTION_TITLE: &str = "Review every 4 days for optimal retention";

#[test]
fn an_active_row_with_the_same_type_and_title_is_not_created_again() {
    let same = recommendation(
        "r1",
        RecommendationType::RetentionStrategy,
        DEFAULT_RETENTION_TITLE,
        0.7,
        days_ago(3),
    );
    assert!(rows_with_candidates(vec![same]).plan().to_create.is_empty());

    let other_type = recommendation(
        "r1",
        RecommendationType::ConsistencyBuilding,
        DEFAULT_RETENTION_TITLE,
        0.7,
        days_ago(3),
    );
    assert_eq!(
        rows_with_candidates(vec![other_type])
            .plan()
            .to_create
            .len(),
        1
    );
}

fn closed(applied_days_ago: Option<i64>, dismissed_days_ago: Option<i64>) -> Recommendation {
    let mut r = recommendation(
        "r-closed",
        RecommendationType::RetentionStrategy,
        DEFAULT_RETENTION_TITLE,
        0.7,
        days_ago(60),
    );
    r.applied_at = applied_days_ago.map(days_ago);
    r.dismissed_at = dismissed_days_ago.map(days_ago);
    r
}

fn plan_with_closed(row: Recommendation, config: &EngineConfig) -> RecommendationPlan {
    let mut rows = rows_with_candidates(Vec::new());
    rows.closed = vec![row];
    rows.plan_with(config)
}

#[test]
fn applied_or_dismissed_rows_block_for_the_cooldown() {
    let default = EngineConfig::default();
    assert!(
        plan_with_closed(closed(Some(10), None), &default)
            .to_create
            .is_empty()
    );
    assert!(
        plan_with_closed(closed(None, Some(29),), &default)
            .to_create
            .is_empty()
    );
    // Exactly 30 days ago is still within the cooldown (inclusive bound).
    assert!(
        plan_with_closed(closed(Some(30), None), &default)
            .to_create
            .is_empty()
    );
}

#[test]
fn outside_the_cooldown_a_recommendation_is_suggested_again() {
    let default = EngineConfig::default();
    let again = plan_with_closed(closed(Some(31), None), &default);
    assert_eq!(again.to_create.len(), 1);
    assert_eq!(again.to_create[0].title, DEFAULT_RETENTION_TITLE);

    let short = EngineConfig {
        cooldown: time::Duration::days(7),
    };
    assert_eq!(
        plan_with_closed(closed(None, Some(10)), &short)
            .to_create
            .len(),
        1
    );
    assert_eq!(
        short.cooldown_start(now()),
        days_ago(7),
        "the store fetches closed rows from this instant on"
    );
}

#[test]
fn candidates_sharing_type_and_title_are_created_once() {
    let rows = Rows {
        patterns: vec![
            pattern("p1", PatternType::OptimalStudyTime, 0.9, json!({})),
            pattern("p2", PatternType::OptimalStudyTime, 0.8, json!({})),
        ],
        ..Rows::default()
    };
    let plan = rows.plan();
    assert_eq!(plan.to_create.len(), 1);
    assert_eq!(plan.to_create[0].source_pattern_ids, vec!["p1".to_owned()]);
}

#[test]
fn a_realistic_run_mixes_all_three_sources() {
    let rows = Rows {
        patterns: vec![
            pattern(
                "p1",
                PatternType::OptimalStudyTime,
                0.87,
                json!({"hourOfDay": 7, "timeOfDayScore": 82, "sessionCount": 42}),
            ),
            pattern(
                "p2",
                PatternType::SessionDurationPreference,
                0.79,
                json!({"recommendedDuration": 50}),
            ),
            pattern(
                "p3",
                PatternType::ForgettingCurve,
                0.82,
                json!({"halfLife": 4.6, "k": 0.15}),
            ),
        ],
        insights: vec![insight(
            "i1",
            InsightType::StudyTimeOptimization,
            0.87,
            "Morning sessions work best",
        )],
        interventions: vec![intervention("iv1", InterventionType::PrerequisiteReview, 8)],
        ..Rows::default()
    };
    let plan = rows.plan();
    assert!(!plan.short_circuited);
    let got: Vec<_> = plan
        .to_create
        .iter()
        .map(|r| (r.recommendation_type, r.title.as_str()))
        .collect();
    assert_eq!(got.len(), 5);
    assert!(got.contains(&(
        RecommendationType::StudyTimeOptimization,
        "Study during your peak hours (7:00-8:00)"
    )));
    assert!(got.contains(&(
        RecommendationType::RetentionStrategy,
        "Intervention: prerequisite review"
    )));
}

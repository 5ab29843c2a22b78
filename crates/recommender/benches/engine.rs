#![allow(missing_docs)]
//! Criterion benchmarks of the engine and the effectiveness aggregation at a realistic size
//! (10 patterns, 26 effectiveness rows) and a large one (10,000 patterns / rows).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use insights_model::{
    BehavioralInsight, BehavioralPattern, EffectivenessRow, InsightType, Intervention,
    InterventionStatus, InterventionType, PatternType, PersonalizationConfig,
    PersonalizationContext, Recommendation, RecommendationStatus, RecommendationType, Timestamp,
};
use insights_recommender::effectiveness::{EffectivenessMetric, personalization_effectiveness};
use insights_recommender::engine::{EngineConfig, EngineInput, plan_recommendations};
use serde_json::json;
use time::Duration;

const USER: &str = "bench-user";
const NOW_MS: i64 = 1_761_966_000_000; // 2025-11-01T03:00:00Z

fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms).expect("in range")
}

fn now() -> Timestamp {
    at(NOW_MS)
}

/// A deterministic spread in [0, 1) without an RNG dependency.
fn spread(i: usize, salt: usize) -> f64 {
    ((i * 7919 + salt * 104_729) % 1000) as f64 / 1000.0
}

fn patterns(n: usize) -> Vec<BehavioralPattern> {
    (0..n)
        .map(|i| {
            let pattern_type = PatternType::ALL[i % PatternType::ALL.len()];
            BehavioralPattern {
                id: format!("p{i}"),
                user_id: USER.to_owned(),
                pattern_type,
                pattern_data: json!({
                    "hourOfDay": 6 + i % 12,
                    "timeOfDayScore": 60.0 + 40.0 * spread(i, 1),
                    "sessionCount": 10 + i % 50,
                    "recommendedDuration": 30 + 5 * (i % 8),
                    "topContentType": "video",
                    "effectiveness": spread(i, 2),
                    "halfLife": 2.0 + 6.0 * spread(i, 3),
                    "k": 0.1 + 0.1 * spread(i, 4),
                }),
                confidence: 0.6 + 0.4 * spread(i, 5),
                first_detected_at: at(NOW_MS - 86_400_000 * 30),
                last_seen_at: at(NOW_MS - 86_400_000),
                pattern_name: None,
                evidence: json!(["42 sessions analyzed", "Performance score: 82%"]),
                occurrence_count: (i % 9) as i32,
                detected_at: at(NOW_MS - 86_400_000 * 30),
            }
        })
        .collect()
}

fn insights(n: usize) -> Vec<BehavioralInsight> {
    (0..n)
        .map(|i| BehavioralInsight {
            id: format!("i{i}"),
            user_id: USER.to_owned(),
            insight_type: InsightType::ALL[i % InsightType::ALL.len()],
            title: format!("Insight {i}"),
            description: "Morning sessions score higher.".to_owned(),
            actionable_recommendation: "Study before noon.".to_owned(),
            confidence: 0.6 + 0.4 * spread(i, 6),
            created_at: at(NOW_MS - 86_400_000 * 2),
            acknowledged_at: None,
            applied: false,
        })
        .collect()
}

fn interventions(n: usize) -> Vec<Intervention> {
    (0..n)
        .map(|i| Intervention {
            id: format!("iv{i}"),
            user_id: USER.to_owned(),
            intervention_type: InterventionType::ALL[i % InterventionType::ALL.len()],
            description: "Review the prerequisites first.".to_owned(),
            reasoning: "Struggle predicted on the next objective.".to_owned(),
            priority: 1 + (i % 10) as i32,
            status: InterventionStatus::Pending,
            created_at: at(NOW_MS - 86_400_000),
        })
        .collect()
}

fn recommendations(n: usize, closed: bool) -> Vec<Recommendation> {
    (0..n)
        .map(|i| Recommendation {
            id: format!("r{i}"),
            user_id: USER.to_owned(),
            recommendation_type: RecommendationType::ALL[i % RecommendationType::ALL.len()],
            title: if i == 0 {
                "Review every 4 days for optimal retention".to_owned()
            } else {
                format!("Existing {i}")
            },
            description: "d".to_owned(),
            actionable_text: "a".to_owned(),
            confidence: 0.8,
            estimated_impact: 0.6,
            ease_of_implementation: 0.7,
            user_readiness: 0.8,
            priority_score: 0.5 + 0.4 * spread(i, 7),
            status: RecommendationStatus::Pending,
            source_pattern_ids: Vec::new(),
            source_insight_ids: Vec::new(),
            created_at: at(NOW_MS - 86_400_000 * 3),
            applied_at: closed.then(|| at(NOW_MS - 86_400_000 * 5)),
            dismissed_at: None,
        })
        .collect()
}

fn effectiveness_rows(n: usize, start_ms: i64) -> Vec<EffectivenessRow> {
    (0..n)
        .map(|i| {
            let start = start_ms + (i as i64) * 3_600_000;
            EffectivenessRow {
                start_date: at(start),
                end_date: at(start + 3_600_000),
                retention_improvement: (i % 5 != 0).then(|| 20.0 * spread(i, 8)),
                performance_improvement: (i % 7 != 0).then(|| 15.0 * spread(i, 9)),
                completion_rate_change: (i % 3 != 0).then(|| 10.0 * spread(i, 10)),
                engagement_change: Some(5.0 * spread(i, 11)),
                composite_score: 100.0 * spread(i, 12),
                is_statistically_significant: i % 2 == 0,
                sample_size: 10 + (i % 30) as i32,
                correlation: (i % 4 != 0).then(|| spread(i, 13)),
                p_value: (i % 6 != 0).then(|| 0.1 * spread(i, 14)),
            }
        })
        .collect()
}

fn bench_engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine/plan_recommendations");
    // realistic: what the store hands over for one user (the engine's input limits: 10/10/5).
    // large: 10,000 rows of each kind, which the engine must filter itself.
    for (name, n_patterns, n_insights, n_interventions, n_active, n_closed) in [
        ("realistic", 10, 10, 5, 4, 3),
        ("large", 10_000, 10_000, 10_000, 1_000, 1_000),
    ] {
        let patterns = patterns(n_patterns);
        let insights = insights(n_insights);
        let interventions = interventions(n_interventions);
        let active = recommendations(n_active, false);
        let closed = recommendations(n_closed, true);
        let config = EngineConfig::default();
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                let input = EngineInput {
                    user_id: USER,
                    patterns: black_box(&patterns),
                    insights: black_box(&insights),
                    interventions: black_box(&interventions),
                    active: black_box(&active),
                    recently_closed: black_box(&closed),
                    now: now(),
                };
                plan_recommendations(&input, &config)
            })
        });
    }
    group.finish();
}

fn bench_effectiveness(c: &mut Criterion) {
    let mut group = c.benchmark_group("effectiveness/personalization_effectiveness");
    let configs = [
        PersonalizationConfig {
            id: "c1".to_owned(),
            context: PersonalizationContext::Mission,
            strategy_variant: "Balanced".to_owned(),
            confidence_score: 0.7,
        },
        PersonalizationConfig {
            id: "c2".to_owned(),
            context: PersonalizationContext::Session,
            strategy_variant: "Pattern-heavy".to_owned(),
            confidence_score: 0.8,
        },
    ];
    for (name, n) in [("realistic", 26), ("large", 10_000)] {
        let start_ms = NOW_MS - 86_400_000 * 500;
        let rows = effectiveness_rows(n, start_ms);
        let start = at(start_ms);
        let end = now().saturating_add(Duration::days(1));
        group.bench_function(BenchmarkId::new("build", name), |b| {
            b.iter(|| {
                personalization_effectiveness(
                    black_box(&configs),
                    black_box(&rows),
                    EffectivenessMetric::All,
                    start,
                    end,
                )
            })
        });
        let payload =
            personalization_effectiveness(&configs, &rows, EffectivenessMetric::All, start, end);
        group.bench_function(BenchmarkId::new("serialize", name), |b| {
            b.iter(|| serde_json::to_vec(black_box(&payload)).expect("serialises"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_engine, bench_effectiveness);
criterion_main!(benches);

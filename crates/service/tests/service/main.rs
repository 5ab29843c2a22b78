//! Service-level behaviour on both backends: the typed operations, and the rendered (cached)
//! answers' generation, caching and coherence.

#![allow(missing_docs)]

use insights_model::*;
use insights_recommender::effectiveness::EffectivenessSummary;
use insights_service::*;
use insights_testkit::{TestDb, both_backends};
use serde::de::DeserializeOwned;
use serde_json::json;

fn insights(db: &TestDb) -> Insights {
    Insights::new(db.store.clone(), ServiceConfig::default()).expect("service")
}

/// The payload of a rendered answer, read back as the typed value it serialises.
fn typed<T: DeserializeOwned>(json: &RenderedJson) -> T {
    serde_json::from_str(json.payload()).expect("the payload reads as the typed value")
}

/// The cached list, as the server gets it.
async fn cached_list(s: &Insights, user: &str, params: RecommendationParams) -> RecommendationList {
    typed(
        &s.rendered(Envelope::NONE)
            .recommendations(user, &params)
            .await
            .expect("rendered list"),
    )
}

/// The cached evolution, as the server gets it.
async fn cached_evolution(s: &Insights, user: &str) -> PatternEvolution {
    let answer = s
        .rendered(Envelope::NONE)
        .pattern_evolution(user, &EvolutionParams::default())
        .await
        .expect("rendered evolution");
    typed(&answer.into_whole())
}

fn user(id: &str) -> Caller {
    Caller {
        user_id: id.into(),
        is_service: false,
    }
}

fn manual() -> ApplyParams {
    ApplyParams::new(ApplicationType::Manual)
}

fn ids(list: &RecommendationList) -> Vec<&str> {
    list.recommendations
        .iter()
        .map(|r| r.row.id.as_str())
        .collect()
}

async fn seed_patterns(s: &Insights, user: &str) {
    let batch = IngestBatch::new(vec![
        PatternInput {
            pattern_data: Some(json!({"hourOfDay": 9})),
            evidence: vec!["42 sessions analyzed".into()],
            occurrence_count: Some(5),
            ..PatternInput::new(PatternType::OptimalStudyTime, 0.85)
        },
        PatternInput {
            pattern_data: Some(json!({"halfLife": 5})),
            ..PatternInput::new(PatternType::ForgettingCurve, 0.82)
        },
        PatternInput {
            pattern_data: Some(json!({"recommendedDuration": 50})),
            ..PatternInput::new(PatternType::SessionDurationPreference, 0.9)
        },
    ])
    .expect("batch");
    let added = s.ingest_patterns(user, batch).await.expect("ingest");
    assert_eq!(added.created, 3);
    assert_eq!(added.ids.len(), 3);
}

both_backends!(
    recommendations_are_generated_once_and_listed_by_priority,
    a_hundred_concurrent_first_requests_create_each_recommendation_once,
    an_apply_is_visible_on_the_very_next_get,
    ingestion_invalidates_the_cached_evolution,
    seeding_the_demo_invalidates_cached_answers,
    answers_in_different_envelopes_share_the_payload,
    default_window_effectiveness_hits_the_cache_and_stays_current
);

async fn recommendations_are_generated_once_and_listed_by_priority(db: TestDb) {
    let s = insights(&db);
    seed_patterns(&s, "u1").await;
    let first = s
        .recommendations("u1", &RecommendationParams::default())
        .await
        .expect("list");
    assert_eq!(first.recommendations.len(), 3);
    assert_eq!((first.count, first.total), (3, 3));
    let priorities: Vec<f64> = first.recommendations.iter().map(|r| r.priority).collect();
    assert!(
        priorities.windows(2).all(|w| w[0] >= w[1]),
        "{priorities:?}"
    );
    let top = &first.recommendations[0];
    assert_eq!(top.priority, top.row.priority_score);
    assert!(top.actionable);
    assert!(
        first
            .recommendations
            .iter()
            .any(|r| r.row.title == "Study during your peak hours (9:00-10:00)")
    );
    // A fresh service (no cache) runs the engine again: nothing new is created.
    let again = insights(&db)
        .recommendations("u1", &RecommendationParams::default())
        .await
        .expect("list");
    assert_eq!(ids(&first), ids(&again));
    // The rendered answer is the serialisation of the typed one.
    let rendered = s
        .rendered(Envelope::NONE)
        .recommendations("u1", &RecommendationParams::default())
        .await
        .expect("rendered");
    assert_eq!(
        rendered.payload(),
        serde_json::to_string(&first).expect("json")
    );
}

async fn a_hundred_concurrent_first_requests_create_each_recommendation_once(db: TestDb) {
    let s = insights(&db);
    seed_patterns(&s, "u1").await;
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            // The typed call is not cached, so the engine really runs concurrently; only the
            // unique index keeps generation idempotent.
            let s = s.clone();
            let params = RecommendationParams::new((i % 20) + 1, false).expect("limit");
            tokio::spawn(async move { s.recommendations("u1", &params).await })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("request");
    }
    let inputs = db
        .store
        .recommendation_inputs(
            "u1",
            Timestamp::MIN,
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect("inputs");
    assert_eq!(
        inputs.active.len(),
        3,
        "{:?}",
        inputs.active.iter().map(|r| &r.title).collect::<Vec<_>>()
    );
}

async fn an_apply_is_visible_on_the_very_next_get(db: TestDb) {
    let s = insights(&db);
    seed_patterns(&s, "u1").await;
    let list = cached_list(&s, "u1", RecommendationParams::default()).await;
    let id = list.recommendations[0].row.id.clone();
    let applied = s.apply(&user("u1"), &id, manual()).await.expect("apply");
    assert!(applied.success);
    assert_eq!(applied.tracking_id, applied.applied_recommendation.id);
    assert_eq!(
        applied.applied_recommendation.application_type,
        ApplicationType::Manual
    );
    assert!(applied.updated_settings.is_none());
    let after = cached_list(&s, "u1", RecommendationParams::default()).await;
    assert!(
        !ids(&after).contains(&id.as_str()),
        "the cached list was dropped"
    );
    let with_applied = cached_list(
        &s,
        "u1",
        RecommendationParams::new(5, true).expect("params"),
    )
    .await;
    let applied_item = with_applied
        .recommendations
        .iter()
        .find(|r| r.row.id == id)
        .expect("listed");
    assert!(!applied_item.actionable);
    assert!(applied_item.row.applied_at.is_some());
    let err = s
        .apply(&user("u1"), &id, manual())
        .await
        .expect_err("twice");
    assert!(
        matches!(err, ServiceError::Conflict(ConflictKind::AlreadyApplied)),
        "{err:?}"
    );
    let err = s
        .apply(&user("u2"), &id, manual())
        .await
        .expect_err("other user");
    assert!(
        matches!(
            err,
            ServiceError::Forbidden(Denial::NotOwner(Entity::Recommendation))
        ),
        "{err:?}"
    );
    let err = s
        .apply(&user("u1"), "nope", manual())
        .await
        .expect_err("missing");
    assert!(
        matches!(
            err,
            ServiceError::NotFound {
                entity: Entity::Recommendation
            }
        ),
        "{err:?}"
    );
}

async fn ingestion_invalidates_the_cached_evolution(db: TestDb) {
    let s = insights(&db);
    let empty = cached_evolution(&s, "u1").await;
    assert_eq!(empty.evolution.len(), 12);
    assert_eq!(empty.meta.total_patterns, 0);
    assert_eq!(empty.meta.pattern_type_filter, "all");
    seed_patterns(&s, "u1").await;
    let after = cached_evolution(&s, "u1").await;
    assert_eq!(after.meta.total_patterns, 3);
    let last = after.evolution.last().expect("weeks");
    assert_eq!(last.week_number, 12);
    let statuses: Vec<WeekStatus> = last.patterns.iter().map(|p| p.status).collect();
    assert_eq!(statuses, vec![WeekStatus::New; 3]);
    assert_eq!(
        last.patterns[0].pattern_type,
        PatternType::OptimalStudyTime,
        "enum order"
    );
    assert_eq!(last.patterns[0].metadata, vec!["42 sessions analyzed"]);
    // The typed call reads the same rows.
    let typed_now = s
        .pattern_evolution("u1", &EvolutionParams::default())
        .await
        .expect("typed");
    assert_eq!(typed_now.meta.total_patterns, 3);
    let ids_of = |e: &PatternEvolution| -> Vec<String> {
        e.evolution
            .last()
            .map(|w| w.patterns.iter().map(|p| p.id.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(ids_of(&typed_now), ids_of(&after));
}

async fn seeding_the_demo_invalidates_cached_answers(db: TestDb) {
    let s = insights(&db);
    assert_eq!(cached_evolution(&s, "demo").await.meta.total_patterns, 0);
    assert!(s.seed_demo("demo").await.expect("seed"));
    assert_eq!(cached_evolution(&s, "demo").await.meta.total_patterns, 6);
    assert!(
        !s.seed_demo("demo").await.expect("seed twice"),
        "idempotent"
    );
}

async fn answers_in_different_envelopes_share_the_payload(db: TestDb) {
    const WRAPPED: Envelope = Envelope::new(r#"{"data":"#, "}");
    let s = insights(&db);
    seed_patterns(&s, "u1").await;
    let params = RecommendationParams::default();
    let bare = s
        .rendered(Envelope::NONE)
        .recommendations("u1", &params)
        .await
        .expect("bare");
    let wrapped = s
        .rendered(WRAPPED)
        .recommendations("u1", &params)
        .await
        .expect("wrapped");
    assert_eq!(bare.payload(), wrapped.payload());
    assert_eq!(&bare.enveloped()[..], bare.payload().as_bytes());
    assert_eq!(
        wrapped.enveloped(),
        format!(r#"{{"data":{}}}"#, bare.payload()).as_bytes()
    );
    // Each envelope's body is cached: a second call shares the first one's memory.
    let again = s
        .rendered(WRAPPED)
        .recommendations("u1", &params)
        .await
        .expect("again");
    assert_eq!(again.enveloped().as_ptr(), wrapped.enveloped().as_ptr());
}

async fn default_window_effectiveness_hits_the_cache_and_stays_current(db: TestDb) {
    let s = insights(&db);
    assert!(s.seed_demo("demo").await.expect("seed"));
    let params = || EffectivenessParams::recent(EffectivenessMetric::All);
    let a = s.effectiveness("demo", &params()).await.expect("first");
    let hits_before = s.metrics_snapshot().cache.hits;
    let b = s.effectiveness("demo", &params()).await.expect("second");
    assert!(
        s.metrics_snapshot().cache.hits > hits_before,
        "second request is a hit"
    );
    let EffectivenessSummary::Active(summary) = &a.effectiveness else {
        panic!("the demo user has personalization: {a:?}");
    };
    assert!(summary.has_personalization);
    assert_eq!(a.period.days, 14);
    assert!(b.period.end_date >= a.period.end_date);
    assert!(!a.timeline.as_ref().expect("timeline").is_empty());
    assert_eq!(summary.active_configs[0].strategy, "Balanced");
    assert!(!summary.timeline.is_empty());
    // The rendered default window is computed from the same cached inputs.
    let rendered = s
        .rendered(Envelope::NONE)
        .effectiveness("demo", &params())
        .await
        .expect("rendered");
    let rendered: EffectivenessPayload = typed(&rendered);
    assert_eq!(rendered.effectiveness, a.effectiveness);
}

/// A service on `primary` reading from `replica`, without a cache (every read reaches a store).
#[cfg(feature = "postgres")]
fn uncached_with_replica(
    primary: &insights_store::Store,
    replica: &insights_store::Store,
) -> Insights {
    Insights::with_backends(
        Backends {
            primary: primary.clone(),
            read_replica: Some(replica.clone()),
            #[cfg(feature = "redis")]
            shared_tier: None,
        },
        ServiceConfig {
            cache_capacity: 0,
            ..ServiceConfig::default()
        },
    )
    .expect("service")
}

/// One pattern for `user`, written straight to `store`: the service does not learn of it (no
/// invalidation, no read-your-writes routing), as with another program writing.
#[cfg(feature = "postgres")]
async fn write_a_pattern_behind_the_services_back(store: &insights_store::Store, user: &str) {
    store
        .insert_patterns(&[NewPattern {
            user_id: user.into(),
            pattern_type: PatternType::AttentionCycle,
            pattern_data: json!({}),
            confidence: 0.8,
            pattern_name: None,
            evidence: vec![],
            occurrence_count: 1,
            detected_at: Timestamp::now(),
            last_seen_at: Timestamp::now(),
        }])
        .await
        .expect("write behind the service's back");
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_to_the_replica_except_right_after_a_write() {
    let primary = TestDb::postgres().await;
    // A separate database stands in for a lagging replica: it never receives the writes.
    let replica = TestDb::postgres().await;
    let s = uncached_with_replica(&primary.store, &replica.store);
    assert!(s.has_read_replica());
    write_a_pattern_behind_the_services_back(&primary.store, "u1").await;
    let evolution = |user: &'static str| {
        let s = s.clone();
        async move {
            s.pattern_evolution(user, &EvolutionParams::default())
                .await
                .expect("get")
                .meta
                .total_patterns
        }
    };
    assert_eq!(evolution("u1").await, 0, "served by the replica");
    seed_patterns(&s, "u1").await;
    assert_eq!(
        evolution("u1").await,
        4,
        "the writer reads its own writes from the primary"
    );
    assert_eq!(evolution("u2").await, 0);
}

/// A service on `primary` whose replica runs on a server of its own, stopped before the
/// returned service reads anything from it: nothing has told the replica's store yet, so the
/// next read tries the replica first. Keep the server value: dropping it removes its files.
#[cfg(feature = "postgres")]
async fn with_a_stopped_replica(
    primary: &TestDb,
) -> (
    Insights,
    insights_store::Store,
    insights_testkit::TempPostgres,
) {
    use insights_store::{DatabaseUrl, Store, StoreConfig};

    let server = insights_testkit::TempPostgres::start().expect("replica server");
    let replica = Store::connect(&StoreConfig::new(
        DatabaseUrl::parse(&server.url()).expect("url"),
    ))
    .await
    .expect("replica");
    replica.migrate().await.expect("migrate the replica");
    let s = uncached_with_replica(&primary.store, &replica);
    let patterns = s
        .pattern_evolution("u1", &EvolutionParams::default())
        .await
        .expect("read")
        .meta
        .total_patterns;
    assert_eq!(
        patterns, 0,
        "served by the replica, which lacks the primary's pattern"
    );
    server.stop().expect("stop the replica");
    assert!(!replica.is_down());
    (s, replica, server)
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_that_finds_the_replica_gone_is_served_by_the_primary() {
    let primary = TestDb::postgres().await;
    write_a_pattern_behind_the_services_back(&primary.store, "u1").await;

    // Each endpoint's read tries the stopped replica (which its failed connection attempt
    // marks down), then runs again on the primary.
    let (s, replica, _server) = with_a_stopped_replica(&primary).await;
    let evolution = s
        .pattern_evolution("u1", &EvolutionParams::default())
        .await
        .expect("evolution with the replica stopped");
    assert_eq!(evolution.meta.total_patterns, 1, "served by the primary");
    assert!(replica.is_down(), "the read went to the replica first");

    let (s, replica, _server) = with_a_stopped_replica(&primary).await;
    s.effectiveness("u1", &EffectivenessParams::recent(EffectivenessMetric::All))
        .await
        .expect("effectiveness with the replica stopped");
    assert!(replica.is_down(), "the read went to the replica first");

    let (s, replica, _server) = with_a_stopped_replica(&primary).await;
    s.recommendations("u1", &RecommendationParams::default())
        .await
        .expect("recommendations with the replica stopped");
    assert!(replica.is_down(), "the read went to the replica first");
}

#[cfg(feature = "redis")]
mod shared_tier {
    #[cfg(feature = "postgres")]
    use std::time::{Duration, Instant};

    use super::*;

    fn instance(db: &TestDb, redis_url: &str, prefix: &str) -> Insights {
        let tier = SharedTier::new(
            redis_url,
            SharedTierConfig {
                key_prefix: prefix.to_owned(),
                ..SharedTierConfig::default()
            },
        )
        .expect("tier");
        Insights::with_backends(
            Backends {
                primary: db.store.clone(),
                read_replica: None,
                shared_tier: Some(tier),
            },
            ServiceConfig::default(),
        )
        .expect("service")
    }

    fn prefix() -> String {
        format!(
            "insights-test-{}",
            Timestamp::now().unix_millis() ^ (std::process::id() as i64)
        )
    }

    #[cfg(feature = "postgres")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_apply_on_one_instance_reaches_the_other_and_the_shared_tier_serves_misses() {
        let db = TestDb::postgres().await;
        let prefix = prefix();
        let a = instance(&db, "redis://127.0.0.1:6379", &prefix);
        let b = instance(&db, "redis://127.0.0.1:6379", &prefix);
        seed_patterns(&a, "u1").await;

        // A computes and fills Redis; B's local miss is answered by Redis without SQL.
        let params = EvolutionParams::default();
        let from_a = a
            .rendered(Envelope::NONE)
            .pattern_evolution("u1", &params)
            .await
            .expect("a")
            .into_whole();
        let counter = insights_store::StatementCounter::new();
        let from_b = counter
            .scope(b.rendered(Envelope::NONE).pattern_evolution("u1", &params))
            .await
            .expect("b")
            .into_whole();
        assert_eq!(from_a, from_b, "same rendering, anchored at A's miss");
        assert_eq!(counter.get(), 0, "served by the shared tier");

        // B caches the list locally; A applies; B's next GETs show it within a bounded delay.
        let list = cached_list(&b, "u1", RecommendationParams::default()).await;
        let id = list.recommendations[0].row.id.clone();
        a.apply(&user("u1"), &id, manual())
            .await
            .expect("apply on a");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let now = cached_list(&b, "u1", RecommendationParams::default()).await;
            let still_listed = ids(&now).contains(&id.as_str());
            if !still_listed {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "B kept serving the applied recommendation"
            );
            tokio::task::yield_now().await;
        }
        assert!(
            b.metrics_snapshot()
                .shared_tier
                .expect("tier")
                .invalidations_received
                >= 1
        );
    }

    #[cfg(feature = "sqlite")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn without_redis_every_request_still_answers_from_the_database() {
        let db = TestDb::sqlite().await;
        let s = instance(&db, "redis://127.0.0.1:1", &prefix());
        seed_patterns(&s, "u1").await;
        for _ in 0..3 {
            assert_eq!(cached_evolution(&s, "u1").await.meta.total_patterns, 3);
        }
        let list = cached_list(&s, "u1", RecommendationParams::default()).await;
        let id = list.recommendations[0].row.id.clone();
        s.apply(&user("u1"), &id, manual()).await.expect("apply");
        let after = cached_list(&s, "u1", RecommendationParams::default()).await;
        assert!(!ids(&after).contains(&id.as_str()));
        assert!(!s.metrics_snapshot().shared_tier.expect("tier").healthy);
    }
}

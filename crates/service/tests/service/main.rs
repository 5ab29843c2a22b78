//! Service-level behaviour on both backends: generation, caching and coherence.

#![allow(missing_docs)]

use insights_model::*;
use insights_service::*;
use insights_testkit::{TestDb, both_backends};
use serde_json::{Value, json};

fn insights(db: &TestDb) -> Insights {
    Insights::new(db.store.clone(), ServiceConfig::default()).expect("service")
}

fn parse(json: &Json) -> Value {
    serde_json::from_str(json).expect("valid JSON")
}

fn user(id: &str) -> Caller {
    Caller {
        user_id: id.into(),
        is_service: false,
    }
}

async fn seed_patterns(s: &Insights, user: &str) {
    s.ingest_patterns(
        user,
        json!([
            {"patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.85, "patternData": {"hourOfDay": 9},
             "evidence": ["42 sessions analyzed"], "occurrenceCount": 5},
            {"patternType": "FORGETTING_CURVE", "confidence": 0.82, "patternData": {"halfLife": 5}},
            {"patternType": "SESSION_DURATION_PREFERENCE", "confidence": 0.9, "patternData": {"recommendedDuration": 50}},
        ]),
    )
    .await
    .expect("ingest");
}

both_backends!(
    recommendations_are_generated_once_and_listed_by_priority,
    a_hundred_concurrent_first_requests_create_each_recommendation_once,
    an_apply_is_visible_on_the_very_next_get,
    ingestion_invalidates_the_cached_evolution,
    default_window_effectiveness_hits_the_cache_and_stays_current
);

async fn recommendations_are_generated_once_and_listed_by_priority(db: TestDb) {
    let s = insights(&db);
    seed_patterns(&s, "u1").await;
    let first = parse(
        &s.recommendations("u1", RecommendationsQuery::default())
            .await
            .expect("get"),
    );
    let recs = first["recommendations"].as_array().expect("array");
    assert_eq!(recs.len(), 3);
    assert_eq!(first["count"], 3);
    assert_eq!(first["total"], 3);
    let priorities: Vec<f64> = recs
        .iter()
        .map(|r| r["priorityScore"].as_f64().expect("num"))
        .collect();
    assert!(
        priorities.windows(2).all(|w| w[0] >= w[1]),
        "{priorities:?}"
    );
    assert_eq!(recs[0]["priority"], recs[0]["priorityScore"]);
    assert_eq!(recs[0]["actionable"], true);
    assert!(
        recs.iter()
            .any(|r| r["title"] == "Study during your peak hours (9:00-10:00)")
    );
    // A fresh service (no cache) runs the engine again: nothing new is created.
    let again = parse(
        &insights(&db)
            .recommendations("u1", RecommendationsQuery::default())
            .await
            .expect("get"),
    );
    let ids = |v: &Value| {
        v["recommendations"]
            .as_array()
            .expect("a")
            .iter()
            .map(|r| r["id"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&again));
}

async fn a_hundred_concurrent_first_requests_create_each_recommendation_once(db: TestDb) {
    let s = insights(&db);
    seed_patterns(&s, "u1").await;
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            // Different limits are different cache keys, so the engine really runs
            // concurrently; only the unique index keeps generation idempotent.
            let s = Insights::new(db.store.clone(), ServiceConfig::default()).expect("service");
            let q = RecommendationsQuery {
                limit: Some(((i % 20) + 1).to_string()),
                ..Default::default()
            };
            tokio::spawn(async move { s.recommendations("u1", q).await })
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
    let list = parse(
        &s.recommendations("u1", RecommendationsQuery::default())
            .await
            .expect("get"),
    );
    let id = list["recommendations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let applied = parse(
        &s.apply(&user("u1"), &id, json!({"applicationType": "MANUAL"}))
            .await
            .expect("apply"),
    );
    assert_eq!(applied["success"], true);
    assert_eq!(
        applied["trackingId"],
        applied["appliedRecommendation"]["id"]
    );
    assert!(applied.get("updatedSettings").is_none());
    let after = parse(
        &s.recommendations("u1", RecommendationsQuery::default())
            .await
            .expect("get"),
    );
    assert!(
        after["recommendations"]
            .as_array()
            .expect("a")
            .iter()
            .all(|r| r["id"] != id.as_str())
    );
    let with_applied = parse(
        &s.recommendations(
            "u1",
            RecommendationsQuery {
                include_applied: Some("true".into()),
                ..Default::default()
            },
        )
        .await
        .expect("get"),
    );
    let applied_item = with_applied["recommendations"]
        .as_array()
        .expect("a")
        .iter()
        .find(|r| r["id"] == id.as_str())
        .cloned()
        .expect("listed");
    assert_eq!(applied_item["actionable"], false);
    assert!(applied_item["appliedAt"].is_string());
    let err = s
        .apply(&user("u1"), &id, json!({"applicationType": "MANUAL"}))
        .await
        .expect_err("twice");
    assert!(matches!(err, ServiceError::Conflict(_)));
    let err = s
        .apply(&user("u2"), &id, json!({"applicationType": "MANUAL"}))
        .await
        .expect_err("other user");
    assert!(matches!(
        err,
        ServiceError::Forbidden(_) | ServiceError::Conflict(_)
    ));
    let err = s
        .apply(&user("u1"), "nope", json!({"applicationType": "MANUAL"}))
        .await
        .expect_err("missing");
    assert!(matches!(err, ServiceError::NotFound(_)));
}

async fn ingestion_invalidates_the_cached_evolution(db: TestDb) {
    let s = insights(&db);
    let empty = parse(
        &s.pattern_evolution("u1", EvolutionQuery::default())
            .await
            .expect("get"),
    );
    assert_eq!(empty["evolution"].as_array().expect("weeks").len(), 12);
    assert_eq!(empty["meta"]["totalPatterns"], 0);
    assert_eq!(empty["meta"]["patternTypeFilter"], "all");
    seed_patterns(&s, "u1").await;
    let after = parse(
        &s.pattern_evolution("u1", EvolutionQuery::default())
            .await
            .expect("get"),
    );
    assert_eq!(after["meta"]["totalPatterns"], 3);
    let last = &after["evolution"][11];
    assert_eq!(last["weekNumber"], 12);
    let statuses: Vec<&str> = last["patterns"]
        .as_array()
        .expect("p")
        .iter()
        .map(|p| p["status"].as_str().expect("s"))
        .collect();
    assert_eq!(statuses, vec!["new", "new", "new"]);
    assert_eq!(
        last["patterns"][0]["patternType"], "OPTIMAL_STUDY_TIME",
        "enum order"
    );
    assert_eq!(
        last["patterns"][0]["metadata"],
        json!(["42 sessions analyzed"])
    );
}

async fn default_window_effectiveness_hits_the_cache_and_stays_current(db: TestDb) {
    let s = insights(&db);
    assert!(s.seed_demo("demo").await.expect("seed"));
    assert!(
        !s.seed_demo("demo").await.expect("seed twice"),
        "idempotent"
    );
    let a = parse(
        &s.effectiveness("demo", EffectivenessQuery::default())
            .await
            .expect("first"),
    );
    let hits_before = s.metrics_snapshot().cache.hits;
    let b = parse(
        &s.effectiveness("demo", EffectivenessQuery::default())
            .await
            .expect("second"),
    );
    assert!(
        s.metrics_snapshot().cache.hits > hits_before,
        "second request is a hit"
    );
    assert_eq!(a["effectiveness"]["hasPersonalization"], true);
    assert_eq!(a["period"]["days"], 14);
    assert!(b["period"]["endDate"].as_str() >= a["period"]["endDate"].as_str());
    assert!(!a["timeline"].as_array().expect("timeline").is_empty());
    assert_eq!(
        a["effectiveness"]["activeConfigs"][0]["strategy"],
        "Balanced"
    );
    assert!(a["effectiveness"]["timeline"][0]["date"].is_string());
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_to_the_replica_except_right_after_a_write() {
    let primary = TestDb::postgres().await;
    // A separate database stands in for a lagging replica: it never receives the writes.
    let replica = TestDb::postgres().await;
    let s = Insights::with_backends(
        Backends {
            primary: primary.store.clone(),
            read_replica: Some(replica.store.clone()),
            #[cfg(feature = "redis")]
            shared_tier: None,
        },
        ServiceConfig {
            cache_capacity: 0,
            ..ServiceConfig::default()
        },
    )
    .expect("service");
    assert!(s.has_read_replica());
    primary
        .store
        .insert_patterns(&[NewPattern {
            user_id: "u1".into(),
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
    let via_replica = parse(
        &s.pattern_evolution("u1", EvolutionQuery::default())
            .await
            .expect("get"),
    );
    assert_eq!(
        via_replica["meta"]["totalPatterns"], 0,
        "served by the replica"
    );
    seed_patterns(&s, "u1").await;
    let after_write = parse(
        &s.pattern_evolution("u1", EvolutionQuery::default())
            .await
            .expect("get"),
    );
    assert_eq!(
        after_write["meta"]["totalPatterns"], 4,
        "the writer reads its own writes from the primary"
    );
    let other = parse(
        &s.pattern_evolution("u2", EvolutionQuery::default())
            .await
            .expect("get"),
    );
    assert_eq!(other["meta"]["totalPatterns"], 0);
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
        let from_a = a
            .pattern_evolution("u1", EvolutionQuery::default())
            .await
            .expect("a");
        let counter = insights_store::StatementCounter::new();
        let from_b = counter
            .scope(b.pattern_evolution("u1", EvolutionQuery::default()))
            .await
            .expect("b");
        assert_eq!(from_a, from_b, "same rendering, anchored at A's miss");
        assert_eq!(counter.get(), 0, "served by the shared tier");

        // B caches the list locally; A applies; B's next GETs show it within a bounded delay.
        let list = parse(
            &b.recommendations("u1", RecommendationsQuery::default())
                .await
                .expect("b list"),
        );
        let id = list["recommendations"][0]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        a.apply(&user("u1"), &id, json!({"applicationType": "MANUAL"}))
            .await
            .expect("apply on a");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let now = parse(
                &b.recommendations("u1", RecommendationsQuery::default())
                    .await
                    .expect("b again"),
            );
            let still_listed = now["recommendations"]
                .as_array()
                .expect("a")
                .iter()
                .any(|r| r["id"] == id.as_str());
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
            let v = parse(
                &s.pattern_evolution("u1", EvolutionQuery::default())
                    .await
                    .expect("evolution"),
            );
            assert_eq!(v["meta"]["totalPatterns"], 3);
        }
        let list = parse(
            &s.recommendations("u1", RecommendationsQuery::default())
                .await
                .expect("list"),
        );
        let id = list["recommendations"][0]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        s.apply(&user("u1"), &id, json!({"applicationType": "MANUAL"}))
            .await
            .expect("apply");
        let after = parse(
            &s.recommendations("u1", RecommendationsQuery::default())
                .await
                .expect("list"),
        );
        assert!(
            after["recommendations"]
                .as_array()
                .expect("a")
                .iter()
                .all(|r| r["id"] != id.as_str())
        );
        assert!(!s.metrics_snapshot().shared_tier.expect("tier").healthy);
    }
}

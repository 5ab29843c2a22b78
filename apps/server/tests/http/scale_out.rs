//! Two server processes behind no load balancer at all: same PostgreSQL, same Redis. A write
//! through one is seen through the other; Redis going away loses no request.

use std::time::Duration;

use insights_model::*;
use insights_server::auth::JwtKeys;
use insights_testkit::TestDb;
use serde_json::{Value, json};

use crate::processes::{RedisProcess, ServerProcess, wait_until};
use crate::support::SECRET;

const SECRET_STR: &str = "test-secret-test-secret-test-secret!";

fn token(user: &str) -> String {
    JwtKeys::new(SECRET)
        .issue(user, false, Duration::from_secs(3600))
        .expect("token")
}

fn unique_prefix() -> String {
    format!("insights-it-{}", cuid2::create_id())
}

fn serve_args<'a>(db_url: &'a str, redis_url: &'a str, prefix: &'a str) -> Vec<&'a str> {
    vec![
        "--database-url",
        db_url,
        "--redis-url",
        redis_url,
        "--redis-key-prefix",
        prefix,
        "--jwt-secret",
        SECRET_STR,
        "--workers",
        "1",
    ]
}

async fn seed(db: &TestDb, user: &str) {
    let now = Timestamp::now();
    db.store
        .insert_patterns(&[NewPattern {
            user_id: user.into(),
            pattern_type: PatternType::OptimalStudyTime,
            pattern_data: json!({"hourOfDay": 8}),
            confidence: 0.9,
            pattern_name: None,
            evidence: vec!["30 sessions analyzed".into()],
            occurrence_count: 5,
            detected_at: now,
            last_seen_at: now,
        }])
        .await
        .expect("seed");
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]["recommendations"]
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_through_one_instance_are_seen_through_the_other() {
    let db = TestDb::postgres().await;
    seed(&db, "u1").await;
    let prefix = unique_prefix();
    let redis = "redis://127.0.0.1:6379";
    let (a, b) = tokio::task::spawn_blocking({
        let url = db.url.clone();
        let prefix = prefix.clone();
        move || {
            (
                ServerProcess::start(&serve_args(&url, redis, &prefix)),
                ServerProcess::start(&serve_args(&url, redis, &prefix)),
            )
        }
    })
    .await
    .expect("start");
    let t = token("u1");
    let recs = "/api/analytics/behavioral-insights/recommendations";
    let evolution = "/api/analytics/behavioral-insights/patterns/evolution";

    tokio::task::spawn_blocking(move || {
        // Both instances cache the list; apply through A; B's next GETs drop it.
        let (status, list_a) = a.request("GET", recs, &t, None);
        assert_eq!(status, 200, "{list_a}");
        let id = ids(&list_a)[0].clone();
        assert!(ids(&b.request("GET", recs, &t, None).1).contains(&id));
        let (status, applied) = a.request(
            "POST",
            &format!("{recs}/{id}/apply"),
            &t,
            Some(&json!({"applicationType": "MANUAL"})),
        );
        assert_eq!(status, 200, "{applied}");
        wait_until("B to see the apply", Duration::from_secs(5), || {
            !ids(&b.request("GET", recs, &t, None).1).contains(&id)
        });

        // Both cache the evolution; ingest through B; A's next GETs show the new pattern.
        let before = a.request("GET", evolution, &t, None).1["data"]["meta"]["totalPatterns"]
            .as_u64()
            .expect("n");
        b.request("GET", evolution, &t, None);
        let (status, created) = b.request(
            "POST",
            "/api/analytics/behavioral-insights/patterns",
            &t,
            Some(&json!([{"patternType": "FORGETTING_CURVE", "confidence": 0.8}])),
        );
        assert_eq!(status, 200, "{created}");
        wait_until("A to see the ingestion", Duration::from_secs(5), || {
            a.request("GET", evolution, &t, None).1["data"]["meta"]["totalPatterns"].as_u64()
                == Some(before + 1)
        });
    })
    .await
    .expect("scenario");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_going_away_and_back_fails_no_request() {
    let db = TestDb::postgres().await;
    seed(&db, "u1").await;
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let mut redis = RedisProcess::start();
        let redis_url = redis.url();
        let prefix = unique_prefix();
        let server = ServerProcess::start(&serve_args(&url, &redis_url, &prefix));
        let t = token("u1");
        let paths = [
            "/api/analytics/behavioral-insights/recommendations",
            "/api/analytics/behavioral-insights/patterns/evolution?weeks=4",
            "/api/personalization/effectiveness",
        ];
        let all_ok = |server: &ServerProcess| {
            for p in paths {
                let (status, body) = server.request("GET", p, &t, None);
                assert_eq!(status, 200, "{p}: {body}");
            }
        };
        let healthy = |server: &ServerProcess| {
            server
                .text("/metrics")
                .contains("insights_shared_cache_healthy 1")
        };
        all_ok(&server);
        wait_until("the tier to be healthy", Duration::from_secs(10), || {
            healthy(&server)
        });

        redis.stop();
        for _ in 0..5 {
            all_ok(&server);
        }
        // A write while Redis is down still succeeds and is visible on this instance.
        let (status, _) = server.request(
            "POST",
            "/api/analytics/behavioral-insights/patterns",
            &t,
            Some(&json!([{"patternType": "ATTENTION_CYCLE", "confidence": 0.75}])),
        );
        assert_eq!(status, 200);
        all_ok(&server);
        assert!(
            server
                .text("/metrics")
                .contains("insights_shared_cache_healthy 0")
        );

        redis.resume();
        wait_until("the tier to resume", Duration::from_secs(15), || {
            all_ok(&server);
            healthy(&server)
        });
    })
    .await
    .expect("scenario");
}

//! Reliability under concurrency and faults, at the HTTP level (docs/reliability.md):
//!
//! - concurrent first GETs create each recommendation once; concurrent applies succeed once;
//! - a write racing a cached read never leaves a stale entry beyond the next GET;
//! - a rejected ingestion batch writes nothing;
//! - pool exhaustion answers 503 within about the checkout timeout and recovers;
//! - a PostgreSQL outage *during a load* answers 503 quickly (never 500, never a hang), and the
//!   server recovers by itself.
//!
//! Requests run concurrently with `join_all` on the test's task: the actix test service is not
//! `Send`, but every request still interleaves with the others at each database round trip.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::future::join_all;
use insights_model::Timestamp;
use insights_server::AppState;
use insights_server::auth::JwtKeys;
use insights_service::{Insights, ServiceConfig};
use insights_store::{DatabaseUrl, Store, StoreConfig};
use insights_testkit::{TempPostgres, TestDb, both_backends};
use serde_json::json;

use crate::support::*;

const REC: &str = "/api/analytics/behavioral-insights/recommendations";
const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";
const PATTERNS: &str = "/api/analytics/behavioral-insights/patterns";
const SESSIONS: &str = "/api/analytics/behavioral-insights/sessions";
const INSIGHTS: &str = "/api/analytics/behavioral-insights/insights";

/// Generous upper bound for "answered quickly instead of hanging": far above the checkout
/// timeouts used here, far below the 30 s request deadline a hang would run into.
const NO_HANG: Duration = Duration::from_secs(10);

/// Active recommendation rows of `user`, straight from the store.
async fn active_titles(store: &Store, user: &str) -> Vec<String> {
    store
        .recommendation_inputs(
            user,
            Timestamp::MIN,
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect("inputs")
        .active
        .into_iter()
        .map(|r| r.title)
        .collect()
}

/// Rows in `table` of the test's database, counted with a connection of its own.
async fn count_rows(db: &TestDb, table: &str) -> i64 {
    use diesel::QueryableByName;
    use diesel::sql_types::BigInt;
    use diesel_async::RunQueryDsl;

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let sql = format!("SELECT count(*) AS n FROM {table}");
    let rows: Vec<Count> = if db.store.backend() == "postgres" {
        let mut conn = AsyncPgConnection::establish(&db.url)
            .await
            .expect("connect");
        diesel::sql_query(sql).load(&mut conn).await.expect("count")
    } else {
        let path = db.url.trim_start_matches("sqlite://");
        let mut conn = diesel_async::sync_connection_wrapper::SyncConnectionWrapper::<
            diesel::SqliteConnection,
        >::establish(path)
        .await
        .expect("open");
        diesel::sql_query(sql).load(&mut conn).await.expect("count")
    };
    rows[0].n
}

/// A test app whose store is `store` (e.g. a tiny pool) over the tables of `db`.
fn app_on(db: TestDb, store: Store) -> TestApp {
    let insights = Insights::new(store, ServiceConfig::default()).expect("service");
    let mut state = AppState::new(insights, JwtKeys::new(SECRET)).expect("state");
    state.deadline = Some(Duration::from_secs(30));
    TestApp { db, state }
}

both_backends!(
    a_hundred_concurrent_first_gets_create_each_recommendation_once,
    fifty_concurrent_applies_of_one_recommendation_succeed_once,
    a_write_racing_a_cached_read_is_visible_on_the_next_get,
    a_rejected_ingestion_batch_writes_nothing
);

async fn a_hundred_concurrent_first_gets_create_each_recommendation_once(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    // Different limits are different cache keys, so single-flight does not collapse the
    // requests: the engine really runs concurrently and only the unique index and
    // ON CONFLICT DO NOTHING keep generation idempotent.
    let paths: Vec<String> = (0..100)
        .map(|i| format!("{REC}?limit={}", i % 20 + 1))
        .collect();
    let responses = join_all(paths.iter().map(|p| app.get_as(p, "u1"))).await;
    for res in &responses {
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let titles = active_titles(app.store(), "u1").await;
    let distinct: HashSet<&String> = titles.iter().collect();
    assert_eq!(
        distinct.len(),
        titles.len(),
        "duplicate recommendations: {titles:?}"
    );
    assert_eq!(titles.len(), 3, "{titles:?}");
    // Every response lists the same ids (one row per recommendation, whoever created it).
    let ids = |r: &Resp| {
        let mut ids: Vec<String> = r.data()["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };
    let full: Vec<_> = responses
        .iter()
        .filter(|r| r.data()["count"] == 3)
        .map(ids)
        .collect();
    assert!(full.windows(2).all(|w| w[0] == w[1]));
}

async fn fifty_concurrent_applies_of_one_recommendation_succeed_once(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    let rec = app.first_recommendation("u1").await;
    let id = rec["id"].as_str().unwrap();
    let responses = join_all((0..50).map(|_| app.apply("u1", id, "MANUAL"))).await;
    let ok = responses.iter().filter(|r| r.status == 200).count();
    let conflicts = responses.iter().filter(|r| r.status == 409).count();
    assert_eq!(
        (ok, conflicts),
        (1, 49),
        "{:?}",
        responses
            .iter()
            .map(|r| (r.status, &r.text))
            .collect::<Vec<_>>()
    );
    for r in responses.iter().filter(|r| r.status == 409) {
        assert_eq!(r.error_code(), "ALREADY_APPLIED");
    }
    let listed = app
        .get_as(&format!("{REC}?includeApplied=true&limit=20"), "u1")
        .await
        .data();
    let applied: Vec<_> = listed["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["appliedAt"].is_string())
        .collect();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0]["id"], id);
}

async fn a_write_racing_a_cached_read_is_visible_on_the_next_get(db: TestDb) {
    let app = TestApp::new(db).await;
    let path = format!("{EVO}?weeks=4");
    assert_eq!(
        app.get_as(&path, "u1").await.data()["meta"]["totalPatterns"],
        0
    );
    for round in 1..=15u64 {
        // Reads that start before, with and after the write, on a warm cache entry.
        let write = app.post_as(
            PATTERNS,
            "u1",
            json!([{"patternType": "PERFORMANCE_PEAK", "confidence": 0.9}]),
        );
        let (written, _, _) =
            futures_util::join!(write, app.get_as(&path, "u1"), app.get_as(&path, "u1"));
        assert_eq!(written.status, 200, "{}", written.text);
        let next = app.get_as(&path, "u1").await.data();
        assert_eq!(
            next["meta"]["totalPatterns"], round,
            "stale entry after round {round}"
        );
    }
    // The same for an apply racing the cached recommendation list.
    app.seed_user_with_patterns("u2").await;
    for _ in 0..3 {
        let id = app.first_recommendation("u2").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (applied, _) =
            futures_util::join!(app.apply("u2", &id, "MANUAL"), app.get_as(REC, "u2"));
        assert_eq!(applied.status, 200, "{}", applied.text);
        let next = app.get_as(&format!("{REC}?limit=20"), "u2").await.data();
        assert!(
            next["recommendations"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["id"] != id.as_str()),
            "applied recommendation still listed"
        );
    }
}

async fn a_rejected_ingestion_batch_writes_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let good = json!({"patternType": "PERFORMANCE_PEAK", "confidence": 0.9});
    // One bad item among valid ones, at the end so the valid ones were already accepted
    // by validation when it is reached.
    for (path, batch, bad_field) in [
        (
            PATTERNS,
            json!([good, good, {"patternType": "PERFORMANCE_PEAK", "confidence": 1.5}]),
            "items[2].confidence",
        ),
        (
            PATTERNS,
            json!([
                good,
                {"patternType": "PERFORMANCE_PEAK", "confidence": 0.5, "patternName": "a\u{0}b"},
            ]),
            "items[1].patternName",
        ),
        (
            SESSIONS,
            json!([
                {"startedAt": "2025-10-01T08:00:00Z"},
                {"startedAt": "2025-10-01T08:00:00Z", "durationMs": -5},
            ]),
            "items[1].durationMs",
        ),
        (
            INSIGHTS,
            json!([
                {"insightType": "STUDY_TIME_OPTIMIZATION", "title": "t", "description": "d",
                 "actionableRecommendation": "a", "confidence": 0.8},
                {"insightType": "STUDY_TIME_OPTIMIZATION", "title": "t", "description": "d",
                 "actionableRecommendation": "a", "confidence": -1},
            ]),
            "items[1].confidence",
        ),
    ] {
        let res = app.post_as(path, "u1", batch).await;
        assert_eq!(res.status, 400, "{path}: {}", res.text);
        assert_eq!(res.error_code(), "VALIDATION_ERROR", "{path}");
        assert_eq!(res.error_field().as_deref(), Some(bad_field), "{path}");
    }
    let evolution = app.get_as(&format!("{EVO}?weeks=52"), "u1").await.data();
    assert_eq!(
        evolution["meta"]["totalPatterns"], 0,
        "a rejected batch wrote patterns"
    );
    let inputs = app
        .store()
        .recommendation_inputs(
            "u1",
            Timestamp::MIN,
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .unwrap();
    assert!(
        inputs.insights.is_empty(),
        "a rejected batch wrote insights"
    );
    assert_eq!(
        count_rows(&app.db, "study_sessions").await,
        0,
        "a rejected batch wrote sessions"
    );
    assert_eq!(count_rows(&app.db, "behavioral_patterns").await, 0);
}

/// Every error body a fault may produce: the JSON shape, and nothing from inside the server
/// (no SQL, no driver message, no host or port).
fn assert_opaque_unavailable(res: &Resp) {
    assert_eq!(res.status, 503, "{}", res.text);
    assert_eq!(res.error_code(), "UNAVAILABLE");
    let lower = res.text.to_ascii_lowercase();
    for leak in [
        "select",
        "insert",
        "connection",
        "127.0.0.1",
        "postgres",
        "timed out",
        "pool",
    ] {
        assert!(
            !lower.contains(leak),
            "503 body leaks {leak:?}: {}",
            res.text
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_is_503_within_the_checkout_timeout_and_recovers() {
    let db = TestDb::postgres().await;
    let checkout = Duration::from_millis(300);
    let mut config = StoreConfig::new(DatabaseUrl::parse(&db.url).expect("url"));
    config.pool_size = 2;
    config.checkout_timeout = checkout;
    let store = Store::connect(&config).await.expect("small pool");
    // A clone shares the pool: the probe below watches the service's connections through it.
    let app = app_on(db, store.clone());
    for user in ["a", "b", "c"] {
        app.seed_user_with_patterns(user).await;
    }
    // Another session locks the table the recommendation GET reads, so the GETs of `a` and
    // `b` block *holding* both pooled connections (different users: single-flight cannot
    // merge them).
    let mut locker = AsyncPgConnection::establish(&app.db.url)
        .await
        .expect("locker");
    locker
        .batch_execute("BEGIN; LOCK TABLE recommendations IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let blocked = join_all(["a", "b"].map(|user| app.get_as(REC, user)));
    let probe = async {
        let pool = &store;
        let started = Instant::now();
        while pool.pool_state().idle > 0 || pool.pool_state().connections < 2 {
            assert!(
                started.elapsed() < NO_HANG,
                "the blocked requests never took the pool"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let started = Instant::now();
        let res = app.get_as(REC, "c").await;
        let waited = started.elapsed();
        assert_opaque_unavailable(&res);
        assert!(waited < NO_HANG, "waited {waited:?} for a pool checkout");
        eprintln!("pool exhausted: 503 after {waited:?} (checkout timeout {checkout:?})");
        // Readiness takes no pool connection: a busy pool does not make the instance unready
        // (the database answers the probe on the probe's own connection).
        let readyz = app.get("/readyz", None).await;
        assert_eq!(readyz.status, 200, "{}", readyz.text);
        let started = Instant::now();
        for _ in 0..10_000 {
            assert!(app.state.insights.readiness().primary.is_up());
        }
        eprintln!(
            "readiness with the pool exhausted: {:?} per call (10,000 calls)",
            started.elapsed() / 10_000
        );
        locker.batch_execute("COMMIT").await.expect("unlock");
    };
    let (blocked, ()) = tokio::join!(blocked, probe);
    for res in blocked {
        assert_eq!(res.status, 200, "a blocked request failed: {}", res.text);
    }
    // Recovery needs no restart: the pool is free again.
    assert_eq!(app.get_as(REC, "c").await.status, 200);
    assert_eq!(app.get("/readyz", None).await.status, 200);
}

/// What one request of the outage load saw.
struct Outcome {
    /// The phase when the request was sent.
    phase: u8,
    /// Whether the phase changed while it was in flight.
    straddled: bool,
    status: u16,
    elapsed: Duration,
    resp: Resp,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_during_a_load_is_fast_503s_and_the_server_recovers() {
    outage_during_a_load(TempPostgres::stop).await;
}

/// As above with a fast shutdown, `pg_ctl stop`'s default: statements running at that moment
/// fail with SQLSTATE 57P01 (they answered 500 until 2026-12-07).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fast_shutdown_during_a_load_is_fast_503s_and_the_server_recovers() {
    outage_during_a_load(TempPostgres::stop_fast).await;
}

/// 8 clients send reads, writes and readiness probes while `stop` stops PostgreSQL and it is
/// started again: every answer is a 200 or an opaque 503, none hangs, and the server recovers
/// without a restart.
async fn outage_during_a_load(stop: fn(&TempPostgres) -> std::io::Result<()>) {
    use std::cell::{Cell, RefCell};
    use std::sync::Arc;

    const CLIENTS: usize = 8;
    const PER_PHASE: usize = 40;
    let pg = Arc::new(TempPostgres::start().expect("own PostgreSQL"));
    let mut config = StoreConfig::new(DatabaseUrl::parse(&pg.url()).expect("url"));
    config.pool_size = 4;
    // Sharded as `insights serve` shards it on 2 cores.
    config.pool_shards = 2;
    config.checkout_timeout = Duration::from_millis(500);
    let store = Store::connect(&config).await.expect("connect");
    store.migrate().await.expect("migrate");
    // The TestDb only gives the helpers a database; every request goes to `store`.
    let app = app_on(TestDb::sqlite().await, store);
    for i in 0..CLIENTS {
        let res = app
            .post(
                &format!("{PATTERNS}?userId=u{i}"),
                Some(&app.service_token("ops")),
                &json!([{"patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.9}]).to_string(),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }

    // 0: before the outage, 1: database stopped, 2: database back, 3: stop the load.
    let phase = Cell::new(0u8);
    let done = RefCell::new(Vec::<Outcome>::new());
    let count = |p: u8| done.borrow().iter().filter(|o| o.phase == p).count();
    let client = |i: usize| {
        let (phase, done, app) = (&phase, &done, &app);
        async move {
            let user = format!("u{i}");
            let mut n = 0u64;
            while phase.get() < 3 {
                n += 1;
                let started_in = phase.get();
                let started = Instant::now();
                // Reads with varying parameters (cache misses and hits), writes, readiness.
                let resp = match n % 4 {
                    0 => {
                        app.get_as(&format!("{EVO}?weeks={}", n % 52 + 1), &user)
                            .await
                    }
                    1 => {
                        app.get_as(&format!("{REC}?limit={}", n % 20 + 1), &user)
                            .await
                    }
                    2 => {
                        app.post_as(
                            PATTERNS,
                            &user,
                            json!([{"patternType": "PERFORMANCE_PEAK", "confidence": 0.8}]),
                        )
                        .await
                    }
                    _ => app.get("/readyz", None).await,
                };
                // A 503 of a database known to be down completes without waiting for
                // anything, so yield: the clients and the controller share one task.
                tokio::task::yield_now().await;
                let straddled = phase.get() != started_in;
                done.borrow_mut().push(Outcome {
                    phase: started_in,
                    straddled,
                    status: resp.status,
                    elapsed: started.elapsed(),
                    resp,
                });
            }
        }
    };
    let controller = async {
        let deadline = Instant::now() + Duration::from_secs(120);
        let wait_for = |p: u8, n: usize| {
            let count = &count;
            async move {
                while count(p) < n {
                    assert!(Instant::now() < deadline, "load stalled in phase {p}");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        };
        wait_for(0, PER_PHASE).await;
        // The phase changes *before* the stop, so a phase-0 request never saw a stopping server.
        phase.set(1);
        let stopper = Arc::clone(&pg);
        tokio::task::spawn_blocking(move || stop(&stopper))
            .await
            .expect("join")
            .expect("stop");
        wait_for(1, PER_PHASE).await;
        let starter = Arc::clone(&pg);
        tokio::task::spawn_blocking(move || starter.resume())
            .await
            .expect("join")
            .expect("resume");
        phase.set(2);
        // Recovered: a run of successes after the restart.
        loop {
            let recent_ok = done
                .borrow()
                .iter()
                .rev()
                .take(PER_PHASE)
                .filter(|o| o.phase == 2 && o.status == 200)
                .count();
            if recent_ok == PER_PHASE {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "did not recover after the database came back"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        phase.set(3);
    };
    tokio::join!(join_all((0..CLIENTS).map(client)), controller);

    let done = done.into_inner();
    let mut unavailable = 0;
    for o in &done {
        assert!(
            o.elapsed < NO_HANG,
            "a request hung for {:?} (phase {})",
            o.elapsed,
            o.phase
        );
        match o.status {
            200 => {}
            503 => {
                assert_opaque_unavailable(&o.resp);
                unavailable += 1;
            }
            other => panic!("phase {}: status {other}: {}", o.phase, o.resp.text),
        }
    }
    assert!(
        done.iter()
            .filter(|o| o.phase == 0 && !o.straddled)
            .all(|o| o.status == 200),
        "errors before the outage: {:?}",
        done.iter()
            .filter(|o| o.phase == 0 && o.status != 200)
            .map(|o| &o.resp.text)
            .collect::<Vec<_>>()
    );
    assert!(
        done.iter().any(|o| o.phase == 1 && o.status == 503),
        "the outage was never noticed"
    );
    let slowest = done
        .iter()
        .filter(|o| o.phase == 1)
        .map(|o| o.elapsed)
        .max()
        .unwrap_or_default();
    eprintln!(
        "outage under load: {} requests, {unavailable} answered 503, slowest during the outage {slowest:?}",
        done.len()
    );
}

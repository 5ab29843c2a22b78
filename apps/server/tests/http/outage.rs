//! A database outage answers 503 `UNAVAILABLE` (readiness and API routes alike), and the
//! server recovers by itself. Uses a PostgreSQL server of the test's own, which it stops.

use std::time::{Duration, Instant};

use insights_server::AppState;
use insights_server::auth::JwtKeys;
use insights_service::{Insights, ServiceConfig};
use insights_store::{DatabaseUrl, Store, StoreConfig};
use insights_testkit::TempPostgres;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_503_at_once_and_the_server_recovers() {
    let pg = TempPostgres::start().expect("own PostgreSQL");
    let mut config = StoreConfig::new(DatabaseUrl::parse(&pg.url()).expect("url"));
    // Long enough that a 503 which waited for a checkout cannot pass for a fast one.
    config.checkout_timeout = Duration::from_secs(5);
    let store = Store::connect(&config).await.expect("connect");
    store.migrate().await.expect("migrate");
    let insights = Insights::new(store, ServiceConfig::default()).expect("service");
    let state = AppState::new(insights, JwtKeys::new(SECRET)).expect("state");
    let token = JwtKeys::new(SECRET)
        .issue("u1", false, Duration::from_secs(600))
        .unwrap();
    let service = actix_web::test::init_service(insights_server::app(state)).await;
    let get = |path: &'static str, auth: bool| {
        let token = token.clone();
        let service = &service;
        async move {
            let mut req = actix_web::test::TestRequest::get().uri(path);
            if auth {
                req = req.insert_header(("Authorization", format!("Bearer {token}")));
            }
            let res = actix_web::test::call_service(service, req.to_request()).await;
            let status = res.status().as_u16();
            let body: serde_json::Value =
                serde_json::from_slice(&actix_web::test::read_body(res).await).unwrap();
            (status, body)
        }
    };
    let recommendations = "/api/analytics/behavioral-insights/recommendations";
    assert_eq!(get("/readyz", false).await.0, 200);

    pg.stop().expect("stop");
    // Readiness answers from the shared health state, which its probe refreshes within about
    // a second; an API request that finds the database unreachable marks it down at once.
    let (status, body) = get(recommendations, true).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "UNAVAILABLE");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = get("/readyz", false).await;
        if status == 503 {
            assert_eq!(body["error"]["code"], "UNAVAILABLE");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "readiness never noticed the outage"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Known down: every request fails fast instead of waiting for the 5 s checkout timeout.
    for _ in 0..10 {
        let started = Instant::now();
        let (status, body) = get(recommendations, true).await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["error"]["code"], "UNAVAILABLE");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a 503 took {:?} while the database was known to be down",
            started.elapsed()
        );
    }
    assert_eq!(
        get("/healthz", false).await.0,
        200,
        "liveness does not need the database"
    );

    pg.resume().expect("start again");
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(recommendations, true).await.0 != 200 {
        assert!(Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(get("/readyz", false).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_deadline_is_a_json_503() {
    let mut app = TestApp::new(insights_testkit::TestDb::postgres().await).await;
    app.seed_user_with_patterns("u1").await;
    // Any request that waits for the database at all outlives a 1 ns deadline.
    app.state.deadline = Some(Duration::from_nanos(1));
    let res = app
        .get_as("/api/analytics/behavioral-insights/recommendations", "u1")
        .await;
    assert_eq!(res.status, 503, "{}", res.text);
    assert_eq!(res.error_code(), "UNAVAILABLE");
    app.state.deadline = Some(Duration::from_secs(30));
    let res = app
        .get_as("/api/analytics/behavioral-insights/recommendations", "u1")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_cancels_the_statement_and_the_next_request_succeeds() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

    let mut app = TestApp::new(insights_testkit::TestDb::postgres().await).await;
    app.seed_user_with_patterns("u1").await;
    // A transaction of the test's own holds a lock that every read of the patterns waits for.
    let mut locker = AsyncPgConnection::establish(&app.db.url)
        .await
        .expect("connect");
    locker
        .batch_execute("BEGIN; LOCK TABLE behavioral_patterns IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let blocked_by_locker = "SELECT count(*)::text AS n FROM pg_stat_activity \
         WHERE pg_backend_pid() <> pid AND state = 'active' \
         AND pg_blocking_pids(pid) @> ARRAY[(SELECT pg_backend_pid())]";
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::Text)]
        n: String,
    }
    let mut observer = AsyncPgConnection::establish(&app.db.url)
        .await
        .expect("connect");
    // The observer asks from the locker's point of view: its pid is the blocker.
    let locker_pid: Vec<Count> = diesel_async::RunQueryDsl::load(
        diesel::sql_query("SELECT pg_backend_pid()::text AS n"),
        &mut locker,
    )
    .await
    .expect("pid");
    let waiting = blocked_by_locker.replace("(SELECT pg_backend_pid())", &locker_pid[0].n);

    app.state.deadline = Some(Duration::from_millis(300));
    let res = app
        .get_as(
            "/api/analytics/behavioral-insights/patterns/evolution",
            "u1",
        )
        .await;
    assert_eq!(res.status, 503, "{}", res.text);
    assert_eq!(res.error_code(), "UNAVAILABLE");
    // The abandoned statement is cancelled on the server, not left waiting for the lock.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows: Vec<Count> =
            diesel_async::RunQueryDsl::load(diesel::sql_query(&waiting), &mut observer)
                .await
                .expect("pg_stat_activity");
        if rows[0].n == "0" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the statement of the timed-out request is still running"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    locker.batch_execute("ROLLBACK").await.expect("unlock");
    app.state.deadline = Some(Duration::from_secs(30));
    for _ in 0..3 {
        let res = app
            .get_as(
                "/api/analytics/behavioral-insights/patterns/evolution",
                "u1",
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
}

//! A database outage answers 503 `UNAVAILABLE` (readiness and API routes alike), and the
//! server recovers by itself. Uses a PostgreSQL server of the test's own, which it stops.

use std::time::Duration;

use insights_server::AppState;
use insights_server::auth::JwtKeys;
use insights_service::{Insights, ServiceConfig};
use insights_store::{DatabaseUrl, Store, StoreConfig};
use insights_testkit::TempPostgres;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_503_and_the_server_recovers() {
    let pg = TempPostgres::start().expect("own PostgreSQL");
    let mut config = StoreConfig::new(DatabaseUrl::parse(&pg.url()).expect("url"));
    config.checkout_timeout = Duration::from_millis(500);
    let store = Store::connect(&config).await.expect("connect");
    store.migrate().await.expect("migrate");
    let insights = Insights::new(store, ServiceConfig::default()).expect("service");
    let state = AppState::new(insights, JwtKeys::new(SECRET)).expect("state");
    let token = JwtKeys::new(SECRET)
        .issue("u1", false, Duration::from_secs(600))
        .unwrap();
    let get = |path: &'static str, auth: bool| {
        let state = state.clone();
        let token = token.clone();
        async move {
            let mut req = actix_web::test::TestRequest::get().uri(path);
            if auth {
                req = req.insert_header(("Authorization", format!("Bearer {token}")));
            }
            let service = actix_web::test::init_service(insights_server::app(state)).await;
            let res = actix_web::test::call_service(&service, req.to_request()).await;
            let status = res.status().as_u16();
            let body: serde_json::Value =
                serde_json::from_slice(&actix_web::test::read_body(res).await).unwrap();
            (status, body)
        }
    };
    assert_eq!(get("/readyz", false).await.0, 200);

    pg.stop().expect("stop");
    let (status, body) = get("/readyz", false).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "UNAVAILABLE");
    let (status, body) = get("/api/analytics/behavioral-insights/recommendations", true).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "UNAVAILABLE");
    assert_eq!(
        get("/healthz", false).await.0,
        200,
        "liveness does not need the database"
    );

    pg.resume().expect("start again");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while get("/readyz", false).await.0 != 200 {
        assert!(std::time::Instant::now() < deadline, "did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, body) = get("/api/analytics/behavioral-insights/recommendations", true).await;
    assert_eq!(status, 200, "{body}");
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

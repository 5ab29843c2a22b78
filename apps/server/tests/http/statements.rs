//! A request costs a fixed number of SQL statements, whatever the amount of data: a user with
//! 1 pattern and a user with 5,000 cost the same per route.

use insights_model::*;
use insights_testkit::{TestDb, both_backends};

use crate::support::*;

/// Each data route, with parameters that make it another cache entry than the defaults.
const ROUTES: &[(&str, &str)] = &[
    (
        "/api/analytics/behavioral-insights/patterns/evolution",
        "weeks=4",
    ),
    (
        "/api/analytics/behavioral-insights/recommendations",
        "limit=3",
    ),
    (
        "/api/personalization/effectiveness",
        "startDate=2025-01-01&endDate=2025-03-01&metric=retention",
    ),
];

async fn statements_of(app: &TestApp, path: &str, user: &str) -> u64 {
    let before = app.store().statements().get();
    let res = app.get_as(path, user).await;
    assert_eq!(res.status, 200, "{path}: {}", res.text);
    app.store().statements().get() - before
}

both_backends!(statements_per_request_do_not_grow_with_data);

async fn statements_per_request_do_not_grow_with_data(db: TestDb) {
    let app = TestApp::new(db).await;
    let now = Timestamp::now().unix_millis();
    for user in ["small", "big"] {
        app.store()
            .ensure_user(user, None, None, Timestamp::now())
            .await
            .unwrap();
        let config = app
            .store()
            .insert_config(
                user,
                PersonalizationContext::Session,
                "Balanced",
                0.6,
                true,
                Timestamp::now(),
            )
            .await
            .unwrap();
        let _ = config;
    }
    app.store()
        .insert_patterns(&[pattern(
            "small",
            PatternType::OptimalStudyTime,
            0.9,
            now - DAY,
            now,
        )])
        .await
        .unwrap();
    let many: Vec<NewPattern> = (0..5_000)
        .map(|i| {
            pattern(
                "big",
                PatternType::ALL[i % 6],
                0.5 + (i % 50) as f64 / 100.0,
                now - (i as i64 % 80) * DAY,
                now - (i as i64 % 3) * DAY,
            )
        })
        .collect();
    // Chunks keep each INSERT under SQLite's bind-parameter limit.
    for chunk in many.chunks(1_000) {
        app.store().insert_patterns(chunk).await.unwrap();
    }
    for &(path, other_params) in ROUTES {
        let small = statements_of(&app, path, "small").await;
        let big = statements_of(&app, path, "big").await;
        assert_eq!(small, big, "{path}: 1 pattern vs 5,000");
        assert!(small > 0, "{path}");
        // The same request again is served from the cache: no statements at all.
        for user in ["small", "big"] {
            assert_eq!(
                statements_of(&app, path, user).await,
                0,
                "{path} as {user}, cached"
            );
        }
        // Other parameters are another cache entry: a miss, again the same cost for both.
        let other = format!("{path}?{other_params}");
        let (small, big) = (
            statements_of(&app, &other, "small").await,
            statements_of(&app, &other, "big").await,
        );
        assert!(small > 0, "{other}: a miss");
        assert_eq!(small, big, "{other}: 1 pattern vs 5,000");
        assert_eq!(
            statements_of(&app, &other, "big").await,
            0,
            "{other}, cached"
        );
    }
    let metrics = app.get("/metrics", None).await.text;
    let evolution_series = "insights_http_request_statements_bucket\
        {route=\"/api/analytics/behavioral-insights/patterns/evolution\"";
    assert!(metrics.contains(evolution_series), "{metrics}");
}

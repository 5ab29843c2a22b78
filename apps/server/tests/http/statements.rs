//! A request costs a fixed number of SQL statements, whatever the amount of data: a user with
//! 1 pattern and a user with 5,000 cost the same per route.

use insights_model::*;
use insights_testkit::both_backends;

use crate::support::*;

const ROUTES: &[&str] = &[
    "/api/analytics/behavioral-insights/patterns/evolution",
    "/api/analytics/behavioral-insights/recommendations",
    "/api/personalization/effectiveness",
];

async fn statements_of(app: &TestApp, path: &str, user: &str) -> u64 {
    let before = app.store().statements().get();
    let res = app.get_as(path, user).await;
    assert_eq!(res.status, 200, "{path}: {}", res.text);
    app.store().statements().get() - before
}

both_backends! {
    async fn statements_per_request_do_not_grow_with_data(db) {
        let app = TestApp::new(db).await;
        let now = Timestamp::now().unix_millis();
        for user in ["small", "big"] {
            app.store().ensure_user(user, None, None, Timestamp::now()).await.unwrap();
            let config = app
                .store()
                .insert_config(user, PersonalizationContext::Session, "Balanced", 0.6, true, Timestamp::now())
                .await
                .unwrap();
            let _ = config;
        }
        app.store()
            .insert_patterns(&[pattern("small", PatternType::OptimalStudyTime, 0.9, now - DAY, now)])
            .await
            .unwrap();
        let many: Vec<NewPattern> = (0..5_000)
            .map(|i| {
                pattern("big", PatternType::ALL[i % 6], 0.5 + (i % 50) as f64 / 100.0,
                        now - (i as i64 % 80) * DAY, now - (i as i64 % 3) * DAY)
            })
            .collect();
        // Chunks keep each INSERT under SQLite's bind-parameter limit.
        for chunk in many.chunks(1_000) {
            app.store().insert_patterns(chunk).await.unwrap();
        }
        for path in ROUTES {
            let small = statements_of(&app, path, "small").await;
            let big = statements_of(&app, path, "big").await;
            assert_eq!(small, big, "{path}: 1 pattern vs 5,000");
            assert!(small > 0, "{path}");
            // A second request is served from the cache: no statements at all.
            assert_eq!(statements_of(&app, &format!("{path}?limit=5&weeks=12&metric=all"), "big").await,
                       statements_of(&app, &format!("{path}?limit=5&weeks=12&metric=all"), "small").await);
        }
        let metrics = app.get("/metrics", None).await.text;
        assert!(metrics.contains("insights_http_request_statements_bucket{route=\"/api/analytics/behavioral-insights/patterns/evolution\""), "{metrics}");
    }
}

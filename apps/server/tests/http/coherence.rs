//! Caches stay coherent with writes: an apply or an ingestion is visible to the next GET.

use insights_testkit::both_backends;
use serde_json::json;

use crate::support::*;

const REC: &str = "/api/analytics/behavioral-insights/recommendations";
const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";

both_backends! {
    async fn applying_twice_is_a_conflict_and_the_list_follows(db) {
        let app = TestApp::new(db).await;
        app.seed_user_with_patterns("u1").await;
        let before = app.get_as(REC, "u1").await.data();
        let rec = before["recommendations"][0].clone();
        let id = rec["id"].as_str().unwrap();
        // Warm the cached list, then apply.
        assert_eq!(app.get_as(REC, "u1").await.data(), before);
        assert_eq!(app.apply("u1", id, "MANUAL").await.status, 200);
        let again = app.apply("u1", id, "MANUAL").await;
        assert_eq!(again.status, 409, "{}", again.text);
        assert_eq!(again.error_code(), "ALREADY_APPLIED");

        let after = app.get_as(REC, "u1").await.data();
        let ids: Vec<&str> = after["recommendations"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert!(!ids.contains(&id), "applied recommendation still listed as active");
        assert_eq!(after["total"].as_u64().unwrap() + 1, before["total"].as_u64().unwrap());
        // Not re-created either (cool-down de-duplication).
        assert!(after["recommendations"].as_array().unwrap().iter().all(|r| r["title"] != rec["title"]));

        let with_applied = app.get_as(&format!("{REC}?includeApplied=true&limit=20"), "u1").await.data();
        let applied = with_applied["recommendations"].as_array().unwrap().iter().find(|r| r["id"] == id).expect("listed");
        assert!(applied["appliedAt"].is_string());
        assert_eq!(applied["actionable"], false);
    }

    async fn ingested_patterns_show_up_in_the_next_evolution(db) {
        let app = TestApp::new(db).await;
        let empty = app.get_as(&format!("{EVO}?weeks=4"), "u1").await.data();
        assert_eq!(empty["meta"]["totalPatterns"], 0);
        let res = app
            .post_as(
                "/api/analytics/behavioral-insights/patterns",
                "u1",
                json!({"items": [{"patternType": "PERFORMANCE_PEAK", "confidence": 0.9,
                                   "evidence": ["peak at 10:00"]}]}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        assert_eq!(res.data()["created"], 1);
        let after = app.get_as(&format!("{EVO}?weeks=4"), "u1").await.data();
        assert_eq!(after["meta"]["totalPatterns"], 1);
        let last = &after["evolution"][3]["patterns"][0];
        assert_eq!(last["patternType"], "PERFORMANCE_PEAK");
        assert_eq!(last["status"], "new");
        assert_eq!(last["metadata"], json!(["peak at 10:00"]));
    }

    async fn ingested_insights_and_sessions_are_accepted(db) {
        let app = TestApp::new(db).await;
        let res = app
            .post_as(
                "/api/analytics/behavioral-insights/insights",
                "u1",
                json!([{"insightType": "STUDY_TIME_OPTIMIZATION", "title": "Mornings work",
                        "description": "d", "actionableRecommendation": "a", "confidence": 0.8}]),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        let res = app
            .post_as(
                "/api/analytics/behavioral-insights/sessions",
                "u1",
                json!([{"startedAt": "2025-10-01T08:00:00Z", "durationMs": 1_800_000}]),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        let res = app.post_as("/api/analytics/behavioral-insights/sessions", "u1", json!({"nope": 1})).await;
        assert_eq!(res.status, 400);
        assert_eq!(res.error_code(), "VALIDATION_ERROR");
    }
}

//! Caches stay coherent with writes: after an apply or an ingestion, the next GET answers
//! exactly what a service without a cache answers over the same database.

use insights_testkit::{TestDb, both_backends};
use serde_json::{Value, json};

use crate::support::*;

const REC: &str = "/api/analytics/behavioral-insights/recommendations";
const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";

/// GETs `path` twice as `user` (the second answer comes from the cache) and checks both against
/// a service without a cache; returns the answer's `data`.
async fn coherent_get(app: &TestApp, path: &str, user: &str) -> Value {
    let cached = app.get_as(path, user).await;
    assert_eq!(cached.status, 200, "{path}: {}", cached.text);
    assert_eq!(
        app.get_as(path, user).await.text,
        cached.text,
        "{path}: the cached answer"
    );
    let fresh = app.get_uncached_as(path, user).await;
    assert_eq!(fresh.status, 200, "{path}: {}", fresh.text);
    assert_eq!(
        without_request_time(cached.data()),
        without_request_time(fresh.data()),
        "{path}: cached vs computed now"
    );
    cached.data()
}

/// The evolution's window is counted back from the moment of the request, so its bounds
/// differ by the milliseconds between two requests; everything else must be equal.
fn without_request_time(mut data: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for key in ["weekStart", "weekEnd", "startDate", "endDate"] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut data);
    data
}

/// The ids of an ingestion's answer, after checking it reports `count` rows created.
fn created_ids(res: &Resp, count: usize) -> Vec<String> {
    assert_eq!(res.status, 200, "{}", res.text);
    let data = res.data();
    assert_eq!(data["created"], count, "{data}");
    let ids: Vec<String> = data["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|id| id.as_str().expect("id").to_owned())
        .collect();
    assert_eq!(ids.len(), count, "{data}");
    ids
}

both_backends!(
    applying_twice_is_a_conflict_and_the_list_follows,
    ingested_patterns_show_up_in_the_next_evolution,
    an_ingested_insight_shows_up_in_the_next_recommendations,
    ingested_sessions_are_counted_and_bad_bodies_named
);

async fn applying_twice_is_a_conflict_and_the_list_follows(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    let before = coherent_get(&app, REC, "u1").await;
    let rec = before["recommendations"][0].clone();
    let id = rec["id"].as_str().unwrap();

    let applied = app.apply("u1", id, "MANUAL").await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(
        applied.data()["appliedRecommendation"]["applicationType"],
        "MANUAL"
    );
    let again = app.apply("u1", id, "MANUAL").await;
    assert_eq!(again.status, 409, "{}", again.text);
    assert_eq!(again.error_code(), "ALREADY_APPLIED");

    let after = coherent_get(&app, REC, "u1").await;
    let expected: Vec<Value> = before["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] != id)
        .cloned()
        .collect();
    assert_eq!(
        after["recommendations"],
        Value::Array(expected),
        "the same list without the applied one, not re-created"
    );
    assert_eq!(
        after["total"].as_u64().unwrap() + 1,
        before["total"].as_u64().unwrap()
    );
    assert_eq!(after["count"], before["count"].as_u64().unwrap() - 1);

    let with_applied =
        coherent_get(&app, &format!("{REC}?includeApplied=true&limit=20"), "u1").await;
    let listed = with_applied["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .expect("listed");
    assert_eq!(
        listed["appliedAt"],
        applied.data()["appliedRecommendation"]["appliedAt"]
    );
    assert_eq!(listed["actionable"], false);
    assert_eq!(listed["title"], rec["title"]);
}

async fn ingested_patterns_show_up_in_the_next_evolution(db: TestDb) {
    let app = TestApp::new(db).await;
    let path = format!("{EVO}?weeks=4");
    let empty = coherent_get(&app, &path, "u1").await;
    assert_eq!(empty["meta"]["totalPatterns"], 0);
    let res = app
        .post_as(
            "/api/analytics/behavioral-insights/patterns",
            "u1",
            json!({"items": [{"patternType": "PERFORMANCE_PEAK", "confidence": 0.9,
                               "evidence": ["peak at 10:00"]}]}),
        )
        .await;
    let ids = created_ids(&res, 1);
    let after = coherent_get(&app, &path, "u1").await;
    assert_eq!(after["meta"]["totalPatterns"], 1);
    let last = &after["evolution"][3]["patterns"][0];
    assert_eq!(last["id"], ids[0]);
    assert_eq!(last["patternType"], "PERFORMANCE_PEAK");
    assert_eq!(last["status"], "new");
    assert_eq!(last["metadata"], json!(["peak at 10:00"]));
    assert_eq!(
        after["evolution"].as_array().unwrap().len(),
        empty["evolution"].as_array().unwrap().len()
    );
}

async fn an_ingested_insight_shows_up_in_the_next_recommendations(db: TestDb) {
    let app = TestApp::new(db).await;
    let empty = coherent_get(&app, REC, "u1").await;
    assert_eq!(empty["recommendations"], json!([]));
    assert_eq!(empty["total"], 0);
    let res = app
        .post_as(
            "/api/analytics/behavioral-insights/insights",
            "u1",
            json!([{"insightType": "STUDY_TIME_OPTIMIZATION", "title": "Mornings work",
                    "description": "d", "actionableRecommendation": "a", "confidence": 0.8}]),
        )
        .await;
    let ids = created_ids(&res, 1);
    let after = coherent_get(&app, REC, "u1").await;
    assert_eq!(after["total"], 1, "{after}");
    let rec = &after["recommendations"][0];
    assert_eq!(rec["title"], "Mornings work");
    assert_eq!(rec["recommendationType"], "STUDY_TIME_OPTIMIZATION");
    assert_eq!(rec["description"], "d");
    assert_eq!(rec["actionableText"], "a");
    assert_eq!(rec["sourceInsightIds"], json!(ids));
}

async fn ingested_sessions_are_counted_and_bad_bodies_named(db: TestDb) {
    let app = TestApp::new(db).await;
    let res = app
        .post_as(
            "/api/analytics/behavioral-insights/sessions",
            "u1",
            json!([{"startedAt": "2025-10-01T08:00:00Z", "durationMs": 1_800_000},
                   {"startedAt": "2025-10-02T08:00:00Z"}]),
        )
        .await;
    let ids = created_ids(&res, 2);
    assert_ne!(ids[0], ids[1]);
    let res = app
        .post_as(
            "/api/analytics/behavioral-insights/sessions",
            "u1",
            json!({"nope": 1}),
        )
        .await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.error_code(), "VALIDATION_ERROR");
}

//! The effectiveness route's `startDate`/`endDate` as `/openapi.json` declares them (`anyOf`
//! JSON-schema `date` / `date-time`): every value of either format is accepted, and the
//! malformed values schema-driven tools (schemathesis) send as negative cases are a 400.

use insights_testkit::{TestDb, both_backends};

use crate::support::*;

const EFF: &str = "/api/personalization/effectiveness";

/// Percent-encodes what a query value cannot carry raw (`+` would decode to a space).
fn enc(v: &str) -> String {
    v.replace('%', "%25")
        .replace('+', "%2B")
        .replace(' ', "%20")
        .replace(':', "%3A")
}

/// Values of the declared formats: RFC 3339 `full-date` and `date-time`.
const DECLARED: &[&str] = &[
    "2025-10-01",
    "2024-02-29",
    "2025-10-01T00:00:00Z",
    "2025-10-01T00:00:00.5Z",
    "2025-10-01T00:00:00.123456789Z",
    "2025-10-01T02:00:00+02:00",
    "2025-10-01T02:00:00-11:30",
    "2025-10-01t00:00:00z",
];

/// Not of either declared format.
const MALFORMED: &[&str] = &[
    "yesterday",
    "2025-13-01",
    "2025-02-30",
    "2025-1-01",
    "20251001",
    "2025-10-01T00:00:00",
    "2025-10-01T24:00:00Z",
    "2025-10-01T00:00Z",
    "12025-10-01",
];

both_backends!(
    declared_date_formats_are_what_the_server_accepts,
    ingestion_instants_past_the_range_in_utc_are_400_and_write_nothing
);

async fn declared_date_formats_are_what_the_server_accepts(db: TestDb) {
    let app = TestApp::new(db).await;
    let doc = app.get("/openapi.json", None).await.json();
    let params = doc["paths"][EFF]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    for name in ["startDate", "endDate"] {
        let p = params.iter().find(|p| p["name"] == name).unwrap();
        let formats: Vec<&str> = p["schema"]["anyOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["format"].as_str().unwrap())
            .collect();
        assert_eq!(formats, ["date", "date-time"], "{name}");
        assert_eq!(p["schema"]["type"], "string");
    }
    let token = app.token("dates-user");
    for v in DECLARED {
        // Each value as the start of a window ending far later, and as the end of one
        // starting far earlier.
        let q = format!("{EFF}?startDate={}&endDate=2030-01-01", enc(v));
        let res = app.get(&q, Some(&token)).await;
        assert_eq!(res.status, 200, "startDate={v}: {}", res.text);
        let q = format!("{EFF}?startDate=2000-01-01&endDate={}", enc(v));
        let res = app.get(&q, Some(&token)).await;
        assert_eq!(res.status, 200, "endDate={v}: {}", res.text);
    }
    // Of the declared format but past 9999-12-31T23:59:59.999Z once in UTC: a 400 naming
    // the field. (It was a panic in `Timestamp::parse` that dropped the connection.)
    for name in ["startDate", "endDate"] {
        let res = app
            .get(
                &format!("{EFF}?{name}={}", enc("9999-12-31T23:00:00-02:00")),
                Some(&token),
            )
            .await;
        assert_eq!(res.status, 400, "{name}: {}", res.text);
        assert_eq!(res.error_field().as_deref(), Some(name));
    }
    for v in MALFORMED {
        for name in ["startDate", "endDate"] {
            let res = app
                .get(&format!("{EFF}?{name}={}", enc(v)), Some(&token))
                .await;
            assert_eq!(res.status, 400, "{name}={v}: {}", res.text);
            assert_eq!(res.error_code(), "BAD_REQUEST");
            assert_eq!(res.error_field().as_deref(), Some(name), "{name}={v}");
        }
    }
}

async fn ingestion_instants_past_the_range_in_utc_are_400_and_write_nothing(db: TestDb) {
    let app = TestApp::new(db).await;
    let late = "9999-12-31T23:00:00-02:00";
    let cases = [
        (
            "/api/analytics/behavioral-insights/sessions",
            serde_json::json!([{"startedAt": late}]),
        ),
        (
            "/api/analytics/behavioral-insights/sessions",
            serde_json::json!([{"startedAt": "2025-10-01T00:00:00Z", "completedAt": late}]),
        ),
        (
            "/api/analytics/behavioral-insights/patterns",
            serde_json::json!([
                {"patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.5, "detectedAt": late},
            ]),
        ),
        (
            "/api/analytics/behavioral-insights/patterns",
            serde_json::json!([
                {"patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.5, "lastSeenAt": late},
            ]),
        ),
    ];
    for (path, body) in cases {
        // It was a panic in `Timestamp::parse` that dropped the connection.
        let res = app.post_as(path, "late-user", body.clone()).await;
        assert_eq!(res.status, 400, "{path} {body}: {}", res.text);
        assert_eq!(res.error_code(), "VALIDATION_ERROR");
    }
    let evolution = app
        .get_as(
            "/api/analytics/behavioral-insights/patterns/evolution?weeks=52",
            "late-user",
        )
        .await
        .json();
    assert_eq!(
        evolution["data"]["meta"]["totalPatterns"], 0,
        "nothing was written"
    );
}

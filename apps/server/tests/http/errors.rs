//! Every validation error of the original's routes, and the transport-level errors, as
//! `{"success":false,"error":{"code","message","details"?}}` with the right status.

use insights_testkit::{TestDb, both_backends};

use crate::support::*;

const EFF: &str = "/api/personalization/effectiveness";
const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";
const REC: &str = "/api/analytics/behavioral-insights/recommendations";

/// (query, status, code, field)
const QUERY_CASES: &[(&str, &str, &str, &str)] = &[
    (EVO, "weeks=0", "VALIDATION_ERROR", "weeks"),
    (EVO, "weeks=53", "VALIDATION_ERROR", "weeks"),
    (EVO, "weeks=abc", "VALIDATION_ERROR", "weeks"),
    (EVO, "weeks=-1", "VALIDATION_ERROR", "weeks"),
    (
        EVO,
        "patternType=optimal_study_time",
        "VALIDATION_ERROR",
        "patternType",
    ),
    (EVO, "patternType=NOPE", "VALIDATION_ERROR", "patternType"),
    (REC, "limit=0", "VALIDATION_ERROR", "limit"),
    (REC, "limit=21", "VALIDATION_ERROR", "limit"),
    (REC, "limit=x", "VALIDATION_ERROR", "limit"),
    (EFF, "metric=engagement", "BAD_REQUEST", "metric"),
    (EFF, "metric=ALL", "BAD_REQUEST", "metric"),
    (EFF, "startDate=yesterday", "BAD_REQUEST", "startDate"),
    (EFF, "endDate=2025-13-01", "BAD_REQUEST", "endDate"),
    // Offset-less date-times were server-local in the original; we reject them.
    (
        EFF,
        "startDate=2025-10-01T00:00:00",
        "BAD_REQUEST",
        "startDate",
    ),
    (
        EFF,
        "startDate=2025-10-15&endDate=2025-10-01",
        "BAD_REQUEST",
        "startDate",
    ),
    (
        EFF,
        "startDate=2025-10-01T00:00:00Z&endDate=2025-10-01T00:00:00Z",
        "BAD_REQUEST",
        "startDate",
    ),
];

both_backends!(
    invalid_query_parameters_are_400_naming_the_parameter,
    parse_int_semantics_and_empty_values_keep_the_defaults,
    apply_body_errors,
    oversized_bodies_are_413,
    unknown_routes_are_json_404_and_wrong_methods_json_405
);

async fn invalid_query_parameters_are_400_naming_the_parameter(db: TestDb) {
    let app = TestApp::new(db).await;
    for (path, query, code, field) in QUERY_CASES {
        let res = app.get_as(&format!("{path}?{query}"), "u1").await;
        assert_eq!(res.status, 400, "{path}?{query}: {}", res.text);
        assert_eq!(res.error_code(), *code, "{path}?{query}");
        assert_eq!(res.error_field().as_deref(), Some(*field), "{path}?{query}");
    }
    // A repeated parameter is ambiguous.
    let res = app.get_as(&format!("{EVO}?weeks=1&weeks=2"), "u1").await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert_eq!(res.error_code(), "BAD_REQUEST");
    assert_eq!(res.error_field().as_deref(), Some("weeks"));
    let res = app.get_as(&format!("{EVO}?weeks=0"), "u1").await;
    assert_eq!(
        res.json()["error"]["message"],
        "weeks must be between 1 and 52"
    );
    let res = app.get_as(&format!("{REC}?limit=21"), "u1").await;
    assert_eq!(
        res.json()["error"]["message"],
        "limit must be between 1 and 20"
    );
    let res = app.get_as(&format!("{EFF}?metric=x"), "u1").await;
    assert_eq!(
        res.json()["error"]["message"],
        "Invalid metric. Must be one of: retention, performance, completion, all"
    );
}

async fn parse_int_semantics_and_empty_values_keep_the_defaults(db: TestDb) {
    let app = TestApp::new(db).await;
    for ok in [
        format!("{EVO}?weeks=12abc"),
        format!("{EVO}?weeks=3.9"),
        format!("{EVO}?weeks="),
        format!("{EVO}?weeks=%2052"),
        format!("{REC}?limit=20"),
        format!("{REC}?limit=1e3"),
        format!("{EFF}?startDate=&endDate=&metric="),
        format!("{EFF}?startDate=2025-10-01&endDate=2025-10-15T00:00:00%2B02:00"),
    ] {
        let res = app.get_as(&ok, "u1").await;
        assert_eq!(res.status, 200, "{ok}: {}", res.text);
    }
    let res = app.get_as(&format!("{EVO}?weeks=3.9"), "u1").await;
    assert_eq!(res.data()["meta"]["totalWeeks"], 3);
}

async fn apply_body_errors(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    let rec = app.first_recommendation("u1").await;
    let path = format!("{REC}/{}/apply", rec["id"].as_str().unwrap());
    let token = app.token("u1");
    for (body, status, code) in [
        (r#"{"applicationType":"auto"}"#, 400, "VALIDATION_ERROR"),
        (
            r#"{"applicationType":"SOMETIMES"}"#,
            400,
            "VALIDATION_ERROR",
        ),
        (r#"{}"#, 400, "VALIDATION_ERROR"),
        (
            r#"{"applicationType":"MANUAL","settings":[1]}"#,
            400,
            "VALIDATION_ERROR",
        ),
        // AUTO may write settings to the profile: only the four profile fields pass.
        (
            r#"{"applicationType":"AUTO","settings":{"foo":1}}"#,
            400,
            "VALIDATION_ERROR",
        ),
        (r#"{"applicationType": "MANUAL""#, 400, "BAD_REQUEST"),
        ("not json", 400, "BAD_REQUEST"),
        ("", 400, "BAD_REQUEST"),
    ] {
        let res = app.post(&path, Some(&token), body).await;
        assert_eq!(res.status, status, "{body}: {}", res.text);
        assert_eq!(res.error_code(), code, "{body}");
    }
    let res = app
        .post(&path, Some(&token), r#"{"applicationType":"auto"}"#)
        .await;
    assert_eq!(res.error_field().as_deref(), Some("applicationType"));
    // Nothing was applied by the failed attempts. MANUAL ignores any settings object, as
    // the original did (only AUTO reads them).
    let res = app
        .post(
            &path,
            Some(&token),
            r#"{"applicationType":"MANUAL","settings":{"foo":1}}"#,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.apply("u1", "no-such-recommendation", "MANUAL").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.error_code(), "NOT_FOUND");
}

async fn oversized_bodies_are_413(db: TestDb) {
    let app = TestApp::new(db).await;
    let big = format!("[\"{}\"]", "x".repeat(300 * 1024));
    let res = app
        .post(
            "/api/analytics/behavioral-insights/patterns",
            Some(&app.token("u1")),
            &big,
        )
        .await;
    assert_eq!(res.status, 413, "{}", res.text);
    assert_eq!(res.error_code(), "PAYLOAD_TOO_LARGE");
}

async fn unknown_routes_are_json_404_and_wrong_methods_json_405(db: TestDb) {
    let app = TestApp::new(db).await;
    // (`/` is the dashboard page; with the dashboard off it is this same 404: dashboard.rs.)
    for path in [
        "/favicon.ico",
        "/api/nope",
        "/api/analytics/behavioral-insights/recommendations/x",
    ] {
        let res = app.get_as(path, "u1").await;
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(res.error_code(), "NOT_FOUND");
        assert!(
            res.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
    }
    let res = app.post(REC, Some(&app.token("u1")), "{}").await;
    assert_eq!(res.status, 405);
    assert_eq!(res.error_code(), "METHOD_NOT_ALLOWED");
    assert_eq!(res.headers.get("allow").unwrap(), "GET");
    let res = app.get_as(&format!("{REC}/x/apply"), "u1").await;
    assert_eq!(res.status, 405);
    assert_eq!(res.headers.get("allow").unwrap(), "POST");
    let res = app
        .call(actix_web::test::TestRequest::delete().uri("/healthz"))
        .await;
    assert_eq!(res.status, 405);
    assert_eq!(res.error_code(), "METHOD_NOT_ALLOWED");
}

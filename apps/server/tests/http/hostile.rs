//! Hostile input (docs/reliability.md): property tests over every query parameter and body field of
//! every route. Whatever a client sends — huge numbers, empty or unicode strings, control and NUL
//! characters, injection strings, wrong JSON types, deep nesting, oversized bodies, repeated
//! parameters, invalid percent-encoding, garbage tokens — the answer is a legitimate 2xx or a 4xx
//! carrying `{"success":false,"error":{"code","message"}}`; never a 5xx, never a panic.
//!
//! Each property runs [`CASES`] cases against PostgreSQL (whose text types are the strictest)
//! and SQLite. The cases found by these properties are pinned in
//! [`regressions_found_by_the_properties`].

use std::collections::BTreeMap;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};

use crate::support::*;
use insights_testkit::{Backend, TestDb};

/// Cases per property and backend: enough to hit every generator branch, small enough for CI.
const CASES: u32 = 64;

const EFF: &str = "/api/personalization/effectiveness";
const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";
const REC: &str = "/api/analytics/behavioral-insights/recommendations";
const INGEST: [&str; 3] = [
    "/api/analytics/behavioral-insights/patterns",
    "/api/analytics/behavioral-insights/insights",
    "/api/analytics/behavioral-insights/sessions",
];

/// Every query parameter of the GET routes.
const QUERY_PARAMS: [(&str, &[&str]); 3] = [
    (EFF, &["startDate", "endDate", "metric", "userId"]),
    (EVO, &["weeks", "patternType", "userId"]),
    (REC, &["limit", "includeApplied", "userId"]),
];

/// Every body field of the write routes (items of the three ingestion routes, the apply body).
const BODY_FIELDS: &[&str] = &[
    "patternType",
    "confidence",
    "patternData",
    "patternName",
    "evidence",
    "occurrenceCount",
    "detectedAt",
    "lastSeenAt",
    "insightType",
    "title",
    "description",
    "actionableRecommendation",
    "startedAt",
    "completedAt",
    "durationMs",
    "reviewsCompleted",
    "newCardsStudied",
    "applicationType",
    "settings",
    "items",
    "preferredStudyTimes",
    "optimalSessionDuration",
    "contentPreferences",
    "personalizedForgettingCurve",
];

/// A valid item of each ingestion route (same order as [`INGEST`]): the properties mutate a
/// few of its fields, so most cases pass validation up to the hostile field and reach the
/// database, where backend differences show.
fn valid_item(route: usize) -> Value {
    match route {
        0 => json!({"patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.9,
                    "patternData": {"hourOfDay": 8}, "patternName": "mornings",
                    "evidence": ["42 sessions analyzed"], "occurrenceCount": 3,
                    "detectedAt": "2025-10-01T08:00:00Z", "lastSeenAt": "2025-10-02T08:00:00Z"}),
        1 => json!({"insightType": "STUDY_TIME_OPTIMIZATION", "title": "t", "description": "d",
                    "actionableRecommendation": "a", "confidence": 0.8}),
        _ => json!({"startedAt": "2025-10-01T08:00:00Z", "completedAt": "2025-10-01T09:00:00Z",
                    "durationMs": 3_600_000, "reviewsCompleted": 20, "newCardsStudied": 5}),
    }
}

/// A valid apply body whose settings carry every known key (AUTO: the only application type
/// whose settings are read).
fn valid_apply_body() -> Value {
    json!({"applicationType": "AUTO", "settings": {
        "preferredStudyTimes": [{"dayOfWeek": 1, "startHour": 8}],
        "optimalSessionDuration": 45,
        "contentPreferences": {"flashcards": 0.6},
        "personalizedForgettingCurve": {"halfLife": 5}}})
}

/// A replacement for one field: usually of the field's own JSON type (so validation gets past
/// the type check to the value), sometimes of any type.
#[derive(Debug, Clone)]
struct Replacement {
    keep_type: bool,
    text: String,
    number: Value,
    any: Value,
}

impl Replacement {
    fn for_value(&self, original: &Value) -> Value {
        if !self.keep_type {
            return self.any.clone();
        }
        match original {
            Value::String(_) => Value::String(self.text.clone()),
            Value::Number(_) => self.number.clone(),
            Value::Array(_) => json!([self.text]),
            Value::Object(_) => json!({ "k": self.text, self.text.clone(): [self.text] }),
            _ => self.any.clone(),
        }
    }
}

fn replacement() -> impl Strategy<Value = Replacement> {
    let number = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![0.0, 1.0, -1.0, 1.5, 1e308, -0.0, 2_147_483_648.0])
            .prop_map(Value::from),
        prop::sample::select(vec![i64::MAX, i64::MIN, i64::from(i32::MAX), -1, 0])
            .prop_map(Value::from),
    ];
    (
        prop::bool::weighted(0.75),
        hostile_text(),
        number,
        hostile_json(),
    )
        .prop_map(|(keep_type, text, number, any)| Replacement {
            keep_type,
            text,
            number,
            any,
        })
}

/// `template` with one or two of its fields (found by a JSON pointer into it) replaced by
/// hostile values, and sometimes an extra top-level key.
fn mutated(template: Value) -> impl Strategy<Value = Value> {
    let mut pointers = Vec::new();
    collect_pointers(&template, String::new(), &mut pointers);
    let edit = (prop::sample::select(pointers), replacement());
    (
        prop::collection::vec(edit, 1..3),
        prop::option::weighted(0.1, (field_name(), hostile_json())),
    )
        .prop_map(move |(edits, extra)| {
            let mut value = template.clone();
            for (pointer, replacement) in edits {
                if let Some(slot) = value.pointer_mut(&pointer) {
                    *slot = replacement.for_value(slot);
                }
            }
            if let (Some((key, v)), Some(object)) = (extra, value.as_object_mut()) {
                object.insert(key, v);
            }
            value
        })
}

/// JSON pointers of every value inside `value` below the root.
fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{at}/{key}");
                out.push(here.clone());
                collect_pointers(item, here, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let here = format!("{at}/{i}");
                out.push(here.clone());
                collect_pointers(item, here, out);
            }
        }
        _ => {}
    }
}

/// Strings a client might send: plausible values (so validation gets past the first check),
/// boundaries, injection attempts, control characters, arbitrary unicode.
fn hostile_text() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "",
        " ",
        "u1",
        "u2",
        "true",
        "TRUE",
        "12",
        "0",
        "-1",
        "52",
        "53",
        "3.9",
        "1e309",
        "NaN",
        "-0",
        "0x10",
        "99999999999999999999999999999",
        "-9223372036854775809",
        "retention",
        "all",
        "OPTIMAL_STUDY_TIME",
        "STUDY_TIME_OPTIMIZATION",
        "MANUAL",
        "2025-10-01",
        "2025-10-01T08:00:00Z",
        "2025-02-30",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999Z",
        "+275760-09-13T00:00:00Z",
        "1970-01-01T00:00:00+25:00",
        "' OR 1=1 --",
        "\"; DROP TABLE recommendations; --",
        "1; SELECT pg_sleep(10)",
        "$1",
        "%00",
        "\0",
        "a\0b",
        "\u{feff}",
        "\u{202e}rtl",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎓",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "{{placeholder}}",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        4 => fixed,
        1 => "[\\x00-\\x1f\\x7f]{1,8}",
        1 => "\\PC{0,24}",
        1 => any::<String>().prop_map(|s| s.chars().take(24).collect()),
        1 => (1usize..20_000).prop_map(|n| "x".repeat(n)),
        // A control character (NUL included) inside otherwise ordinary text.
        2 => ("\\PC{0,8}", "[\\x00-\\x1f]", "\\PC{0,8}").prop_map(|(a, c, b)| format!("{a}{c}{b}")),
    ]
}

/// Any JSON value, with hostile leaves and wrong types everywhere.
fn hostile_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![0.0, 0.5, 1.0, 1.5, -1.0, 1e308, -1e308, 5e-324])
            .prop_map(Value::from),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field_name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body field name: mostly real ones, sometimes anything.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(BODY_FIELDS).prop_map(str::to_owned),
        1 => hostile_text().prop_map(|s| s.chars().take(16).collect()),
    ]
}

/// An object with real field names and hostile values.
fn hostile_object() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(field_name(), hostile_json(), 0..8)
        .prop_map(|m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect()))
}

/// A request body: JSON of every shape, broken JSON, deep nesting, or far too much of it.
fn hostile_body() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(hostile_object(), 0..4).prop_map(|v| Value::Array(v).to_string()),
        2 => hostile_object().prop_map(|o| o.to_string()),
        1 => prop::collection::vec(hostile_object(), 0..4).prop_map(|v| json!({"items": v}).to_string()),
        1 => hostile_json().prop_map(|v| v.to_string()),
        1 => hostile_text(),
        1 => (1usize..5_000).prop_map(|depth| format!("{}{}", "[".repeat(depth), "]".repeat(depth))),
        1 => (1usize..5_000).prop_map(|depth| "{\"items\":".repeat(depth)),
        1 => Just(format!("[{}]", vec![r#"{"patternType":"OPTIMAL_STUDY_TIME","confidence":0.9}"#; 1_001].join(","))),
        1 => Just(format!("[\"{}\"]", "x".repeat(300 * 1024))),
    ]
}

/// Percent-encodes every byte except the unreserved characters (RFC 3986 §2.3).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A query string over `params` (plus strangers): repeated names, encoded hostile values, and
/// sometimes raw fragments that are not valid percent-encoding or UTF-8.
fn hostile_query(params: &'static [&'static str]) -> impl Strategy<Value = String> {
    let name = prop_oneof![
        5 => prop::sample::select(params).prop_map(str::to_owned),
        1 => hostile_text().prop_map(|s| s.chars().take(12).collect()),
    ];
    let pair = prop_oneof![
        6 => (name, hostile_text()).prop_map(|(n, v)| format!("{}={}", encode(&n), encode(&v))),
        1 => prop::sample::select(vec![
            "%", "%zz", "weeks=%", "limit=%G1", "metric=%C3%28", "userId=%FF%FE", "&&", "=",
            "a=b=c", "startDate", "userId=%E2%82", "patternType=%00",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&"))
}

/// The answer is a 2xx with the success envelope, or one of `allowed` with the error shape.
fn check_answer(what: &str, res: &Resp, allowed: &[u16]) -> Result<(), TestCaseError> {
    prop_assert!(res.status < 500, "{what}: {} {}", res.status, res.text);
    let body: Value = serde_json::from_str(&res.text)
        .map_err(|e| TestCaseError::fail(format!("{what}: not JSON ({e}): {:?}", res.text)))?;
    if res.status == 200 {
        prop_assert_eq!(&body["success"], &json!(true), "{}: {}", what, res.text);
        return Ok(());
    }
    prop_assert!(
        allowed.contains(&res.status),
        "{what}: unexpected {} {}",
        res.status,
        res.text
    );
    prop_assert_eq!(&body["success"], &json!(false), "{}", what);
    prop_assert!(body["error"]["code"].is_string(), "{what}: {}", res.text);
    prop_assert!(body["error"]["message"].is_string(), "{what}: {}", res.text);
    Ok(())
}

/// Runs `property` [`CASES`] times per backend, each backend with one app (and one seeded
/// user `u1` with recommendations) shared by its cases.
fn run<S: Strategy>(
    strategy: S,
    property: impl Fn(&TestApp, &str, S::Value) -> Result<(), TestCaseError> + Copy,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    for backend in [Backend::Postgres, Backend::Sqlite] {
        let app = runtime.block_on(async {
            let app = TestApp::new(TestDb::new(backend).await).await;
            app.seed_user_with_patterns("u1").await;
            app
        });
        let rec_id = runtime.block_on(app.first_recommendation("u1"))["id"]
            .as_str()
            .expect("id")
            .to_owned();
        // PROPTEST_CASES overrides CASES for a longer, recorded run (docs/reliability.md).
        let cases = match std::env::var_os("PROPTEST_CASES") {
            Some(_) => Config::default().cases,
            None => CASES,
        };
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&strategy, |input| {
            let _guard = runtime.enter();
            property(&app, &rec_id, input)
        });
        if let Err(e) = outcome {
            panic!("{backend:?}: {e}");
        }
        runtime.block_on(async move { drop(app) });
    }
}

/// Blocks on a request from inside a property (which runs outside the runtime's tasks).
fn block<T>(fut: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Handle::current().block_on(fut)
}

#[test]
fn get_routes_answer_any_query_string_with_2xx_or_a_json_4xx() {
    let strategy =
        (0..QUERY_PARAMS.len()).prop_flat_map(|i| (Just(i), hostile_query(QUERY_PARAMS[i].1)));
    run(strategy, |app, _, (route, query)| {
        let uri = format!("{}?{query}", QUERY_PARAMS[route].0);
        // 403: a userId other than the caller's.
        check_answer(&uri, &block(app.get_as(&uri, "u1")), &[400, 403])
    });
}

#[test]
fn ingestion_routes_answer_any_body_with_2xx_or_a_json_4xx() {
    let strategy = (0..INGEST.len()).prop_flat_map(|route| {
        let body = prop_oneof![
            // Mostly-valid batches reach the database; anything else exercises parsing.
            3 => prop::collection::vec(
                prop_oneof![1 => Just(valid_item(route)), 2 => mutated(valid_item(route))],
                1..4,
            )
                .prop_map(|items| Value::Array(items).to_string()),
            2 => hostile_body(),
        ];
        // Mostly no query: a foreign or repeated userId ends the request before the body.
        let query = prop_oneof![3 => Just(String::new()), 1 => hostile_query(&["userId"])];
        (Just(route), query, body)
    });
    run(strategy, |app, _, (route, query, body)| {
        let uri = format!("{}?{query}", INGEST[route]);
        let res = block(app.post(&uri, Some(&app.token("u1")), &body));
        check_answer(&format!("POST {uri} {:.200}", body), &res, &[400, 403, 413])
    });
}

/// The string leaves of `value` (JSON pointers).
fn string_pointers(value: &Value) -> Vec<String> {
    let mut all = Vec::new();
    collect_pointers(value, String::new(), &mut all);
    all.into_iter()
        .filter(|p| value.pointer(p).is_some_and(Value::is_string))
        .collect()
}

#[test]
fn hostile_text_in_one_field_of_a_valid_item_is_stored_or_a_json_4xx() {
    // One valid item with exactly one string field replaced: the case that reaches the
    // database's text and jsonb columns (the broad property above rarely gets that far).
    let strategy = (0..INGEST.len()).prop_flat_map(|route| {
        let item = valid_item(route);
        (
            Just(route),
            prop::sample::select(string_pointers(&item)),
            hostile_text(),
        )
    });
    run(strategy, |app, _, (route, pointer, text)| {
        let mut item = valid_item(route);
        if let Some(slot) = item.pointer_mut(&pointer) {
            *slot = Value::String(text);
        }
        let body = json!([item]).to_string();
        let res = block(app.post(INGEST[route], Some(&app.token("u1")), &body));
        check_answer(
            &format!("POST {} {:.200}", INGEST[route], body),
            &res,
            &[400],
        )
    });
}

#[test]
fn apply_answers_any_id_and_body_with_2xx_or_a_json_4xx() {
    let id = prop_oneof![
        1 => Just(None),
        3 => hostile_text().prop_map(Some),
    ];
    let body = prop_oneof![
        2 => (hostile_json(), hostile_json()).prop_map(|(t, s)| json!({"applicationType": t, "settings": s}).to_string()),
        1 => (prop::sample::select(vec!["AUTO", "MANUAL", "REMINDER", "GOAL"]), hostile_object())
            .prop_map(|(t, s)| json!({"applicationType": t, "settings": s}).to_string()),
        3 => mutated(valid_apply_body()).prop_map(|b| b.to_string()),
        2 => hostile_body(),
    ];
    run((id, body), |app, rec_id, (id, body)| {
        // `None`: the seeded user's real recommendation (200 once, then 409).
        let id = id.map_or_else(|| rec_id.to_owned(), |raw| encode(&raw));
        let uri = format!("{REC}/{id}/apply");
        let res = block(app.post(&uri, Some(&app.token("u1")), &body));
        check_answer(
            &format!("POST {uri} {:.200}", body),
            &res,
            &[400, 403, 404, 405, 409, 413],
        )
    });
}

#[test]
fn any_authorization_header_is_401_on_every_protected_route() {
    let header = prop_oneof![
        "[ -~]{0,64}",
        "[ -~]{0,64}".prop_map(|t| format!("Bearer {t}")),
        "[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{0,40}"
            .prop_map(|t| format!("Bearer {t}")),
    ];
    let routes = prop::sample::select(vec![
        ("GET", EFF),
        ("GET", EVO),
        ("GET", REC),
        ("POST", INGEST[0]),
        ("POST", INGEST[1]),
        ("POST", INGEST[2]),
        (
            "POST",
            "/api/analytics/behavioral-insights/recommendations/x/apply",
        ),
    ]);
    run((routes, header), |app, _, ((method, path), header)| {
        let req = match method {
            "GET" => actix_web::test::TestRequest::get(),
            _ => actix_web::test::TestRequest::post().set_payload("[]"),
        };
        let res = block(
            app.call(
                req.uri(path)
                    .insert_header(("Authorization", header.as_str())),
            ),
        );
        prop_assert_eq!(res.status, 401, "{} {}: {}", method, header, res.text);
        check_answer(&header, &res, &[401])
    });
}

/// Cases the properties found (each was a 500 on PostgreSQL before the fix in
/// `insights_service::text` / `auth.rs`), pinned so they stay fixed.
mod regressions_found_by_the_properties {
    use insights_testkit::{TestDb, both_backends};
    use serde_json::json;

    use crate::support::*;

    both_backends!(nul_characters_are_4xx_not_500);

    async fn nul_characters_are_4xx_not_500(db: TestDb) {
        let app = TestApp::new(db).await;
        app.seed_user_with_patterns("u1").await;
        let ops = app.service_token("ops");
        for (path, body, field) in [
            (
                "/api/analytics/behavioral-insights/patterns",
                json!([{
                    "patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.9,
                    "patternName": "a\u{0}",
                }]),
                "items[0].patternName",
            ),
            (
                "/api/analytics/behavioral-insights/patterns",
                json!([{
                    "patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.9,
                    "evidence": ["\u{0}"],
                }]),
                "items[0].evidence",
            ),
            (
                "/api/analytics/behavioral-insights/patterns",
                json!([{
                    "patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.9,
                    "patternData": {"k": ["\u{0}"]},
                }]),
                "items[0].patternData",
            ),
            (
                "/api/analytics/behavioral-insights/patterns",
                json!([{
                    "patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.9,
                    "patternData": {"\u{0}": 1},
                }]),
                "items[0].patternData",
            ),
            (
                "/api/analytics/behavioral-insights/insights",
                json!([
                    {"insightType": "STUDY_TIME_OPTIMIZATION", "title": "\u{0}", "description": "d",
                     "actionableRecommendation": "a", "confidence": 0.8},
                ]),
                "items[0].title",
            ),
        ] {
            let res = app.post_as(path, "u1", body).await;
            assert_eq!(res.status, 400, "{path}: {}", res.text);
            assert_eq!(res.error_field().as_deref(), Some(field));
        }
        // Settings land in jsonb profile columns.
        let id = app.first_recommendation("u1").await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = app
            .post_as(
                &format!("/api/analytics/behavioral-insights/recommendations/{id}/apply"),
                "u1",
                json!({
                    "applicationType": "AUTO",
                    "settings": {"contentPreferences": {"k": "\u{0}"}},
                }),
            )
            .await;
        assert_eq!(res.status, 400, "{}", res.text);
        assert_eq!(res.error_field().as_deref(), Some("settings"));
        let res = app.apply("u1", "%00", "MANUAL").await;
        assert_eq!(res.status, 404, "{}", res.text);
        assert_eq!(res.error_code(), "NOT_FOUND");
        for path in [
            "/api/analytics/behavioral-insights/recommendations?userId=a%00",
            "/api/analytics/behavioral-insights/patterns/evolution?userId=%00",
            "/api/personalization/effectiveness?userId=%00",
        ] {
            let res = app.get(path, Some(&ops)).await;
            assert_eq!(res.status, 400, "{path}: {}", res.text);
            assert_eq!(res.error_field().as_deref(), Some("userId"));
        }
        let nul_subject = app.service_token("ops\u{0}");
        let res = app
            .get(
                "/api/analytics/behavioral-insights/recommendations",
                Some(&nul_subject),
            )
            .await;
        assert_eq!(res.status, 401, "{}", res.text);
    }
}

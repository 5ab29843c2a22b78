//! One user (or an anonymous client) cannot hurt the service: bounded metrics labels, no
//! inflating of encoded request bodies, no demo data or token outside demo mode, bounded text,
//! a cache share per user, and data paths that no stored text can break. Each test failed
//! before its fix.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use actix_web::test::TestRequest;
use insights_service::{Insights, ServiceConfig};
use insights_testkit::{TestDb, both_backends};
use serde_json::json;

use crate::processes::{spare_port, wait_until};
use crate::support::*;

both_backends!(
    made_up_methods_and_paths_add_no_metric_series,
    encoded_bodies_are_refused,
    concurrent_auto_applies_keep_every_profile_change,
    a_long_insight_title_cannot_break_recommendations,
    ingested_text_over_the_limits_is_refused_naming_the_field,
);

/// Number of series lines (not comments) in the Prometheus text.
fn series(text: &str) -> usize {
    text.lines().filter(|l| !l.starts_with('#')).count()
}

async fn made_up_methods_and_paths_add_no_metric_series(db: TestDb) {
    let app = TestApp::new(db).await;
    // Every fixed label value once: an unknown path with a standard method, a known path with
    // a wrong method, then the scrape itself.
    app.call(TestRequest::get().uri("/warm-up")).await;
    app.call(
        TestRequest::default()
            .method(actix_web::http::Method::from_bytes(b"M0").unwrap())
            .uri("/warm-up"),
    )
    .await;
    app.get("/metrics", None).await;
    let before = series(&app.get("/metrics", None).await.text);
    for i in 1..=300 {
        let method = actix_web::http::Method::from_bytes(format!("M{i}").as_bytes()).unwrap();
        let res = app
            .call(
                TestRequest::default()
                    .method(method)
                    .uri(&format!("/nowhere/{i}")),
            )
            .await;
        assert_eq!(res.status, 404, "{}", res.text);
    }
    let after = app.get("/metrics", None).await.text;
    assert!(!after.contains("M17"), "a made-up method became a label");
    assert!(
        !after.contains("/nowhere/"),
        "a made-up path became a label"
    );
    assert_eq!(series(&after), before, "series grew:\n{after}");
}

async fn encoded_bodies_are_refused(db: TestDb) {
    use std::io::Write;
    let app = TestApp::new(db).await;
    // 1 MiB of zeros compresses to about a kilobyte: inflated, it is four times the limit.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&vec![b' '; 1 << 20]).unwrap();
    let gzip = encoder.finish().unwrap();
    for encoding in ["gzip", "deflate", "br", "x-made-up"] {
        let res = app
            .call(
                TestRequest::post()
                    .uri("/api/analytics/behavioral-insights/patterns")
                    .insert_header(("Authorization", format!("Bearer {}", app.token("u1"))))
                    .insert_header(("Content-Type", "application/json"))
                    .insert_header(("Content-Encoding", encoding))
                    .set_payload(gzip.clone()),
            )
            .await;
        assert_eq!(res.status, 415, "{encoding}: {}", res.text);
        assert_eq!(res.error_code(), "UNSUPPORTED_MEDIA_TYPE");
    }
    // `identity` is no encoding at all.
    let res = app
        .call(
            TestRequest::post()
                .uri("/api/analytics/behavioral-insights/patterns")
                .insert_header(("Authorization", format!("Bearer {}", app.token("u1"))))
                .insert_header(("Content-Encoding", "identity"))
                .set_payload(r#"[{"patternType":"PERFORMANCE_PEAK","confidence":0.5}]"#),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

/// With a configured secret, `serve` on the embedded database seeds nothing and prints no
/// token: the demo user has no data, and the start-up text says how to get a token.
#[test]
fn a_configured_secret_means_no_demo_data_and_no_token() {
    let dir = std::env::temp_dir().join(format!("insights-no-demo-{}", std::process::id()));
    let secret = "0123456789abcdef0123456789abcdef-not-demo";
    let port = spare_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_insights"))
        .arg("serve")
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(["--data-dir", dir.to_str().unwrap()])
        .env("INSIGHTS_JWT_SECRET", secret)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start insights");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    stdout.read_line(&mut banner).unwrap();
    let token = Command::new(env!("CARGO_BIN_EXE_insights"))
        .args(["token", "--user", "demo-user"])
        .env("INSIGHTS_JWT_SECRET", secret)
        .output()
        .expect("insights token");
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let get = |path: &str| -> Option<(u16, String)> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        )
        .ok()?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw).ok()?;
        let status = raw.split(' ').nth(1)?.parse().ok()?;
        let (_, body) = raw.split_once("\r\n\r\n")?;
        Some((status, body.to_owned()))
    };
    wait_until("the server to listen", Duration::from_secs(60), || {
        get("/healthz").is_some_and(|(s, _)| s == 200)
    });
    let (status, body) =
        get("/api/analytics/behavioral-insights/patterns/evolution?weeks=52").unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!banner.contains("eyJ"), "a token was printed: {banner}");
    assert!(banner.contains("insights token"), "{banner}");
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["data"]["meta"]["totalPatterns"],
        json!(0),
        "demo data was seeded"
    );
}

async fn concurrent_auto_applies_keep_every_profile_change(db: TestDb) {
    use insights_model::{LearningProfile, NewRecommendation, RecommendationType};
    let app = TestApp::new(db).await;
    let store = app.store();
    store.ensure_user("u1", None, None, at(0)).await.unwrap();
    store
        .insert_learning_profile(&LearningProfile {
            id: "profile-u1".into(),
            user_id: "u1".into(),
            preferred_study_times: json!([]),
            average_session_duration: 40,
            optimal_session_duration: 45,
            content_preferences: json!({}),
            learning_style_profile: json!({}),
            personalized_forgetting_curve: json!({}),
            last_analyzed_at: at(0),
            data_quality_score: 0.5,
        })
        .await
        .unwrap();
    // Twenty study-time recommendations: applying one AUTO appends its hour range to the
    // profile's preferred study times, so every apply must see the previous ones' appends.
    let candidates: Vec<NewRecommendation> = (0..20)
        .map(|hour| NewRecommendation {
            user_id: "u1".into(),
            recommendation_type: RecommendationType::StudyTimeOptimization,
            title: format!("Study during your peak hours ({hour}:00-{}:00)", hour + 1),
            description: "d".into(),
            actionable_text: "a".into(),
            confidence: 0.8,
            estimated_impact: 0.5,
            ease_of_implementation: 0.5,
            user_readiness: 0.5,
            priority_score: 0.5,
            source_pattern_ids: vec![],
            source_insight_ids: vec![],
        })
        .collect();
    let created = store
        .insert_recommendations(&candidates, at(0))
        .await
        .unwrap();
    assert_eq!(created.len(), 20);
    let applies = created
        .iter()
        .map(|rec| app.apply("u1", &rec.id, "AUTO"))
        .collect::<Vec<_>>();
    for res in futures_util::future::join_all(applies).await {
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let profile = store.learning_profile("u1").await.unwrap().unwrap();
    let mut starts: Vec<i64> = profile
        .preferred_study_times
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["startHour"].as_i64().unwrap())
        .collect();
    starts.sort_unstable();
    assert_eq!(
        starts,
        (0..20).collect::<Vec<_>>(),
        "a concurrent apply lost an update"
    );
}

async fn a_long_insight_title_cannot_break_recommendations(db: TestDb) {
    use insights_model::{InsightType, NewInsight};
    let app = TestApp::new(db).await;
    app.store()
        .ensure_user("u1", None, None, at(0))
        .await
        .unwrap();
    // As another application sharing the database may write it: far past any API limit and
    // past PostgreSQL's largest B-tree entry once copied into a recommendation title.
    let title: String = (0..4_000)
        .map(|i| char::from_u32(0x4e00 + (i * 7919) % 20_000).unwrap())
        .collect();
    app.store()
        .insert_insights(
            &[NewInsight {
                user_id: "u1".into(),
                insight_type: InsightType::StudyTimeOptimization,
                title: title.clone(),
                description: "long".into(),
                actionable_recommendation: "long".into(),
                confidence: 0.9,
            }],
            insights_model::Timestamp::now(),
        )
        .await
        .unwrap();
    for _ in 0..2 {
        let res = app
            .get_as("/api/analytics/behavioral-insights/recommendations", "u1")
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        let recs = res.data()["recommendations"].as_array().unwrap().clone();
        let from_insight = recs
            .iter()
            .find(|r| r["title"].as_str().unwrap().starts_with(&title[..30]))
            .expect("the insight's recommendation is listed");
        let shown = from_insight["title"].as_str().unwrap();
        assert_eq!(shown.chars().count(), 200, "{shown}");
        assert!(shown.ends_with('…'));
    }
}

async fn ingested_text_over_the_limits_is_refused_naming_the_field(db: TestDb) {
    let app = TestApp::new(db).await;
    const PATTERNS: &str = "/api/analytics/behavioral-insights/patterns";
    const INSIGHTS: &str = "/api/analytics/behavioral-insights/insights";
    let long = |n: usize| "é".repeat(n);
    let pattern = |extra: serde_json::Value| {
        let mut item = json!({"patternType": "PERFORMANCE_PEAK", "confidence": 0.5});
        item.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!([item])
    };
    let insight = |field: &str, value: String| {
        let mut item = json!({"insightType": "STUDY_TIME_OPTIMIZATION", "title": "t",
            "description": "d", "actionableRecommendation": "a", "confidence": 0.5});
        item[field] = json!(value);
        json!([item])
    };
    let cases = [
        (
            PATTERNS,
            pattern(json!({"patternName": long(201)})),
            "items[0].patternName",
        ),
        (
            PATTERNS,
            pattern(json!({"evidence": vec!["e"; 21]})),
            "items[0].evidence",
        ),
        (
            PATTERNS,
            pattern(json!({"evidence": [long(501)]})),
            "items[0].evidence",
        ),
        (
            PATTERNS,
            pattern(json!({"patternData": {"k": long(9_000)}})),
            "items[0].patternData",
        ),
        (INSIGHTS, insight("title", long(201)), "items[0].title"),
        (
            INSIGHTS,
            insight("description", long(2_001)),
            "items[0].description",
        ),
        (
            INSIGHTS,
            insight("actionableRecommendation", long(2_001)),
            "items[0].actionableRecommendation",
        ),
    ];
    for (path, body, field) in cases {
        let res = app.post_as(path, "u1", body).await;
        assert_eq!(res.status, 400, "{field}: {}", res.text);
        assert_eq!(res.error_code(), "VALIDATION_ERROR");
        assert_eq!(res.error_field().as_deref(), Some(field));
    }
    // At the limits exactly, everything is accepted.
    let res = app
        .post_as(
            PATTERNS,
            "u1",
            pattern(json!({"patternName": long(200), "evidence": vec![long(500); 20]})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app
        .post_as(INSIGHTS, "u1", insight("title", long(200)))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

both_backends!(
    one_user_cannot_evict_other_users_cache_entries,
    evolution_over_huge_evidence_is_streamed_and_not_cached,
    a_streamed_evolution_answer_equals_the_whole_one,
    past_the_gzip_limit_streamed_answers_are_sent_uncompressed,
);

const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";

async fn one_user_cannot_evict_other_users_cache_entries(db: TestDb) {
    let config = ServiceConfig {
        cache_capacity: 300,
        cache_max_entries_per_user: 20,
        ..ServiceConfig::default()
    };
    let app = TestApp::with_config(db, config).await;
    let users: Vec<String> = (0..200).map(|i| format!("user{i}")).collect();
    for user in &users {
        assert_eq!(app.get_as(EVO, user).await.status, 200);
    }
    let hits = || app.state.insights.metrics_snapshot().cache.hits;
    // One user asks for 2,000 explicit windows, each a distinct cache key.
    let token = app.token("flooder");
    for i in 0..2_000 {
        let res = app
            .get(
                &format!(
                    "/api/personalization/effectiveness?startDate=2025-01-01T00:00:00.000Z\
                     &endDate=2025-06-01T00:00:{:02}.{:03}Z",
                    i / 1000,
                    i % 1000
                ),
                Some(&token),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    let before = hits();
    for user in &users {
        assert_eq!(app.get_as(EVO, user).await.status, 200);
    }
    assert_eq!(
        hits() - before,
        200,
        "every other user's entry survived the flood"
    );
    assert!(
        app.state
            .insights
            .metrics_snapshot()
            .cache
            .refused_over_share
            >= 1_980
    );
}

/// Patterns as the original app (or anyone with database access) may store them: ten with
/// 250 kB of evidence each, spanning years, so each appears in every one of 52 weeks.
async fn store_huge_patterns(app: &TestApp, user: &str, count: usize) {
    use insights_model::{NewPattern, PatternType};
    app.store()
        .ensure_user(user, None, None, at(0))
        .await
        .unwrap();
    let evidence: Vec<String> = (0..25)
        .map(|i| format!("{i}:{}", "e".repeat(10_000)))
        .collect();
    let rows: Vec<NewPattern> = (0..count)
        .map(|_| NewPattern {
            user_id: user.into(),
            pattern_type: PatternType::AttentionCycle,
            pattern_data: json!({}),
            confidence: 0.5,
            pattern_name: None,
            evidence: evidence.clone(),
            occurrence_count: 1,
            detected_at: at(1_735_689_600_000),  // 2025-01-01
            last_seen_at: at(1_893_456_000_000), // 2030-01-01
        })
        .collect();
    app.store().insert_patterns(&rows).await.unwrap();
}

async fn evolution_over_huge_evidence_is_streamed_and_not_cached(db: TestDb) {
    let app = TestApp::new(db).await;
    store_huge_patterns(&app, "u1", 10).await;
    let res = app.get_as(&format!("{EVO}?weeks=52"), "u1").await;
    assert_eq!(res.status, 200);
    // ~65 MB: far above the 8 MiB entry cap, so streamed (and never held whole).
    assert!(res.text.len() > 60_000_000, "{} bytes", res.text.len());
    let data = res.data();
    assert_eq!(data["meta"]["totalPatterns"], 10);
    let weeks = data["evolution"].as_array().unwrap();
    assert_eq!(weeks.len(), 52);
    assert!(
        weeks
            .iter()
            .all(|w| w["patterns"].as_array().unwrap().len() == 10)
    );
    let stats = app.state.insights.metrics_snapshot().cache;
    assert_eq!(stats.entries, 0, "a streamed answer was cached");
}

async fn a_streamed_evolution_answer_equals_the_whole_one(db: TestDb) {
    let mut app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    // The same data through a service whose entry cap makes every evolution answer streamed.
    let whole_state = app.state.clone();
    let mut streaming_state = app.state.clone();
    streaming_state.insights = Insights::new(
        app.store().clone(),
        ServiceConfig {
            cache_max_entry_bytes: 1,
            ..ServiceConfig::default()
        },
    )
    .unwrap();
    for query in [
        "?weeks=52",
        "?weeks=4",
        "?weeks=12&patternType=FORGETTING_CURVE",
    ] {
        app.state = whole_state.clone();
        let whole = app.get_as(&format!("{EVO}{query}"), "u1").await;
        app.state = streaming_state.clone();
        let streamed = app.get_as(&format!("{EVO}{query}"), "u1").await;
        assert_eq!(streamed.status, 200);
        // The week boundaries follow "now", which moved between the two requests.
        let strip = |mut v: serde_json::Value| {
            for week in v["data"]["evolution"].as_array_mut().unwrap() {
                week.as_object_mut().unwrap().remove("weekStart");
                week.as_object_mut().unwrap().remove("weekEnd");
            }
            let meta = v["data"]["meta"].as_object_mut().unwrap();
            meta.remove("startDate");
            meta.remove("endDate");
            v
        };
        assert_eq!(strip(streamed.json()), strip(whole.json()), "{query}");
        assert_eq!(streamed.text.len(), whole.text.len(), "{query}");
    }
    // A gzip client gets the streamed answer compressed as a stream, and it decodes to JSON.
    let token = app.token("u1");
    let service = actix_web::test::init_service(insights_server::app(app.state.clone())).await;
    let res = actix_web::test::call_service(
        &service,
        TestRequest::get()
            .uri(&format!("{EVO}?weeks=52"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Accept-Encoding", "gzip"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers().get("content-encoding").map(|v| v.as_bytes()),
        Some(&b"gzip"[..])
    );
    let body = actix_web::test::read_body(res).await;
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut plain)
        .unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(parsed["data"]["meta"]["totalPatterns"], 3);
}

/// GETs `path` as `user` from `state`'s app, with `Accept-Encoding: gzip`: its
/// `Content-Encoding` and its body decoded (gunzipped when it says gzip).
async fn get_preferring_gzip(
    state: &insights_server::AppState,
    token: &str,
    path: &str,
) -> (Option<String>, String) {
    let service = actix_web::test::init_service(insights_server::app(state.clone())).await;
    let res = actix_web::test::call_service(
        &service,
        TestRequest::get()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Accept-Encoding", "gzip"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let encoding = res
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = actix_web::test::read_body(res).await;
    let mut text = String::new();
    if encoding.as_deref() == Some("gzip") {
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut text)
            .unwrap();
    } else {
        text = String::from_utf8(body.to_vec()).unwrap();
    }
    (encoding, text)
}

async fn past_the_gzip_limit_streamed_answers_are_sent_uncompressed(db: TestDb) {
    let mut app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    // Every evolution answer streamed, as an answer over the entry cap is.
    app.state.insights = Insights::new(
        app.store().clone(),
        ServiceConfig {
            cache_max_entry_bytes: 1,
            ..ServiceConfig::default()
        },
    )
    .unwrap();
    let token = app.token("u1");
    let path = format!("{EVO}?weeks=12");
    let limit = std::sync::Arc::clone(&app.state.streamed_gzip);
    let (encoding, gzipped) = get_preferring_gzip(&app.state, &token, &path).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert_eq!(
        limit.in_use(),
        0,
        "the permit is returned with the finished body"
    );
    // Other responses are compressing every permit: the answer goes out uncompressed.
    let held: Vec<_> = std::iter::from_fn(|| limit.try_acquire()).collect();
    assert_eq!(
        held.len(),
        insights_server::streamed_gzip::STREAMED_GZIP_AT_ONCE
    );
    let (encoding, plain) = get_preferring_gzip(&app.state, &token, &path).await;
    assert_eq!(encoding.as_deref(), Some("identity"));
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&gzipped).unwrap(),
        serde_json::from_str(&plain).unwrap(),
    );
    // The same answer (week boundaries aside: they follow "now", which moved).
    let patterns = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        let weeks = v["data"]["evolution"].as_array().unwrap();
        weeks.iter().map(|w| w["patterns"].clone()).collect()
    };
    assert_eq!(patterns(&a), patterns(&b));
    assert_eq!(b["data"]["meta"]["totalPatterns"], 3);
    drop(held);
    let (encoding, _) = get_preferring_gzip(&app.state, &token, &path).await;
    assert_eq!(
        encoding.as_deref(),
        Some("gzip"),
        "compressed again once permits are free"
    );
}

//! Identity and access (docs/compatibility.md, section 1): bearer JWT or 401; another user's id
//! needs a service token or it is 403.

use insights_server::auth::{Claims, JwtKeys, unix_now};
use insights_testkit::{TestDb, both_backends};
use serde_json::json;

use crate::support::*;

const PROTECTED_GETS: &[&str] = &[
    "/api/personalization/effectiveness",
    "/api/analytics/behavioral-insights/patterns/evolution",
    "/api/analytics/behavioral-insights/recommendations",
];
const PROTECTED_POSTS: &[&str] = &[
    "/api/analytics/behavioral-insights/recommendations/some-id/apply",
    "/api/analytics/behavioral-insights/patterns",
    "/api/analytics/behavioral-insights/insights",
    "/api/analytics/behavioral-insights/sessions",
];

both_backends!(
    missing_malformed_forged_and_expired_tokens_are_401,
    another_users_id_is_403_unless_the_caller_is_a_service,
    a_token_not_valid_yet_is_401,
    operator_routes_need_no_token
);

async fn missing_malformed_forged_and_expired_tokens_are_401(db: TestDb) {
    let app = TestApp::new(db).await;
    let forged = JwtKeys::new(b"not-the-server-secret-not-the-server")
        .issue("u1", false, std::time::Duration::from_secs(60))
        .unwrap();
    let expired = JwtKeys::new(SECRET)
        .sign(&Claims {
            sub: "u1".into(),
            exp: unix_now() - 3600,
            iat: None,
            role: None,
        })
        .unwrap();
    for path in PROTECTED_GETS {
        let res = app.get(path, None).await;
        assert_eq!(res.status, 401, "{path}");
        assert_eq!(res.error_code(), "UNAUTHORIZED");
        assert_eq!(res.headers.get("www-authenticate").unwrap(), "Bearer");
        for token in [forged.as_str(), expired.as_str(), "not.a.jwt"] {
            let res = app.get(path, Some(token)).await;
            assert_eq!(res.status, 401, "{path} {token}");
            assert_eq!(res.error_code(), "UNAUTHORIZED");
        }
        let res = app
            .call(
                actix_web::test::TestRequest::get()
                    .uri(path)
                    .insert_header(("Authorization", "Basic dTE6cHc=")),
            )
            .await;
        assert_eq!(res.status, 401);
    }
    for path in PROTECTED_POSTS {
        let res = app.post(path, None, "[]").await;
        assert_eq!(res.status, 401, "{path}");
        assert_eq!(res.error_code(), "UNAUTHORIZED");
        let res = app.post(path, Some(&expired), "[]").await;
        assert_eq!(res.status, 401, "{path}");
    }
    let res = app.get(PROTECTED_GETS[0], Some(&expired)).await;
    assert_eq!(res.json()["error"]["message"], "Token expired");
}

async fn another_users_id_is_403_unless_the_caller_is_a_service(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("alice").await;
    app.seed_user_with_patterns("bob").await;
    for path in PROTECTED_GETS {
        let own = app.get_as(&format!("{path}?userId=alice"), "alice").await;
        assert_eq!(own.status, 200, "{path}: {}", own.text);
        let other = app.get_as(&format!("{path}?userId=bob"), "alice").await;
        assert_eq!(other.status, 403, "{path}");
        assert_eq!(other.error_code(), "FORBIDDEN");
        let service = app
            .get(
                &format!("{path}?userId=bob"),
                Some(&app.service_token("ops")),
            )
            .await;
        assert_eq!(service.status, 200, "{path}: {}", service.text);
    }
    let ingest = app
        .post(
            "/api/analytics/behavioral-insights/patterns?userId=bob",
            Some(&app.token("alice")),
            &json!([{"patternType": "OPTIMAL_STUDY_TIME", "confidence": 0.9}]).to_string(),
        )
        .await;
    assert_eq!(ingest.status, 403);
    assert_eq!(ingest.error_code(), "FORBIDDEN");

    // Bob's recommendation cannot be applied by Alice; a service may apply it.
    let bobs = app.first_recommendation("bob").await;
    let id = bobs["id"].as_str().unwrap();
    let res = app.apply("alice", id, "MANUAL").await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.error_code(), "FORBIDDEN");
    let res = app
        .post(
            &format!("/api/analytics/behavioral-insights/recommendations/{id}/apply"),
            Some(&app.service_token("ops")),
            r#"{"applicationType":"MANUAL"}"#,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);

    // `userId` on apply follows the same rule as on every route.
    let alices = app.first_recommendation("alice").await;
    let path = format!(
        "/api/analytics/behavioral-insights/recommendations/{}/apply",
        alices["id"].as_str().unwrap()
    );
    let manual = r#"{"applicationType":"MANUAL"}"#;
    let res = app
        .post(
            &format!("{path}?userId=bob"),
            Some(&app.token("alice")),
            manual,
        )
        .await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert_eq!(res.error_code(), "FORBIDDEN");
    let res = app
        .post(
            &format!("{path}?userId=alice"),
            Some(&app.token("alice")),
            manual,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

async fn a_token_not_valid_yet_is_401(db: TestDb) {
    let app = TestApp::new(db).await;
    let now = unix_now();
    let sign = |nbf: u64| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({"sub": "u1", "exp": now + 7_200, "nbf": nbf}),
            &jsonwebtoken::EncodingKey::from_secret(SECRET),
        )
        .unwrap()
    };
    let res = app.get(PROTECTED_GETS[0], Some(&sign(now + 3_600))).await;
    assert_eq!(res.status, 401, "{}", res.text);
    assert_eq!(res.error_code(), "UNAUTHORIZED");
    let res = app.get(PROTECTED_GETS[0], Some(&sign(now - 60))).await;
    assert_eq!(res.status, 200, "{}", res.text);
}

async fn operator_routes_need_no_token(db: TestDb) {
    let app = TestApp::new(db).await;
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert_eq!(app.get(path, None).await.status, 200, "{path}");
    }
}

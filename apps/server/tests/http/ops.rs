//! Operator routes: health, readiness, metrics, OpenAPI.

use insights_server::openapi::{In, method_key};
use insights_server::routes::table;
use insights_testkit::{TestDb, both_backends};

use crate::support::*;

both_backends!(
    health_and_readiness,
    metrics_expose_routes_cache_and_pool,
    openapi_lists_every_route_with_its_parameters
);

async fn health_and_readiness(db: TestDb) {
    let app = TestApp::new(db).await;
    let backend = app.store().backend();
    let res = app.get("/healthz", None).await;
    assert_eq!(res.data()["status"], "ok");
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.data()["backend"], backend);
    assert!(res.headers.get("x-request-id").is_some());
    let res = app
        .call(
            actix_web::test::TestRequest::get()
                .uri("/healthz")
                .insert_header(("x-request-id", "abc-123")),
        )
        .await;
    assert_eq!(res.headers.get("x-request-id").unwrap(), "abc-123");
}

async fn metrics_expose_routes_cache_and_pool(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    for _ in 0..2 {
        assert_eq!(
            app.get_as("/api/analytics/behavioral-insights/recommendations", "u1")
                .await
                .status,
            200
        );
    }
    assert_eq!(app.get_as("/nope", "u1").await.status, 404);
    let res = app.get("/metrics", None).await;
    assert_eq!(res.status, 200);
    assert!(
        res.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text;
    for needle in [
        "insights_http_requests_total{method=\"GET\",route=\"/api/analytics/behavioral-insights/recommendations\",status=\"200\"} 2",
        "insights_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "insights_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/analytics/behavioral-insights/recommendations\"",
        "insights_cache_hits_total 1",
        "insights_cache_misses_total",
        "insights_cache_entries",
        "insights_cache_coalesced_waits_total",
        "insights_db_pool_connections",
        "insights_db_pool_idle_connections",
        "insights_db_statements_total",
        "insights_db_pool_wait_seconds_total",
        "insights_db_connection_seconds_total",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    let held: f64 = text
        .lines()
        .find_map(|line| line.strip_prefix("insights_db_connection_seconds_total "))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no connection time:\n{text}"));
    assert!(held > 0.0, "the requests above held connections: {held}");
}

async fn openapi_lists_every_route_with_its_parameters(db: TestDb) {
    let app = TestApp::new(db).await;
    let doc = app.get("/openapi.json", None).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["paths"].as_object().unwrap().len(),
        table::documented().count()
    );
    for (route, documented) in table::documented() {
        let method = method_key(route);
        let op = &doc["paths"][route.path][&method];
        assert!(op.is_object(), "{method} {}", route.path);
        let names: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = documented.params.iter().map(|p| p.name).collect();
        assert_eq!(names, expected);
        // Every documented route is really served (not 404/405).
        let path = route.path.replace("{id}", "x");
        let res = if method == "get" {
            app.get(&path, None).await
        } else {
            app.post(&path, None, "{}").await
        };
        assert!(
            ![404, 405].contains(&res.status),
            "{method} {path} → {}",
            res.status
        );
        assert!(
            documented
                .params
                .iter()
                .all(|p| p.location == In::Query || path != route.path)
        );
    }
    let evo = &doc["paths"]["/api/analytics/behavioral-insights/patterns/evolution"]["get"];
    assert_eq!(
        evo["parameters"][2]["schema"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
    // The limits the server enforces are declared, so schema-driven clients stay in range.
    assert_eq!(evo["parameters"][1]["schema"]["minimum"], 1);
    assert_eq!(evo["parameters"][1]["schema"]["maximum"], 52);
    let apply =
        &doc["paths"]["/api/analytics/behavioral-insights/recommendations/{id}/apply"]["post"];
    let body = &apply["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["required"][0], "applicationType");
    assert_eq!(
        body["properties"]["applicationType"]["enum"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

/// Through the whole middleware stack (the `Compress` middleware included): a client that
/// accepts gzip gets one gzip encoding of the same bytes, cached or not; others get identity.
#[actix_web::test]
async fn gzip_is_served_once_encoded_to_clients_that_accept_it() {
    use std::io::Read;
    let app = TestApp::new(insights_testkit::TestDb::sqlite().await).await;
    app.seed_user_with_patterns("u1").await;
    let service = actix_web::test::init_service(insights_server::app(app.state.clone())).await;
    let path = "/api/analytics/behavioral-insights/patterns/evolution?weeks=12";
    let get = |accept: Option<&'static str>| {
        let mut req = actix_web::test::TestRequest::get()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {}", app.token("u1"))));
        if let Some(accept) = accept {
            req = req.insert_header(("Accept-Encoding", accept));
        }
        req.to_request()
    };
    let plain = actix_web::test::call_service(&service, get(None)).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = actix_web::test::read_body(plain).await;
    // Twice: the first fills the cache, the second is a hit sharing the stored encoding.
    for _ in 0..2 {
        let res = actix_web::test::call_service(&service, get(Some("gzip, deflate, br"))).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers().get("content-encoding").unwrap(), "gzip");
        assert_eq!(res.headers().get("vary").unwrap(), "accept-encoding");
        let body = actix_web::test::read_body(res).await;
        let mut decoded = Vec::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut decoded)
            .expect("one gzip layer");
        assert_eq!(decoded, plain);
    }
}

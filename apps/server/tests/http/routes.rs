//! The route table (`insights_server::routes::table::ROUTES`) is what is served and what is
//! documented, nothing more and nothing less: the router holds exactly its entries, each
//! answers on its method and only there, `/openapi.json` documents exactly its API entries,
//! and the authentication, bounds and values it declares are what the server enforces.

use std::collections::BTreeSet;

use actix_web::dev::ServiceResponse;
use actix_web::http::Method;
use actix_web::test::{self, TestRequest};
use insights_server::openapi::{In, method_key};
use insights_server::routes::table::{self, Endpoint, ROUTES};
use insights_testkit::TestDb;
use serde_json::Value;

use crate::support::*;

/// Every method a probe tries on every path.
const METHODS: [Method; 7] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::HEAD,
    Method::OPTIONS,
];

/// A concrete path for a table path: each `{name}` segment becomes `x`.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "x" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

async fn app_with_dashboard(dashboard: bool) -> TestApp {
    let mut app = TestApp::new(TestDb::sqlite().await).await;
    app.state.dashboard = dashboard;
    app
}

/// One request through the real application factory, keeping the response's request (its
/// matched pattern and the router's resource map).
async fn call(app: &TestApp, method: Method, path: &str) -> ServiceResponse {
    let service = test::init_service(insights_server::app(app.state.clone())).await;
    let req = TestRequest::default()
        .method(method.clone())
        .uri(path)
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{}")
        .to_request();
    test::try_call_service(&service, req)
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: error escaped the app: {e}"))
        .map_into_boxed_body()
}

/// The patterns of every resource the router holds, in the order it tries them, read from the
/// resource map's `Debug` form (actix-web has no public iterator over it). Each resource is
/// an `id: n` followed by its `patterns: Single("…")`; the root is the empty prefix.
fn registered_patterns(res: &ServiceResponse) -> Vec<String> {
    let map = format!("{:?}", res.request().resource_map());
    let patterns: Vec<String> = map
        .split("patterns: ")
        .skip(1)
        .map(|rest| {
            let single = rest
                .strip_prefix("Single(\"")
                .unwrap_or_else(|| panic!("a resource with several patterns: {rest:.80}"));
            single[..single.find("\")").expect("closing quote")].to_owned()
        })
        .filter(|p| !p.is_empty())
        .collect();
    assert!(!patterns.is_empty(), "no pattern read from {map:.400}");
    patterns
}

fn served(dashboard: bool) -> Vec<&'static Endpoint> {
    ROUTES.iter().filter(|e| e.served(dashboard)).collect()
}

#[actix_web::test]
async fn the_router_holds_exactly_the_table_static_paths_first() {
    for dashboard in [true, false] {
        let app = app_with_dashboard(dashboard).await;
        let res = call(&app, Method::GET, table::HEALTHZ).await;
        let expected: Vec<&str> = table::registration_order(dashboard)
            .map(|e| e.path)
            .collect();
        assert_eq!(registered_patterns(&res), expected, "dashboard {dashboard}");
        let dynamic = expected.iter().position(|p| p.contains('{')).unwrap();
        assert!(expected[dynamic..].iter().all(|p| p.contains('{')));
    }
}

#[actix_web::test]
async fn every_entry_answers_on_its_method_and_only_there() {
    for dashboard in [true, false] {
        let app = app_with_dashboard(dashboard).await;
        for endpoint in ROUTES {
            let path = concrete(endpoint.path);
            for method in METHODS {
                let res = call(&app, method.clone(), &path).await;
                let status = res.status().as_u16();
                let pattern = res.request().match_pattern();
                let what = format!("{method} {path} (dashboard {dashboard})");
                if !endpoint.served(dashboard) {
                    // The app's JSON 404 fallback, whatever the method.
                    assert_eq!((status, pattern), (404, None), "{what}");
                } else if method == endpoint.method {
                    assert_eq!(pattern.as_deref(), Some(endpoint.path), "{what}");
                    assert_ne!(status, 405, "{what}");
                } else {
                    assert_eq!(status, 405, "{what}");
                    let allow = res.headers().get("allow").expect("Allow header");
                    assert_eq!(allow, endpoint.method.as_str(), "{what}");
                }
            }
        }
        for path in [
            "/api/nope",
            "/healthz/x",
            "/api/analytics/behavioral-insights",
        ] {
            let res = call(&app, Method::GET, path).await;
            assert_eq!(res.status(), 404, "{path}");
            assert_eq!(res.request().match_pattern(), None, "{path}");
        }
    }
}

#[actix_web::test]
async fn openapi_documents_exactly_the_api_entries() {
    let app = app_with_dashboard(true).await;
    let doc = app.get(table::OPENAPI, None).await.json();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (path.clone(), method.clone()))
        })
        .collect();
    // With the dashboard off the server serves exactly the API routes.
    let api: BTreeSet<(String, String)> = served(false)
        .into_iter()
        .map(|e| (e.path.to_owned(), method_key(e)))
        .collect();
    assert_eq!(documented, api);
    for (endpoint, op) in table::documented() {
        let rendered = &doc["paths"][endpoint.path][method_key(endpoint)];
        assert_eq!(rendered["operationId"], op.id);
        assert_eq!(rendered["summary"], op.summary);
        let security = rendered["security"].as_array().unwrap();
        assert_eq!(!security.is_empty(), op.auth, "{}", endpoint.path);
        let statuses: BTreeSet<u16> = rendered["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(|s| s.parse().unwrap())
            .collect();
        let mut expected: BTreeSet<u16> = op.errors.iter().copied().collect();
        expected.insert(200);
        assert_eq!(statuses, expected, "{}", endpoint.path);
        assert_eq!(rendered["requestBody"].is_object(), op.body.is_some());
    }
}

#[actix_web::test]
async fn authentication_is_as_documented() {
    let app = app_with_dashboard(false).await;
    for (endpoint, op) in table::documented() {
        let path = concrete(endpoint.path);
        let res = call(&app, endpoint.method.clone(), &path).await;
        let status = res.status().as_u16();
        if op.auth {
            assert_eq!(status, 401, "{} {path} without a token", endpoint.method);
        } else {
            assert_eq!(status, 200, "{} {path} without a token", endpoint.method);
        }
    }
}

/// A value's query-string form.
fn query_value(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

#[actix_web::test]
async fn declared_bounds_and_values_are_what_the_server_accepts() {
    let app = app_with_dashboard(false).await;
    let token = app.token("bounds-user");
    let doc = app.get(table::OPENAPI, None).await.json();
    let mut checked = 0;
    for (endpoint, op) in table::documented() {
        if endpoint.method != Method::GET || !op.auth {
            continue;
        }
        let declared = doc["paths"][endpoint.path]["get"]["parameters"]
            .as_array()
            .unwrap();
        for p in op.params.iter().filter(|p| p.location == In::Query) {
            let schema = &declared.iter().find(|d| d["name"] == p.name).unwrap()["schema"];
            let mut accepted: Vec<String> = Vec::new();
            let mut refused: Vec<String> = Vec::new();
            if let Some(values) = schema["enum"].as_array() {
                accepted.extend(values.iter().map(query_value));
                refused.push("NOT_A_DECLARED_VALUE".into());
            }
            if let (Some(min), Some(max)) = (schema["minimum"].as_i64(), schema["maximum"].as_i64())
            {
                accepted.extend([min.to_string(), max.to_string()]);
                refused.extend([(min - 1).to_string(), (max + 1).to_string()]);
            }
            for value in &accepted {
                let uri = format!("{}?{}={value}", endpoint.path, p.name);
                let res = app.get(&uri, Some(&token)).await;
                assert_eq!(res.status, 200, "{uri}: {}", res.text);
                checked += 1;
            }
            for value in &refused {
                let uri = format!("{}?{}={value}", endpoint.path, p.name);
                let res = app.get(&uri, Some(&token)).await;
                assert_eq!(res.status, 400, "{uri}: {}", res.text);
                assert_eq!(res.error_field().as_deref(), Some(p.name), "{uri}");
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

#[test]
fn limits_in_the_document_are_the_services() {
    use insights_recommender::apply::SESSION_MINUTES_RANGE;
    use insights_server::openapi::schemas;
    let (min, max) = schemas::SESSION_MINUTES;
    assert_eq!(min..=max, SESSION_MINUTES_RANGE);
    let apply = schemas::apply();
    let minutes = &apply["then"]["properties"]["settings"]["properties"]["optimalSessionDuration"];
    assert_eq!(
        (minutes["minimum"].as_i64(), minutes["maximum"].as_i64()),
        (Some(min), Some(max))
    );
}

#[test]
fn only_the_dashboard_is_undocumented() {
    let undocumented: Vec<&str> = ROUTES
        .iter()
        .filter(|e| e.operation().is_none())
        .map(|e| e.path)
        .collect();
    assert_eq!(undocumented, [table::DASHBOARD, table::DASHBOARD_ASSET]);
}

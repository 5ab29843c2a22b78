//! Route table and extractor configuration. Every path answers JSON: unknown paths 404,
//! known paths with the wrong method 405, malformed query strings and bodies 400, oversized
//! bodies 413 (docs/compatibility.md, section 2). The one exception is the dashboard page
//! and its files (`/`, `/assets/…`), served when the dashboard is on.

pub mod ingest;
pub mod insights;
pub mod ops;

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::{HttpRequest, HttpResponse, Route, web};

use crate::dashboard;
use crate::error::ApiError;

/// `GET` effectiveness, the original's route.
pub const EFFECTIVENESS: &str = "/api/personalization/effectiveness";
/// `GET` pattern evolution, the original's route.
pub const EVOLUTION: &str = "/api/analytics/behavioral-insights/patterns/evolution";
/// `GET` recommendations, the original's route.
pub const RECOMMENDATIONS: &str = "/api/analytics/behavioral-insights/recommendations";
/// `POST` apply, the original's route.
pub const APPLY: &str = "/api/analytics/behavioral-insights/recommendations/{id}/apply";
/// `POST` pattern ingestion.
pub const INGEST_PATTERNS: &str = "/api/analytics/behavioral-insights/patterns";
/// `POST` insight ingestion.
pub const INGEST_INSIGHTS: &str = "/api/analytics/behavioral-insights/insights";
/// `POST` study-session ingestion.
pub const INGEST_SESSIONS: &str = "/api/analytics/behavioral-insights/sessions";
/// Liveness.
pub const HEALTHZ: &str = "/healthz";
/// Readiness (database reachable).
pub const READYZ: &str = "/readyz";
/// Prometheus metrics.
pub const METRICS: &str = "/metrics";
/// The OpenAPI document.
pub const OPENAPI: &str = "/openapi.json";
/// The dashboard page (not an API route, so not in the OpenAPI document).
pub const DASHBOARD: &str = "/";
/// The dashboard's scripts, style sheet and icon.
pub const DASHBOARD_ASSET: &str = "/assets/{file}";

/// Registers every route (the dashboard's only when `dashboard`) and the extractor error
/// handlers.
pub fn configure(body_limit: usize, dashboard: bool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(json_config(body_limit))
            .app_data(web::QueryConfig::default().error_handler(query_error));
        one(
            cfg,
            EFFECTIVENESS,
            "GET",
            web::get().to(insights::effectiveness),
        );
        one(
            cfg,
            EVOLUTION,
            "GET",
            web::get().to(insights::pattern_evolution),
        );
        one(
            cfg,
            RECOMMENDATIONS,
            "GET",
            web::get().to(insights::recommendations),
        );
        one(
            cfg,
            INGEST_PATTERNS,
            "POST",
            web::post().to(ingest::patterns),
        );
        one(
            cfg,
            INGEST_INSIGHTS,
            "POST",
            web::post().to(ingest::insights),
        );
        one(
            cfg,
            INGEST_SESSIONS,
            "POST",
            web::post().to(ingest::sessions),
        );
        one(cfg, HEALTHZ, "GET", web::get().to(ops::healthz));
        one(cfg, READYZ, "GET", web::get().to(ops::readyz));
        one(cfg, METRICS, "GET", web::get().to(ops::metrics));
        one(cfg, OPENAPI, "GET", web::get().to(ops::openapi));
        // The router tries resources in this order and only the dynamic paths need a regex
        // match, so they come last: no API request pays for them.
        one(cfg, APPLY, "POST", web::post().to(insights::apply));
        if dashboard {
            one(cfg, DASHBOARD, "GET", web::get().to(dashboard::page));
            one(cfg, DASHBOARD_ASSET, "GET", web::get().to(dashboard::asset));
        }
    }
}

/// A resource with one method; any other method gets a JSON 405 naming the allowed one.
fn one(cfg: &mut web::ServiceConfig, path: &str, allow: &'static str, route: Route) {
    cfg.service(
        web::resource(path)
            .route(route)
            .default_service(web::to(move || async move {
                Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow })
            })),
    );
}

/// The app's fallback: a JSON 404 instead of an empty body.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "No route for {} {}",
        req.method(),
        req.path()
    )))
}

/// `?userId=` on the routes with no other query parameter: whose data (the caller by default;
/// another user needs a service token).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserQuery {
    /// The target user.
    pub user_id: Option<String>,
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        // The original accepted any content type (`request.json()`); so do we.
        .content_type_required(false)
        .error_handler(|err, _| {
            let api = match err {
                JsonPayloadError::Overflow { limit }
                | JsonPayloadError::OverflowKnownLength { limit, .. } => {
                    ApiError::PayloadTooLarge { limit }
                }
                JsonPayloadError::Deserialize(e) => {
                    ApiError::bad_request(Some("body"), format!("Invalid JSON body: {e}"))
                }
                other => ApiError::bad_request(Some("body"), format!("Invalid body: {other}")),
            };
            api.into()
        })
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let QueryPayloadError::Deserialize(e) = err else {
        return ApiError::bad_request(None, "Invalid query string").into();
    };
    let message = e.to_string();
    ApiError::bad_request(
        repeated_key(&message),
        format!("Invalid query string: {message}"),
    )
    .into()
}

/// The parameter named by serde's "duplicate field `weeks`" message, for `details.field`.
fn repeated_key(message: &str) -> Option<&str> {
    message
        .strip_prefix("duplicate field `")?
        .split_once('`')
        .map(|(key, _)| key)
}

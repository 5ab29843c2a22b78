//! Operator routes (no token needed): liveness, readiness, metrics, the OpenAPI document.

use actix_web::{HttpResponse, web};
use insights_service::{Insights, Reachability};
use serde_json::json;

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::openapi;

/// `GET /healthz`: the process is up and answering.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"success": true, "data": {"status": "ok"}}))
}

/// `GET /readyz`: 200 while the primary database can be reached, 503 otherwise. Answered from
/// the stores' shared health state (no pool connection, no I/O), which one background probe per
/// store refreshes at most about every second; the body also reports the read replica and
/// Redis, neither of which makes the instance unready (without them it still answers
/// correctly: reads go to the primary, the cache is local).
pub async fn readyz(insights: web::Data<Insights>) -> Result<HttpResponse, ApiError> {
    let readiness = insights.readiness();
    if let Reachability::Down { error } = &readiness.primary {
        return Err(ApiError::Unavailable(format!(
            "database not reachable: {error}"
        )));
    }
    let backend = insights.backend();
    let replica = match &readiness.replica {
        None => "not configured",
        Some(Reachability::Up) => "ok",
        Some(Reachability::Down { .. }) => "unavailable",
    };
    #[cfg(feature = "redis")]
    let redis = match insights.metrics_snapshot().shared_tier {
        None => "not configured",
        Some(tier) if tier.healthy => "ok",
        Some(_) => "unavailable",
    };
    #[cfg(not(feature = "redis"))]
    let redis = "not configured";
    Ok(HttpResponse::Ok().json(json!({"success": true, "data": {
        "status": "ready", "backend": backend, "readReplica": replica, "redis": redis
    }})))
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(
    metrics: web::Data<Metrics>,
    insights: web::Data<Insights>,
) -> Result<HttpResponse, ApiError> {
    let text = metrics
        .render(&insights)
        .map_err(|e| ApiError::Internal(format!("cannot encode metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}

/// `GET /openapi.json`.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(openapi::document())
}

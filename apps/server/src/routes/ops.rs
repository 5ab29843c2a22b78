//! Operator routes (no token needed): liveness, readiness, metrics, the OpenAPI document.

use actix_web::{HttpResponse, web};
use insights_service::Insights;
use serde_json::json;

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::openapi;

/// `GET /healthz`: the process is up and answering.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"success": true, "data": {"status": "ok"}}))
}

/// `GET /readyz`: the database answers; 503 otherwise, whatever the cause.
pub async fn readyz(insights: web::Data<Insights>) -> Result<HttpResponse, ApiError> {
    insights
        .ready()
        .await
        .map_err(|e| ApiError::Unavailable(format!("database not reachable: {e}")))?;
    let backend = insights.store().backend();
    // Redis is optional: without it the service still answers correctly, so it does not make
    // the instance unready; its state is reported for operators.
    let redis = match insights.metrics_snapshot().shared_tier {
        None => "not configured",
        Some(tier) if tier.healthy => "ok",
        Some(_) => "unavailable",
    };
    Ok(HttpResponse::Ok().json(
        json!({"success": true, "data": {"status": "ready", "backend": backend, "redis": redis}}),
    ))
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

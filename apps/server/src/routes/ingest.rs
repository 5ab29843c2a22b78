//! Write routes added for operators and tests (docs/compatibility.md, section 10): new patterns,
//! insights and study sessions for a user, so data can change while the server runs and the caches
//! must follow. Body: a JSON array of items or `{"items": [...]}`.

use actix_web::web;
use insights_service::{IngestBatch, Insights};
use serde_json::Value;

use super::UserQuery;
use crate::auth::Authenticated;
use crate::envelope::{Whole, success};
use crate::error::ApiError;

/// `POST /api/analytics/behavioral-insights/patterns`.
pub async fn patterns(
    Authenticated(caller): Authenticated,
    query: web::Query<UserQuery>,
    body: web::Json<Value>,
    insights: web::Data<Insights>,
) -> Result<Whole, ApiError> {
    let user = caller.may_act_for(query.user_id.as_deref())?;
    success(
        &insights
            .ingest_patterns(&user, IngestBatch::try_from(body.into_inner())?)
            .await?,
    )
}

/// `POST /api/analytics/behavioral-insights/insights`.
pub async fn insights(
    Authenticated(caller): Authenticated,
    query: web::Query<UserQuery>,
    body: web::Json<Value>,
    insights: web::Data<Insights>,
) -> Result<Whole, ApiError> {
    let user = caller.may_act_for(query.user_id.as_deref())?;
    success(
        &insights
            .ingest_insights(&user, IngestBatch::try_from(body.into_inner())?)
            .await?,
    )
}

/// `POST /api/analytics/behavioral-insights/sessions`.
pub async fn sessions(
    Authenticated(caller): Authenticated,
    query: web::Query<UserQuery>,
    body: web::Json<Value>,
    insights: web::Data<Insights>,
) -> Result<Whole, ApiError> {
    let user = caller.may_act_for(query.user_id.as_deref())?;
    success(
        &insights
            .ingest_sessions(&user, IngestBatch::try_from(body.into_inner())?)
            .await?,
    )
}

//! The four endpoints of the original API, same paths and parameters.

use actix_web::web;
use insights_service::{
    ApplyParams, EffectivenessParams, EffectivenessQuery, EvolutionParams, EvolutionQuery,
    Insights, RecommendationParams, RecommendationsQuery,
};

use super::UserQuery;
use crate::auth::Authenticated;
use crate::envelope::{Reply, SUCCESS, Whole, success};
use crate::error::ApiError;

/// `GET /api/personalization/effectiveness`: the caller's own data (the original read a
/// hard-coded user); a `userId` other than the caller needs a service token.
pub async fn effectiveness(
    Authenticated(caller): Authenticated,
    query: web::Query<EffectivenessQuery>,
    insights: web::Data<Insights>,
) -> Result<Whole, ApiError> {
    let user = caller.may_act_for(query.user_id.as_deref())?;
    let params = EffectivenessParams::try_from(&*query)?;
    Ok(Whole(
        insights
            .rendered(SUCCESS)
            .effectiveness(&user, &params)
            .await?,
    ))
}

/// `GET /api/analytics/behavioral-insights/patterns/evolution`: `userId` optional (the caller).
pub async fn pattern_evolution(
    Authenticated(caller): Authenticated,
    query: web::Query<EvolutionQuery>,
    insights: web::Data<Insights>,
) -> Result<Reply, ApiError> {
    let user = caller.may_act_for(query.user_id.as_deref())?;
    let params = EvolutionParams::try_from(&*query)?;
    Ok(Reply(
        insights
            .rendered(SUCCESS)
            .pattern_evolution(&user, &params)
            .await?,
    ))
}

/// `GET /api/analytics/behavioral-insights/recommendations`: generates, then lists by priority.
pub async fn recommendations(
    Authenticated(caller): Authenticated,
    query: web::Query<RecommendationsQuery>,
    insights: web::Data<Insights>,
) -> Result<Whole, ApiError> {
    let user = caller.may_act_for(query.user_id.as_deref())?;
    let params = RecommendationParams::try_from(&*query)?;
    Ok(Whole(
        insights
            .rendered(SUCCESS)
            .recommendations(&user, &params)
            .await?,
    ))
}

/// `POST /api/analytics/behavioral-insights/recommendations/{id}/apply`: body
/// `{"applicationType": "AUTO"|"MANUAL"|"REMINDER"|"GOAL", "settings"?: {…}}`; the service
/// checks that the recommendation belongs to the caller (or the caller is a service). A
/// `userId` other than the caller is 403 here too, as on every route.
pub async fn apply(
    Authenticated(caller): Authenticated,
    id: web::Path<String>,
    query: web::Query<UserQuery>,
    body: web::Json<serde_json::Value>,
    insights: web::Data<Insights>,
) -> Result<Whole, ApiError> {
    caller.may_act_for(query.user_id.as_deref())?;
    let params = ApplyParams::try_from(body.into_inner())?;
    success(&insights.apply(&caller, &id, params).await?)
}

//! GET recommendations: generate (idempotently) and list.

use std::sync::Arc;

use insights_model::{Recommendation, Timestamp};
use insights_recommender::engine::{EngineInput, INPUT_LIMITS, plan_recommendations};
use insights_recommender::view::{ListQuery, RecommendationList, select_recommendations};

use crate::cache::{CacheKey, CacheValue};
use crate::{Insights, RecommendationParams, Rendered, RenderedJson, ServiceError};

impl Insights {
    /// The user's recommendations: runs the engine (creating new recommendations in one
    /// idempotent statement), then lists the active ones — plus applied ones with
    /// `include_applied` — by priority, first `limit`, with `total` before the limit.
    ///
    /// Runs on every call; the cached form is [`Rendered::recommendations`].
    pub async fn recommendations(
        &self,
        user: &str,
        params: &RecommendationParams,
    ) -> Result<RecommendationList, ServiceError> {
        let now = Timestamp::now();
        let cooldown_start = self.engine.cooldown_start(now);
        let inputs = self
            .routing
            .read(user, |store| {
                store.recommendation_inputs(user, cooldown_start, &INPUT_LIMITS)
            })
            .await?;
        let recently_closed: Vec<Recommendation> = inputs
            .closed
            .iter()
            .filter(|r| {
                r.applied_at.is_some_and(|t| t >= cooldown_start)
                    || r.dismissed_at.is_some_and(|t| t >= cooldown_start)
            })
            .cloned()
            .collect();
        let plan = plan_recommendations(
            &EngineInput {
                user_id: user,
                patterns: &inputs.patterns,
                insights: &inputs.insights,
                interventions: &inputs.interventions,
                active: &inputs.active,
                recently_closed: &recently_closed,
                now,
            },
            &self.engine,
        );
        let created = self
            .routing
            .primary()
            .create_recommendations(user, &plan.to_create, now)
            .await?;
        if !created.is_empty() {
            self.routing.wrote(user);
        }
        let mut rows = if created.len() < plan.to_create.len() {
            // Another request created some of them concurrently (they were skipped):
            // read the active rows again so the answer includes them.
            self.routing
                .primary()
                .recommendation_inputs(user, cooldown_start, &INPUT_LIMITS)
                .await?
                .active
        } else {
            let mut rows = inputs.active;
            rows.extend(created);
            rows
        };
        rows.extend(inputs.closed);
        let list = select_recommendations(
            rows,
            &inputs.patterns,
            ListQuery {
                include_applied: params.include_applied(),
                limit: params.limit(),
            },
        );
        Ok(list)
    }
}

impl Rendered<'_> {
    /// [`Insights::recommendations`] rendered, cached per (user, include applied, limit).
    pub async fn recommendations(
        &self,
        user: &str,
        params: &RecommendationParams,
    ) -> Result<RenderedJson, ServiceError> {
        let key = CacheKey::Recommendations {
            user: Arc::from(user),
            include_applied: params.include_applied(),
            limit: params.limit(),
            envelope: self.envelope,
        };
        let value = self
            .insights
            .cache
            .get_or_load(key, user, || async {
                let list = self.insights.recommendations(user, params).await?;
                RenderedJson::render(self.envelope, &list).map(CacheValue::Json)
            })
            .await?;
        value.into_json()
    }
}

//! GET personalization effectiveness.

use std::sync::Arc;

use insights_model::Timestamp;
use insights_recommender::effectiveness::{EffectivenessPayload, personalization_effectiveness};
use insights_store::EffectivenessInputs;

use crate::cache::{CacheKey, CacheValue};
use crate::{EffectivenessParams, Insights, Rendered, RenderedJson, ServiceError};

impl Insights {
    /// Effectiveness of the user's active personalization over a window.
    ///
    /// With caching on, the user's configs and effectiveness rows are cached (they answer any
    /// window) and the answer is computed from them on each call: a default window, which ends
    /// "now", still reflects the current instant exactly.
    pub async fn effectiveness(
        &self,
        user: &str,
        params: &EffectivenessParams,
    ) -> Result<EffectivenessPayload, ServiceError> {
        let inputs = if self.cache.is_enabled() {
            self.all_effectiveness_inputs(user).await?
        } else {
            Arc::new(self.window_inputs(user, params).await?)
        };
        Ok(compute(&inputs, params))
    }

    /// All of the user's configs and rows, cached (local tier only).
    async fn all_effectiveness_inputs(
        &self,
        user: &str,
    ) -> Result<Arc<EffectivenessInputs>, ServiceError> {
        let value = self
            .cache
            .get_or_load(
                CacheKey::EffectivenessData {
                    user: Arc::from(user),
                },
                user,
                || async {
                    let all = self
                        .routing
                        .read(user, |store| {
                            store.effectiveness_inputs(user, Timestamp::MIN, Timestamp::MAX)
                        })
                        .await?;
                    Ok(CacheValue::EffectivenessData(Arc::new(all)))
                },
            )
            .await?;
        match value {
            CacheValue::EffectivenessData(all) => Ok(all),
            CacheValue::Json(_) | CacheValue::Evolution(_) => {
                Err(ServiceError::Internal("cache entry of the wrong kind"))
            }
        }
    }

    /// Just the rows of the window of `params`.
    async fn window_inputs(
        &self,
        user: &str,
        params: &EffectivenessParams,
    ) -> Result<EffectivenessInputs, ServiceError> {
        Ok(self
            .routing
            .read(user, |store| {
                store.effectiveness_inputs(user, params.start(), params.end())
            })
            .await?)
    }
}

impl Rendered<'_> {
    /// [`Insights::effectiveness`] rendered.
    ///
    /// An explicit window is cached as a rendered answer (it depends only on the parameters).
    /// A default window ends "now", so it is rendered on each call from the cached inputs.
    pub async fn effectiveness(
        &self,
        user: &str,
        params: &EffectivenessParams,
    ) -> Result<RenderedJson, ServiceError> {
        let insights = self.insights;
        let envelope = self.envelope;
        if params.is_explicit() || !insights.cache.is_enabled() {
            // Explicit windows are cached as rendered responses; with caching off, every
            // request reads just its window.
            let key = CacheKey::Effectiveness {
                user: Arc::from(user),
                start: params.start(),
                end: params.end(),
                metric: params.metric().as_str(),
                envelope,
            };
            let value = insights
                .cache
                .get_or_load(key, user, || async {
                    let inputs = insights.window_inputs(user, params).await?;
                    RenderedJson::render(envelope, &compute(&inputs, params)).map(CacheValue::Json)
                })
                .await?;
            return value.into_json();
        }
        let all = insights.all_effectiveness_inputs(user).await?;
        RenderedJson::render(envelope, &compute(&all, params))
    }
}

fn compute(inputs: &EffectivenessInputs, params: &EffectivenessParams) -> EffectivenessPayload {
    // The rows are sorted by start; the aggregation keeps only those wholly inside the window.
    personalization_effectiveness(
        &inputs.configs,
        &inputs.rows,
        params.metric(),
        params.start(),
        params.end(),
    )
}

//! GET personalization effectiveness.

use std::sync::Arc;

use insights_model::Timestamp;
use insights_recommender::effectiveness::personalization_effectiveness;

use crate::cache::{CacheKey, CacheValue};
use crate::{EffectivenessParams, Insights, Json, ServiceError};

impl Insights {
    /// Effectiveness of the user's active personalization over a window.
    ///
    /// An explicit window is cached as a rendered response. A default window ends "now", so
    /// instead the user's configs and rows are cached and the response is computed from them:
    /// a repeated request hits the cache and still reflects the current instant exactly.
    pub async fn effectiveness(
        &self,
        user: &str,
        params: &EffectivenessParams,
    ) -> Result<Json, ServiceError> {
        let params = *params;
        let user_key: Arc<str> = Arc::from(user);
        if params.is_explicit() || !self.cache.is_enabled() {
            // Explicit windows are cached as rendered responses; with caching off, every
            // request reads just its window.
            let key = CacheKey::Effectiveness {
                user: user_key,
                start: params.start(),
                end: params.end(),
                metric: params.metric().as_str(),
            };
            let value = self
                .cache
                .get_or_load(key, user, || async {
                    let inputs = self
                        .routing
                        .reader(user)
                        .effectiveness_inputs(user, params.start(), params.end())
                        .await?;
                    render(&inputs, params).map(CacheValue::Json)
                })
                .await?;
            return value.into_json();
        }
        let value = self
            .cache
            .get_or_load(
                CacheKey::EffectivenessData { user: user_key },
                user,
                || async {
                    let all = self
                        .routing
                        .reader(user)
                        .effectiveness_inputs(user, Timestamp::MIN, Timestamp::MAX)
                        .await?;
                    Ok(CacheValue::EffectivenessData(Arc::new(all)))
                },
            )
            .await?;
        match value {
            CacheValue::EffectivenessData(all) => render(&all, params),
            CacheValue::Json(_) | CacheValue::Evolution(_) => {
                Err(ServiceError::Internal("cache entry of the wrong kind"))
            }
        }
    }
}

fn render(
    inputs: &insights_store::EffectivenessInputs,
    params: EffectivenessParams,
) -> Result<Json, ServiceError> {
    // The rows are sorted by start; the aggregation keeps only those wholly inside the window.
    let payload = personalization_effectiveness(
        &inputs.configs,
        &inputs.rows,
        params.metric(),
        params.start(),
        params.end(),
    );
    Json::render(&payload)
}

//! The response cache policy: what is cached under which key, tagged by user so that any write
//! for a user invalidates all of that user's entries at once.

use std::sync::Arc;
use std::time::Duration;

use insights_model::{PatternType, Timestamp};
use insights_store::EffectivenessInputs;
use insights_ttl_cache::{CacheStats, TtlCache};

use crate::{Json, ServiceError};

/// What a cached entry answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CacheKey {
    /// A rendered evolution response (anchored at the time of the miss, like the original).
    Evolution {
        user: Arc<str>,
        weeks: u32,
        pattern_type: Option<PatternType>,
    },
    /// A rendered recommendation list.
    Recommendations {
        user: Arc<str>,
        include_applied: bool,
        limit: usize,
    },
    /// A rendered effectiveness response for an explicit window (depends only on parameters).
    Effectiveness {
        user: Arc<str>,
        start: Timestamp,
        end: Timestamp,
        metric: &'static str,
    },
    /// All of a user's configs and effectiveness rows: answers any window, including the
    /// default "now − 14 days … now" ones, which change every millisecond.
    EffectivenessData { user: Arc<str> },
}

/// A cached value.
#[derive(Debug, Clone)]
pub(crate) enum CacheValue {
    Json(Json),
    EffectivenessData(Arc<EffectivenessInputs>),
}

/// The cache, or nothing when caching is disabled.
pub(crate) struct ResponseCache {
    inner: Option<TtlCache<CacheKey, CacheValue>>,
}

impl ResponseCache {
    pub(crate) fn new(capacity: usize, ttl: Duration) -> Result<Self, ServiceError> {
        if capacity == 0 || ttl.is_zero() {
            return Ok(Self { inner: None });
        }
        TtlCache::new(capacity, ttl)
            .map(|c| Self { inner: Some(c) })
            .map_err(|e| ServiceError::Internal(format!("cache configuration: {e}")))
    }

    /// Returns the cached value or runs `load` once for all concurrent callers of this key.
    pub(crate) async fn get_or_load<F, Fut>(
        &self,
        key: CacheKey,
        user: &str,
        load: F,
    ) -> Result<CacheValue, ServiceError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CacheValue, ServiceError>>,
    {
        match &self.inner {
            None => load().await,
            Some(cache) => {
                let tag: Arc<str> = Arc::from(user);
                cache
                    .get_or_try_insert_with(key, std::slice::from_ref(&tag), load)
                    .await
                    .map_err(|e| ServiceError::clone(&e))
            }
        }
    }

    pub(crate) fn invalidate_user(&self, user: &str) {
        if let Some(cache) = &self.inner {
            cache.invalidate_tag(user);
        }
    }

    pub(crate) fn stats(&self) -> CacheStats {
        self.inner.as_ref().map(TtlCache::stats).unwrap_or_default()
    }
}

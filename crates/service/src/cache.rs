//! The response cache policy: what is cached under which key, in which tier, tagged by user so
//! that any write for a user invalidates all of that user's entries at once.
//!
//! Tier 1 is this process's `insights-ttl-cache` (single-flight per key). Tier 2, optional, is
//! the Redis `insights-shared-cache` shared by every instance; it also carries invalidations
//! between instances. A local miss asks Redis before computing, and fills Redis afterwards only
//! if no invalidation happened meanwhile (the shared tier's generation check).

use std::sync::Arc;
use std::time::Duration;

use insights_model::{PatternType, Timestamp};
use insights_shared_cache::{Invalidation, Lookup, SharedTier, TierHealth};
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
    /// default "now − 14 days … now" ones, which change every millisecond. Local tier only.
    EffectivenessData { user: Arc<str> },
}

impl CacheKey {
    /// The user whose data the entry answers (its invalidation tag).
    fn user(&self) -> &Arc<str> {
        match self {
            Self::Evolution { user, .. }
            | Self::Recommendations { user, .. }
            | Self::Effectiveness { user, .. }
            | Self::EffectivenessData { user } => user,
        }
    }

    /// The entry's name in the shared tier (scoped by user there), for rendered JSON only.
    fn shared_name(&self) -> Option<String> {
        match self {
            Self::Evolution {
                weeks,
                pattern_type,
                ..
            } => Some(format!(
                "evolution:{weeks}:{}",
                pattern_type.map_or("all", |t| t.as_str())
            )),
            Self::Recommendations {
                include_applied,
                limit,
                ..
            } => Some(format!("recommendations:{include_applied}:{limit}")),
            Self::Effectiveness {
                start, end, metric, ..
            } => Some(format!(
                "effectiveness:{}:{}:{metric}",
                start.unix_millis(),
                end.unix_millis()
            )),
            Self::EffectivenessData { .. } => None,
        }
    }
}

/// A cached value.
#[derive(Debug, Clone)]
pub(crate) enum CacheValue {
    Json(Json),
    EffectivenessData(Arc<EffectivenessInputs>),
}

impl CacheValue {
    /// The rendered JSON of an entry keyed by a rendered-response key.
    pub(crate) fn into_json(self) -> Result<Json, ServiceError> {
        match self {
            Self::Json(json) => Ok(json),
            Self::EffectivenessData(_) => Err(ServiceError::Internal(
                "cache entry of the wrong kind".into(),
            )),
        }
    }
}

/// The two tiers; either may be absent.
pub(crate) struct ResponseCache {
    local: Option<TtlCache<CacheKey, CacheValue>>,
    shared: Option<SharedTier>,
}

impl ResponseCache {
    pub(crate) fn new(
        capacity: usize,
        ttl: Duration,
        shared: Option<SharedTier>,
    ) -> Result<Self, ServiceError> {
        let local = if capacity == 0 || ttl.is_zero() {
            None
        } else {
            Some(
                TtlCache::new(capacity, ttl)
                    .map_err(|e| ServiceError::Internal(format!("cache configuration: {e}")))?,
            )
        };
        Ok(Self { local, shared })
    }

    /// Returns the cached value or runs `load` once for all concurrent callers of this key
    /// in this process, consulting the shared tier first.
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
        // The shared tier's key name is only formatted on a local miss, and only with Redis.
        let shared_key = self.shared.as_ref().map(|_| key.clone());
        let through_shared = || async {
            let name = shared_key.and_then(|k| k.shared_name());
            let (Some(tier), Some(name)) = (&self.shared, name) else {
                return load().await;
            };
            match tier.lookup(user, &name).await {
                Lookup::Hit(json) => Ok(CacheValue::Json(Json::from_payload(&json))),
                Lookup::Miss(ticket) => {
                    let value = load().await?;
                    if let CacheValue::Json(json) = &value {
                        tier.fill(ticket, json).await;
                    }
                    Ok(value)
                }
                Lookup::Unavailable => load().await,
            }
        };
        match &self.local {
            None => through_shared().await,
            Some(cache) => {
                // The key already holds the user id: the tag shares it (no second allocation).
                let tag = Arc::clone(key.user());
                cache
                    .get_or_try_insert_with(key, std::slice::from_ref(&tag), through_shared)
                    .await
                    .map_err(|e| ServiceError::clone(&e))
            }
        }
    }

    /// Drops `user`'s entries here and, through the shared tier, on every instance.
    pub(crate) async fn invalidate_user(&self, user: &str) {
        self.invalidate_local(user);
        if let Some(tier) = &self.shared {
            tier.invalidate_user(user).await;
        }
    }

    fn invalidate_local(&self, user: &str) {
        if let Some(cache) = &self.local {
            cache.invalidate_tag(user);
        }
    }

    /// Applies an invalidation received from another instance (or from Redis reconnecting,
    /// after which messages may have been missed: then everything local goes).
    pub(crate) fn apply_remote(&self, invalidation: Invalidation) {
        match invalidation {
            Invalidation::User(user) => self.invalidate_local(&user),
            Invalidation::All => {
                if let Some(cache) = &self.local {
                    cache.clear();
                }
            }
        }
    }

    /// Whether any tier can hold an entry (the local one can hold every kind).
    pub(crate) fn is_enabled(&self) -> bool {
        self.local.is_some()
    }

    pub(crate) fn shared(&self) -> Option<&SharedTier> {
        self.shared.as_ref()
    }

    pub(crate) fn stats(&self) -> CacheStats {
        self.local.as_ref().map(TtlCache::stats).unwrap_or_default()
    }

    pub(crate) fn shared_health(&self) -> Option<TierHealth> {
        self.shared.as_ref().map(SharedTier::health)
    }
}

/// Stops the invalidation listener when the last clone of the service goes away.
pub(crate) struct ListenerGuard(pub(crate) tokio::task::JoinHandle<()>);

impl Drop for ListenerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

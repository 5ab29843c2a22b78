//! The response cache policy: what is cached under which key, in which tier, tagged by user so
//! that any write for a user invalidates all of that user's entries at once.
//!
//! Tier 1 is this process's `insights-ttl-cache` (single-flight per key). Tier 2, optional, is
//! the Redis `insights-shared-cache` shared by every instance; it also carries invalidations
//! between instances. A local miss asks Redis before computing, and fills Redis afterwards only
//! if no invalidation happened meanwhile (the shared tier's generation check).

use std::sync::Arc;
use std::time::Duration;

use crate::shared::{Invalidation, Lookup, SharedTier};
use insights_model::{PatternType, Timestamp};
use insights_store::EffectivenessInputs;
use insights_ttl_cache::{CacheStats, TtlCache};

use crate::answer::Answer;
use crate::evolution::EvolutionPlan;
use crate::{Envelope, RenderedJson, ServiceError};

/// What a cached entry answers. Rendered answers are keyed by their envelope too: the cached
/// body includes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CacheKey {
    /// A rendered evolution response (anchored at the time of the miss, like the original).
    Evolution {
        user: Arc<str>,
        weeks: u32,
        pattern_type: Option<PatternType>,
        envelope: Envelope,
    },
    /// A rendered recommendation list.
    Recommendations {
        user: Arc<str>,
        include_applied: bool,
        limit: usize,
        envelope: Envelope,
    },
    /// A rendered effectiveness response for an explicit window (depends only on parameters).
    Effectiveness {
        user: Arc<str>,
        start: Timestamp,
        end: Timestamp,
        metric: &'static str,
        envelope: Envelope,
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

    /// The envelope of a rendered answer.
    fn envelope(&self) -> Envelope {
        match self {
            Self::Evolution { envelope, .. }
            | Self::Recommendations { envelope, .. }
            | Self::Effectiveness { envelope, .. } => *envelope,
            Self::EffectivenessData { .. } => Envelope::NONE,
        }
    }

    /// The entry's name in the shared tier (scoped by user there), for rendered JSON only. The
    /// shared tier holds payloads without their envelope, so every envelope shares the name.
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

/// A cached value (or, for [`CacheValue::Evolution`], one shared by the callers of one load).
#[derive(Clone)]
pub(crate) enum CacheValue {
    Json(RenderedJson),
    EffectivenessData(Arc<EffectivenessInputs>),
    /// An evolution answer too large to cache: never stored (it weighs more than any bound),
    /// only handed to the callers that waited for its load.
    Evolution(Arc<EvolutionPlan>),
}

impl CacheValue {
    /// The rendered JSON of an entry keyed by a rendered-response key.
    pub(crate) fn into_json(self) -> Result<RenderedJson, ServiceError> {
        match self {
            Self::Json(json) => Ok(json),
            Self::EffectivenessData(_) | Self::Evolution(_) => {
                Err(ServiceError::Internal("cache entry of the wrong kind"))
            }
        }
    }

    /// The answer of a rendered-response key: whole, or chunked in `envelope` for an
    /// evolution plan.
    pub(crate) fn into_answer(self, envelope: Envelope) -> Result<Answer, ServiceError> {
        match self {
            Self::Evolution(plan) => Ok(Answer::Chunked(plan.chunked(envelope))),
            other => other.into_json().map(Answer::Whole),
        }
    }

    /// About how many bytes the value holds (the cache's weight).
    fn weight(&self) -> u64 {
        match self {
            Self::Json(json) => json.weight(),
            Self::EffectivenessData(inputs) => {
                let configs: usize = inputs
                    .configs
                    .iter()
                    .map(|c| std::mem::size_of_val(c) + c.id.len() + c.strategy_variant.len())
                    .sum();
                let rows = std::mem::size_of_val(inputs.rows.as_slice());
                (configs + rows + 256) as u64
            }
            Self::Evolution(_) => u64::MAX,
        }
    }
}

/// The response cache's bounds: entries, bytes, and each user's share of both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CacheBounds {
    pub(crate) max_entries: usize,
    pub(crate) max_bytes: u64,
    pub(crate) max_entry_bytes: usize,
    pub(crate) max_entries_per_user: usize,
    pub(crate) max_bytes_per_user: u64,
}

/// The two tiers; either may be absent.
pub(crate) struct ResponseCache {
    local: Option<TtlCache<CacheKey, CacheValue>>,
    shared: Option<SharedTier>,
    max_entry_bytes: usize,
}

impl ResponseCache {
    pub(crate) fn new(
        bounds: CacheBounds,
        ttl: Duration,
        shared: Option<SharedTier>,
    ) -> Result<Self, ServiceError> {
        let local = if bounds.max_entries == 0 || ttl.is_zero() {
            None
        } else {
            let max_entry = bounds.max_entry_bytes as u64;
            Some(
                TtlCache::builder(bounds.max_entries, ttl)
                    // An entry heavier than the per-entry cap is served but not stored.
                    .weigher(bounds.max_bytes, move |_, value: &CacheValue| {
                        let weight = value.weight();
                        if weight > max_entry { u64::MAX } else { weight }
                    })
                    // Entries are tagged with their user first: each user's share.
                    .per_owner_bound(bounds.max_entries_per_user, bounds.max_bytes_per_user)
                    .build()
                    .map_err(ServiceError::CacheConfig)?,
            )
        };
        Ok(Self {
            local,
            shared,
            max_entry_bytes: bounds.max_entry_bytes,
        })
    }

    /// The largest answer kept whole (and so cacheable); larger ones are chunked.
    pub(crate) fn max_entry_bytes(&self) -> usize {
        self.max_entry_bytes
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
        let envelope = key.envelope();
        // The value and, for a copy taken from Redis, the longest it may be kept here: no
        // longer than Redis keeps it, so the staleness bound across instances stays one TTL.
        let through_shared = || async {
            let name = shared_key.and_then(|k| k.shared_name());
            let (Some(tier), Some(name)) = (&self.shared, name) else {
                return load().await.map(|value| (value, None));
            };
            match tier.lookup(user, &name).await {
                Lookup::Hit { value, expires_in } => {
                    let json = RenderedJson::from_payload(envelope, &value);
                    Ok((CacheValue::Json(json), expires_in))
                }
                Lookup::Miss(ticket) => {
                    let value = load().await?;
                    if let CacheValue::Json(json) = &value {
                        tier.fill(ticket, json.payload()).await;
                    }
                    Ok((value, None))
                }
                Lookup::Unavailable => load().await.map(|value| (value, None)),
            }
        };
        match &self.local {
            None => through_shared().await.map(|(value, _)| value),
            Some(cache) => {
                // The key already holds the user id: the tag shares it (no second allocation).
                let tag = Arc::clone(key.user());
                cache
                    .get_or_try_insert_with_limit(key, std::slice::from_ref(&tag), through_shared)
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

    #[cfg(feature = "redis")]
    pub(crate) fn shared_health(&self) -> Option<insights_shared_cache::TierHealth> {
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

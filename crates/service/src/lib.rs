//! The behavioral-insights operations, usable as a library without any HTTP: personalization
//! effectiveness, pattern evolution, recommendations (generate + list), apply, and ingestion.
//!
//! [`Insights`] takes validated parameters ([`EvolutionParams`], …, each checked by its
//! constructor with the original API's rules; the wire forms in [`wire`] convert with
//! `TryFrom`), reads through the [`insights_store::Store`], runs the pure rules of
//! `insights-recommender` and `insights-week-buckets`, and returns typed, serde-serialisable
//! results ([`PatternEvolution`], [`RecommendationList`], [`EffectivenessPayload`], [`Applied`],
//! [`Ingested`]). Failures are a typed [`ServiceError`].
//!
//! For a server, [`Insights::rendered`] gives the same read operations as rendered JSON inside
//! an [`Envelope`] of its choosing, cached per user with single-flight loading: a cached answer
//! is sent as shared bytes (the `bytes` crate, the body type of the Rust HTTP stacks) without a
//! copy per request, with its gzip encoding made once per value (`flate2`, the crate actix-web
//! itself compresses with, on its `zlib-rs` backend: pure Rust and, for these answers, faster
//! and smaller than the default one). Every write through the service invalidates the user's
//! cached answers at once (tag = user id).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use insights_service::{EvolutionParams, Insights, PatternType, ServiceConfig};
//! use insights_store::{DatabaseUrl, Store, StoreConfig};
//! let store = Store::connect(&StoreConfig::new(DatabaseUrl::parse("sqlite://data/insights.db")?)).await?;
//! let insights = Insights::new(store, ServiceConfig::default())?;
//! let params = EvolutionParams::new(4, Some(PatternType::ForgettingCurve))?;
//! let evolution = insights.pattern_evolution("demo-user", &params).await?;
//! for week in &evolution.evolution {
//!     println!("week {}: {} patterns", week.week_number, week.patterns.len());
//! }
//! # Ok(()) }
//! ```

mod answer;
mod apply;
mod cache;
mod caller;
mod demo;
mod effectiveness;
mod error;
mod evolution;
mod ingest;
mod json;
pub mod limits;
mod params;
mod recommendations;
mod rendered;
mod requests;
mod routing;
mod shared;
mod text;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use insights_recommender::engine::EngineConfig;
use insights_store::{PoolState, Store};
use insights_ttl_cache::CacheStats;

pub use answer::{Answer, ChunkedBody};
pub use apply::{Applied, AppliedSummary};
pub use caller::Caller;
pub use error::{Denial, ServiceError};
pub use evolution::{EvolutionMeta, EvolutionWeek, PatternEvolution, WeekPattern};
pub use ingest::Ingested;
pub use insights_store::{ConflictKind, Entity, Outage, OutageKind, StoreError};
pub use json::{Envelope, RenderedJson};
pub use params::{EffectivenessParams, EvolutionParams, RecommendationParams};
pub use rendered::Rendered;
pub use requests::{
    ApplyParams, IngestBatch, InsightInput, MAX_ITEMS_PER_REQUEST, PatternInput, SessionInput,
};
pub use wire::{EffectivenessQuery, EvolutionQuery, RecommendationsQuery};

pub use insights_model::{ApplicationType, InsightType, PatternType, Timestamp};
pub use insights_recommender::effectiveness::{EffectivenessMetric, EffectivenessPayload};
pub use insights_recommender::view::{RecommendationList, RecommendationView};
pub use insights_week_buckets::Status as WeekStatus;

use cache::{CacheBounds, ListenerGuard, ResponseCache};

/// The README's examples, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
#[cfg(feature = "redis")]
pub use insights_shared_cache::{SharedTier, SharedTierConfig, SharedTierError, TierHealth};
pub use insights_store::Reachability;
use routing::ReadRouting;

/// Tunables of the operations.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// How long a cached response stays fresh.
    pub cache_ttl: Duration,
    /// Most cached entries (0 disables caching).
    pub cache_capacity: usize,
    /// Most bytes the cached entries may hold together (their text, plus room for gzip).
    pub cache_max_bytes: u64,
    /// The largest answer kept whole and cached, in bytes; a larger evolution answer is sent
    /// in chunks as it is produced and not cached.
    pub cache_max_entry_bytes: usize,
    /// Most cached entries of one user: one user's requests can push out at most this many of
    /// other users' entries (and at most an eighth of the bytes, or one entry's cap if more).
    pub cache_max_entries_per_user: usize,
    /// How long an applied or dismissed recommendation is not suggested again.
    pub recommendation_cooldown: Duration,
    /// With a read replica: how long after a write a user's reads stay on the primary.
    pub read_your_writes_window: Duration,
}

impl Default for ServiceConfig {
    /// 5-minute TTL (the original's), 10,000 entries in 160 MiB, answers up to 8 MiB cached,
    /// 64 entries per user, 30-day cool-down, 10 s read-your-writes.
    fn default() -> Self {
        Self {
            cache_ttl: Duration::from_secs(300),
            cache_capacity: 10_000,
            cache_max_bytes: 160 * 1024 * 1024,
            cache_max_entry_bytes: 8 * 1024 * 1024,
            cache_max_entries_per_user: 64,
            recommendation_cooldown: Duration::from_secs(30 * 24 * 3600),
            read_your_writes_window: Duration::from_secs(10),
        }
    }
}

impl ServiceConfig {
    /// The cache's bounds, checked: a zero byte budget or per-user share with caching on is a
    /// configuration error rather than a cache that stores nothing.
    fn cache_bounds(&self) -> Result<CacheBounds, ServiceError> {
        let enabled = self.cache_capacity > 0 && !self.cache_ttl.is_zero();
        if enabled
            && (self.cache_max_bytes == 0
                || self.cache_max_entry_bytes == 0
                || self.cache_max_entries_per_user == 0)
        {
            return Err(ServiceError::Config(
                "cache bounds: max bytes, max entry bytes and entries per user must be above 0",
            ));
        }
        let entry = self.cache_max_entry_bytes as u64;
        Ok(CacheBounds {
            max_entries: self.cache_capacity,
            max_bytes: self.cache_max_bytes,
            max_entry_bytes: self.cache_max_entry_bytes,
            max_entries_per_user: self.cache_max_entries_per_user,
            max_bytes_per_user: (self.cache_max_bytes / 8)
                .max(entry)
                .min(self.cache_max_bytes),
        })
    }
}

/// Counters for `/metrics`.
#[derive(Debug, Clone)]
pub struct MetricsSnapshot {
    /// Response-cache statistics (zeros when caching is off).
    pub cache: CacheStats,
    /// SQL statements issued so far.
    pub statements: u64,
    /// Time spent waiting for pooled connections so far, summed over checkouts.
    pub pool_wait: Duration,
    /// Time pooled connections were held so far, summed over checkouts.
    pub connection_time: Duration,
    /// Pool occupancy.
    pub pool: PoolState,
    /// `"postgres"` or `"sqlite"`.
    pub backend: &'static str,
    /// The Redis tier's health, when one is configured.
    #[cfg(feature = "redis")]
    pub shared_tier: Option<TierHealth>,
}

/// Whether each database can be reached, as last observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// The primary: the instance is ready when it is up.
    pub primary: Reachability,
    /// The read replica, when configured. Its being down does not make the instance unready:
    /// reads then go to the primary.
    pub replica: Option<Reachability>,
}

/// Where the service reads and writes: the primary database, and optionally a read replica
/// and a Redis tier shared by all instances.
#[derive(Clone)]
pub struct Backends {
    /// Writes, and reads of users who just wrote.
    pub primary: Store,
    /// Other reads, when configured.
    pub read_replica: Option<Store>,
    /// Second cache tier and cross-instance invalidation bus, when configured (feature
    /// `redis`).
    #[cfg(feature = "redis")]
    pub shared_tier: Option<SharedTier>,
}

/// The operations. Cheap to clone; clones share the store and the cache.
#[derive(Clone)]
pub struct Insights {
    routing: Arc<ReadRouting>,
    cache: Arc<ResponseCache>,
    engine: EngineConfig,
    _listener: Option<Arc<ListenerGuard>>,
}

impl Insights {
    /// Wires the operations to a single store, with a local cache only.
    pub fn new(store: Store, config: ServiceConfig) -> Result<Self, ServiceError> {
        Self::with_backends(
            Backends {
                primary: store,
                read_replica: None,
                #[cfg(feature = "redis")]
                shared_tier: None,
            },
            config,
        )
    }

    /// Wires the operations to all configured backends. With a shared tier, starts listening
    /// for other instances' invalidations (must run inside a Tokio runtime); the listener
    /// stops when the last clone of the service is dropped.
    pub fn with_backends(backends: Backends, config: ServiceConfig) -> Result<Self, ServiceError> {
        let cooldown = time::Duration::try_from(config.recommendation_cooldown)
            .map_err(|_| ServiceError::Config("recommendation cool-down out of range"))?;
        let shared_tier = shared::configured(&backends);
        let routing = Arc::new(ReadRouting::new(
            backends.primary,
            backends.read_replica,
            config.read_your_writes_window,
            shared_tier.clone(),
        ));
        let cache = Arc::new(ResponseCache::new(
            config.cache_bounds()?,
            config.cache_ttl,
            shared_tier,
        )?);
        let listener = cache.shared().map(|tier| {
            let cache = cache.clone();
            Arc::new(ListenerGuard(
                tier.subscribe(move |inv| cache.apply_remote(inv)),
            ))
        });
        Ok(Self {
            routing,
            cache,
            engine: EngineConfig { cooldown },
            _listener: listener,
        })
    }

    /// The primary store: writes go there. Not public: a write that bypassed the service
    /// would leave cached answers stale.
    pub(crate) fn primary(&self) -> &Store {
        self.routing.primary()
    }

    /// The primary database's backend: `"postgres"` or `"sqlite"`.
    pub fn backend(&self) -> &'static str {
        self.primary().backend()
    }

    /// Whether a read replica is configured.
    pub fn has_read_replica(&self) -> bool {
        self.routing.has_replica()
    }

    /// Whether the databases can be reached, for readiness probes: answered from the stores'
    /// shared health state without taking a pool connection, in microseconds; each store's
    /// single probe refreshes it at most about every second (see [`Store::readiness`]).
    pub fn readiness(&self) -> Readiness {
        Readiness {
            primary: self.primary().readiness(),
            replica: self.routing.replica().map(Store::readiness),
        }
    }

    /// Call after any write for `user` (this service's own writes do): drops the user's cached
    /// responses and keeps the user's reads on the primary for the read-your-writes window.
    pub async fn invalidate_user(&self, user: &str) {
        self.routing.wrote(user);
        self.cache.invalidate_user(user).await;
    }

    /// Counters for `/metrics`.
    pub fn metrics_snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            cache: self.cache.stats(),
            statements: self.primary().statements().get(),
            pool_wait: self.primary().statements().waited(),
            connection_time: self.primary().statements().held(),
            pool: self.primary().pool_state(),
            backend: self.primary().backend(),
            #[cfg(feature = "redis")]
            shared_tier: self.cache.shared_health(),
        }
    }
}

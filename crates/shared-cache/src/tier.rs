//! [`SharedTier`]: reads, writes and invalidations against Redis that never fail the caller.

use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use redis::RedisResult;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::runtime::Handle;

use crate::config::SharedTierConfig;
use crate::error::SharedTierError;
use crate::health::{HealthState, TierHealth, bump};
use crate::keys::KeyLayout;
use crate::pending::PendingInvalidations;
use crate::recent::RecentWrites;
use crate::scripts::Scripts;
use crate::{probe, subscriber};

/// The shared second cache tier and invalidation bus. Cheap to clone (one `Arc`).
///
/// Every operation is bounded by `op_timeout` and degrades to a miss or a no-op on any
/// problem; see the crate documentation for the consistency guarantees.
#[derive(Debug, Clone)]
pub struct SharedTier {
    inner: Arc<TierInner>,
}

/// What [`SharedTier::lookup`] found.
#[derive(Debug)]
pub enum Lookup {
    /// The value stored for the user's current generation.
    Hit {
        /// The stored text.
        value: String,
        /// How much longer Redis keeps it (`None` if Redis did not say): a copy kept
        /// elsewhere should expire no later, or it would outlive the shared entry.
        expires_in: Option<Duration>,
    },
    /// No value. The ticket remembers the user's generation at this instant; pass it to
    /// [`SharedTier::fill`] with the freshly loaded value.
    Miss(FillTicket),
    /// Redis could not be asked (unhealthy, error or timeout): load without the shared tier
    /// and do not fill it.
    Unavailable,
}

/// The user's generation observed by a missed [`SharedTier::lookup`].
///
/// [`SharedTier::fill`] stores the value only if the generation is still the same, so a value
/// loaded before a concurrent invalidation never lands in the shared tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillTicket {
    user: String,
    key: String,
    generation: String,
    issued_at: Instant,
}

impl FillTicket {
    /// The user the ticket was issued for.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The key the ticket was issued for.
    pub fn key(&self) -> &str {
        &self.key
    }
}

#[derive(Debug)]
pub(crate) struct TierInner {
    pub(crate) client: redis::Client,
    /// Replaced by the probe when Redis stops answering on it (see [`TierInner::ping`]).
    connection: RwLock<ConnectionManager>,
    pub(crate) config: SharedTierConfig,
    keys: KeyLayout,
    scripts: Scripts,
    pub(crate) health: Arc<HealthState>,
    pub(crate) runtime: Handle,
    /// Invalidations not delivered yet; the probe delivers them.
    pub(crate) pending: PendingInvalidations,
    /// The users' last writes seen through Redis, for read routing.
    pub(crate) recent: Arc<RecentWrites>,
}

impl Drop for TierInner {
    fn drop(&mut self) {
        // Lets the background probe see that the tier is gone and end.
        self.health.probe_wakeup.notify_one();
    }
}

impl SharedTier {
    /// Creates a tier for `redis_url` (for example `redis://127.0.0.1:6379`).
    ///
    /// Does not connect: the first call (or the background probe started here) does, so a
    /// Redis that is down at start-up leaves the tier unhealthy, never the caller failing.
    /// Must be called from within a Tokio runtime, whose handle runs the background tasks.
    ///
    /// # Errors
    /// [`SharedTierError`] for an unparsable URL, an invalid configuration or no runtime.
    pub fn new(redis_url: &str, config: SharedTierConfig) -> Result<Self, SharedTierError> {
        config.validate()?;
        let runtime = Handle::try_current().map_err(|_| SharedTierError::NoRuntime)?;
        let client = redis::Client::open(redis_url).map_err(SharedTierError::InvalidUrl)?;
        let connection = new_connection_manager(&client, &config)?;
        let inner = Arc::new(TierInner {
            client,
            connection: RwLock::new(connection),
            keys: KeyLayout::new(&config.key_prefix, config.format_version),
            scripts: Scripts::new(),
            health: Arc::new(HealthState::default()),
            pending: PendingInvalidations::default(),
            recent: Arc::new(RecentWrites::new(config.ttl)),
            config,
            runtime,
        });
        probe::start(&inner);
        Ok(Self { inner })
    }

    /// The value stored for `user` / `key` under the user's current generation, if any.
    pub async fn get(&self, user: &str, key: &str) -> Option<String> {
        match self.lookup(user, key).await {
            Lookup::Hit { value, .. } => Some(value),
            Lookup::Miss(_) | Lookup::Unavailable => None,
        }
    }

    /// Like [`get`](Self::get), but a miss returns a [`FillTicket`] for a race-free
    /// [`fill`](Self::fill). One round trip (generation and value are read by one script).
    ///
    /// [`Lookup::Unavailable`] without a round trip while an invalidation of `user` by this
    /// instance is still undelivered: the shared tier may hold that user's older answers.
    pub async fn lookup(&self, user: &str, key: &str) -> Lookup {
        let inner = &self.inner;
        if inner.pending.contains(user) {
            bump(&inner.health.skipped_unhealthy);
            return Lookup::Unavailable;
        }
        let parts = inner.keys.data_key_parts(user, key);
        let mut invocation = inner.scripts.lookup.prepare_invoke();
        invocation
            .key(inner.keys.generation_key(user))
            .arg(parts.before)
            .arg(parts.after);
        let mut connection = inner.connection();
        let reply: Option<(String, Option<String>, String, i64)> = inner
            .call(
                invocation.invoke_async(&mut connection),
                inner.config.op_timeout,
            )
            .await;
        match reply {
            Some((_, Some(value), _, left_ms)) => {
                bump(&inner.health.hits);
                Lookup::Hit {
                    value,
                    // PTTL is -1 for a key without expiry (never written so here).
                    expires_in: u64::try_from(left_ms).ok().map(Duration::from_millis),
                }
            }
            Some((generation, None, now_ms, _)) => {
                bump(&inner.health.misses);
                if let (Ok(generation_ms), Ok(now_ms)) =
                    (generation.parse::<u64>(), now_ms.parse::<u64>())
                    && generation_ms > 0
                {
                    let age = Duration::from_millis(now_ms.saturating_sub(generation_ms));
                    inner.recent.record(user, age);
                }
                Lookup::Miss(FillTicket {
                    user: user.to_owned(),
                    key: key.to_owned(),
                    generation,
                    issued_at: Instant::now(),
                })
            }
            None => Lookup::Unavailable,
        }
    }

    /// Stores `value` for `user` / `key` under the user's generation current at the time of
    /// the write, expiring after `ttl`.
    ///
    /// Use it for values known to be computed after the last invalidation of `user`. For
    /// read-through caching prefer [`lookup`](Self::lookup) + [`fill`](Self::fill): a value
    /// loaded while another instance invalidates the user would be stored here as current.
    pub async fn set(&self, user: &str, key: &str, value: &str) {
        self.store(user, key, value, "").await;
    }

    /// Stores `value` if the user's generation is still the one seen by the lookup that
    /// issued `ticket` (no invalidation since) and the ticket is younger than `ttl`.
    pub async fn fill(&self, ticket: FillTicket, value: &str) {
        // An old ticket could outlive its generation key and see generation "0" again; the
        // generation key outlives two TTLs, so refusing tickets older than one TTL is safe.
        if ticket.issued_at.elapsed() >= self.inner.config.ttl {
            bump(&self.inner.health.stale_fills_discarded);
            return;
        }
        self.store(&ticket.user, &ticket.key, value, &ticket.generation)
            .await;
    }

    /// Makes every instance miss `user`'s shared entries from now on (new generation) and
    /// publishes `user` on `{prefix}:invalidate` for the instances' local tiers. One round
    /// trip. A no-op if Redis is unavailable (counted in `errors` / `timeouts` /
    /// `skipped_unhealthy`).
    pub async fn invalidate_user(&self, user: &str) {
        let inner = &self.inner;
        let mut invocation = inner.scripts.invalidate.prepare_invoke();
        invocation
            .key(inner.keys.generation_key(user))
            .arg(duration_millis(inner.config.generation_ttl()))
            .arg(inner.keys.invalidation_channel())
            .arg(user);
        let mut connection = inner.connection();
        let new_generation: Option<String> = inner
            .call(
                invocation.invoke_async(&mut connection),
                inner.config.op_timeout,
            )
            .await;
        if new_generation.is_some() {
            bump(&inner.health.invalidations_sent);
        } else {
            inner.pending.add(user);
            bump(&inner.health.invalidations_delayed);
            // A stored permit if the probe is busy: it checks the pending set before sleeping.
            inner.health.probe_wakeup.notify_one();
        }
    }

    /// How long ago `user` last wrote, as seen through the shared tier (an invalidation
    /// received from any instance, or the generation read by a lookup), if within the TTL.
    /// A service with a lagging read replica keeps such a user's reads on the primary.
    pub fn last_write(&self, user: &str) -> Option<Duration> {
        self.inner.recent.age(user)
    }

    /// Starts a background task that calls `on_invalidate` for every invalidation published
    /// by any instance (this one included), and with [`Invalidation::All`] after every
    /// (re)connection. See [`Invalidation`] and the crate documentation.
    ///
    /// The task reconnects by itself and runs until its handle is aborted.
    ///
    /// [`Invalidation`]: crate::Invalidation
    /// [`Invalidation::All`]: crate::Invalidation::All
    pub fn subscribe(
        &self,
        on_invalidate: impl Fn(crate::Invalidation) + Send + Sync + 'static,
    ) -> tokio::task::JoinHandle<()> {
        subscriber::start(&self.inner, on_invalidate)
    }

    /// State and counters, for metrics and readiness.
    pub fn health(&self) -> TierHealth {
        TierHealth {
            invalidations_pending: self.inner.pending.len() as u64,
            ..self.inner.health.snapshot()
        }
    }

    async fn store(&self, user: &str, key: &str, value: &str, expected_generation: &str) {
        let inner = &self.inner;
        if inner.pending.contains(user) {
            bump(&inner.health.skipped_unhealthy);
            return;
        }
        if value.len() > inner.config.max_value_bytes {
            bump(&inner.health.oversized_skipped);
            return;
        }
        let parts = inner.keys.data_key_parts(user, key);
        let mut invocation = inner.scripts.store.prepare_invoke();
        invocation
            .key(inner.keys.generation_key(user))
            .arg(parts.before)
            .arg(parts.after)
            .arg(value)
            .arg(duration_millis(inner.config.ttl))
            .arg(expected_generation);
        let mut connection = inner.connection();
        let stored: Option<i64> = inner
            .call(
                invocation.invoke_async(&mut connection),
                inner.config.op_timeout,
            )
            .await;
        match stored {
            Some(1) => bump(&inner.health.stores),
            Some(_) => bump(&inner.health.stale_fills_discarded),
            None => {}
        }
    }
}

impl TierInner {
    /// Runs one Redis call unless the tier is unhealthy, bounded by `limit`; records the
    /// outcome in the health state. `None` for anything but an answer.
    async fn call<T>(
        &self,
        request: impl Future<Output = RedisResult<T>>,
        limit: Duration,
    ) -> Option<T> {
        if !self.health.admits_calls() {
            bump(&self.health.skipped_unhealthy);
            return None;
        }
        match tokio::time::timeout(limit, request).await {
            Ok(Ok(answer)) => {
                self.health.mark_success();
                Some(answer)
            }
            Ok(Err(error)) => {
                bump(&self.health.errors);
                tracing::debug!(%error, "shared cache tier call failed");
                self.health.mark_failure();
                None
            }
            Err(_elapsed) => {
                bump(&self.health.timeouts);
                tracing::debug!(?limit, "shared cache tier call timed out");
                self.health.mark_failure();
                None
            }
        }
    }

    /// Delivers the invalidations that could not be sent when they were made, each bounded
    /// by `connect_timeout` (this runs in the background, and a slow path that made the
    /// caller's call time out may still carry it). `true` when none is left.
    pub(crate) async fn deliver_pending(&self) -> bool {
        for user in self.pending.snapshot() {
            let mut invocation = self.scripts.invalidate.prepare_invoke();
            invocation
                .key(self.keys.generation_key(&user))
                .arg(duration_millis(self.config.generation_ttl()))
                .arg(self.keys.invalidation_channel())
                .arg(&user);
            let mut connection = self.connection();
            let sent: Option<String> = self
                .call(
                    invocation.invoke_async(&mut connection),
                    self.config.connect_timeout,
                )
                .await;
            if sent.is_none() {
                return false;
            }
            self.pending.delivered(&user);
            bump(&self.health.invalidations_sent);
        }
        true
    }

    /// A clone of the current connection manager (one `Arc`), for one call.
    fn connection(&self) -> ConnectionManager {
        self.connection
            .read()
            // The lock only guards a pointer swap; a panic elsewhere cannot leave it half-done.
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A PING through the data connection, bounded by `connect_timeout` (it may have to
    /// reconnect first). `true` if Redis answered.
    ///
    /// The connection manager replaces its connection after I/O errors, but not after
    /// timeouts: a connection whose peer vanished without a FIN (host gone, network path
    /// dropped) or that stopped answering would be kept until the kernel gives up on it, many
    /// minutes later. So an unanswered PING replaces the whole manager; the new one connects
    /// afresh on its first use.
    pub(crate) async fn ping(&self) -> bool {
        let mut connection = self.connection();
        let ping = redis::cmd("PING");
        let answer = tokio::time::timeout(
            self.config.connect_timeout,
            ping.query_async::<String>(&mut connection),
        )
        .await;
        match answer {
            Ok(Ok(_pong)) => {
                self.health.mark_success();
                true
            }
            Ok(Err(error)) => {
                bump(&self.health.errors);
                tracing::debug!(%error, "shared cache tier probe failed");
                self.health.mark_failure();
                false
            }
            Err(_elapsed) => {
                bump(&self.health.timeouts);
                self.health.mark_failure();
                self.replace_connection();
                false
            }
        }
    }

    fn replace_connection(&self) {
        match new_connection_manager(&self.client, &self.config) {
            Ok(fresh) => {
                tracing::debug!("shared cache tier: replacing an unresponsive connection");
                *self
                    .connection
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = fresh;
            }
            // Cannot happen with the settings used (it worked at construction); keep the old one.
            Err(error) => tracing::warn!(%error, "shared cache tier: cannot replace connection"),
        }
    }
}

/// A lazy connection manager: no I/O until its first use. One connection attempt per
/// request: the probe owns the backoff, and callers are bounded by `op_timeout` anyway.
fn new_connection_manager(
    client: &redis::Client,
    config: &SharedTierConfig,
) -> Result<ConnectionManager, SharedTierError> {
    let manager_config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(config.connect_timeout))
        .set_number_of_retries(0);
    ConnectionManager::new_lazy_with_config(client.clone(), manager_config)
        .map_err(SharedTierError::ClientSetup)
}

/// Whole milliseconds for `PX`, at least 1 (a 0 would be rejected by Redis).
fn duration_millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

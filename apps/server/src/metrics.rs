//! Prometheus metrics: per-route request counts and latency, SQL statements per request, and
//! the service's cache and pool figures (read from [`Insights::metrics_snapshot`] at scrape
//! time, so the hot path only touches the per-request families).

use std::sync::Mutex;
use std::time::Duration;

use insights_service::Insights;
use prometheus::core::Collector;
use prometheus::{
    Counter, Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

/// Label used for requests that matched no route, so unknown paths cannot blow up cardinality.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Label used for a request method outside the standard set.
pub const OTHER_METHOD: &str = "other";

/// The `method` label of a request: one of the standard methods, else [`OTHER_METHOD`]. HTTP
/// allows any token as a method, and the label must come from a fixed set: every distinct label
/// value is a new series kept for the life of the process (an anonymous client sending made-up
/// methods would otherwise grow `/metrics` and the registry without bound).
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::PATCH => "PATCH",
        Method::TRACE => "TRACE",
        _ => OTHER_METHOD,
    }
}

/// Every metric family of the server, registered in one registry.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    statements: HistogramVec,
    snapshot: SnapshotMetrics,
    // Scrapes turn absolute snapshot totals into counter increments; serialise them so two
    // concurrent scrapes cannot add the same increment twice.
    refresh: Mutex<()>,
}

struct SnapshotMetrics {
    cache_hits: IntCounter,
    cache_misses: IntCounter,
    cache_loads: IntCounter,
    cache_load_errors: IntCounter,
    cache_coalesced_waits: IntCounter,
    cache_evictions: IntCounter,
    cache_invalidations: IntCounter,
    cache_entries: IntGauge,
    db_statements: IntCounter,
    pool_wait: Counter,
    connection_time: Counter,
    pool_connections: IntGauge,
    pool_idle: IntGauge,
    #[cfg(feature = "redis")]
    shared: shared_tier::SharedTierMetrics,
}

/// `metric`, registered in `registry` (a clone shares the metric's value).
fn registered<M: Collector + Clone + 'static>(
    registry: &Registry,
    metric: prometheus::Result<M>,
) -> prometheus::Result<M> {
    let metric = metric?;
    registry.register(Box::new(metric.clone()))?;
    Ok(metric)
}

fn counter(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntCounter> {
    registered(registry, IntCounter::new(name, help))
}

fn seconds(registry: &Registry, name: &str, help: &str) -> prometheus::Result<Counter> {
    registered(registry, Counter::new(name, help))
}

fn gauge(registry: &Registry, name: &str, help: &str) -> prometheus::Result<IntGauge> {
    registered(registry, IntGauge::new(name, help))
}

/// Raises a counter to an absolute total read from elsewhere (totals only grow).
fn catch_up(counter: &IntCounter, total: u64) {
    counter.inc_by(total.saturating_sub(counter.get()));
}

/// [`catch_up`] for a total of seconds.
fn catch_up_seconds(counter: &Counter, total: Duration) {
    let behind = total.as_secs_f64() - counter.get();
    if behind > 0.0 {
        counter.inc_by(behind);
    }
}

impl Metrics {
    /// Creates and registers every family. Fails only on a programming error (a duplicate or
    /// malformed metric name), which the unit test below catches.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = registered(
            &registry,
            IntCounterVec::new(
                Opts::new(
                    "insights_http_requests_total",
                    "HTTP requests by route, method and status.",
                ),
                &["route", "method", "status"],
            ),
        )?;
        let latency = registered(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "insights_http_request_duration_seconds",
                    "HTTP request latency by route and method.",
                )
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    10.0,
                ]),
                &["route", "method"],
            ),
        )?;
        let statements = registered(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "insights_http_request_statements",
                    "SQL statements issued per request, by route (constant in the data size).",
                )
                .buckets(vec![
                    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 50.0,
                ]),
                &["route"],
            ),
        )?;
        let r = &registry;
        let snapshot = SnapshotMetrics {
            cache_hits: counter(r, "insights_cache_hits_total", "Response-cache hits.")?,
            cache_misses: counter(r, "insights_cache_misses_total", "Response-cache misses.")?,
            cache_loads: counter(r, "insights_cache_loads_total", "Loads actually run.")?,
            cache_load_errors: counter(r, "insights_cache_load_errors_total", "Failed loads.")?,
            cache_coalesced_waits: counter(
                r,
                "insights_cache_coalesced_waits_total",
                "Requests that waited for another request's load (single-flight).",
            )?,
            cache_evictions: counter(r, "insights_cache_evictions_total", "Capacity evictions.")?,
            cache_invalidations: counter(
                r,
                "insights_cache_invalidations_total",
                "Invalidation requests (writes).",
            )?,
            cache_entries: gauge(
                r,
                "insights_cache_entries",
                "Entries in the response cache.",
            )?,
            db_statements: counter(r, "insights_db_statements_total", "SQL statements issued.")?,
            pool_wait: seconds(
                r,
                "insights_db_pool_wait_seconds_total",
                "Time spent waiting for a pooled connection to the primary database, summed over checkouts.",
            )?,
            connection_time: seconds(
                r,
                "insights_db_connection_seconds_total",
                "Time pooled connections to the primary database were held, summed over checkouts.",
            )?,
            pool_connections: gauge(r, "insights_db_pool_connections", "Open connections.")?,
            pool_idle: gauge(r, "insights_db_pool_idle_connections", "Idle connections.")?,
            #[cfg(feature = "redis")]
            shared: shared_tier::SharedTierMetrics::new(r)?,
        };
        Ok(Self {
            registry,
            requests,
            latency,
            statements,
            snapshot,
            refresh: Mutex::new(()),
        })
    }

    /// Records one finished request.
    pub fn observe(
        &self,
        route: &str,
        method: &str,
        status: u16,
        elapsed: Duration,
        statements: u64,
    ) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.latency
            .with_label_values(&[route, method])
            .observe(elapsed.as_secs_f64());
        // Statement counts are small integers; f64 holds them exactly.
        #[allow(clippy::cast_precision_loss)]
        self.statements
            .with_label_values(&[route])
            .observe(statements as f64);
    }

    /// The Prometheus text exposition, with the service's figures read now.
    pub fn render(&self, insights: &Insights) -> Result<String, prometheus::Error> {
        {
            let _guard = self
                .refresh
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let snap = insights.metrics_snapshot();
            let s = &self.snapshot;
            catch_up(&s.cache_hits, snap.cache.hits);
            catch_up(&s.cache_misses, snap.cache.misses);
            catch_up(&s.cache_loads, snap.cache.loads);
            catch_up(&s.cache_load_errors, snap.cache.load_errors);
            catch_up(&s.cache_coalesced_waits, snap.cache.coalesced_waits);
            catch_up(&s.cache_evictions, snap.cache.evictions);
            catch_up(&s.cache_invalidations, snap.cache.invalidations);
            catch_up(&s.db_statements, snap.statements);
            catch_up_seconds(&s.pool_wait, snap.pool_wait);
            catch_up_seconds(&s.connection_time, snap.connection_time);
            s.cache_entries
                .set(i64::try_from(snap.cache.entries).unwrap_or(i64::MAX));
            s.pool_connections.set(i64::from(snap.pool.connections));
            s.pool_idle.set(i64::from(snap.pool.idle));
            #[cfg(feature = "redis")]
            s.shared.update(snap.shared_tier.as_ref());
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// The shared Redis tier's figures: a server built without the `redis` feature has none.
#[cfg(feature = "redis")]
mod shared_tier {
    use insights_service::TierHealth;
    use prometheus::{IntCounter, IntGauge, Registry};

    use super::{catch_up, counter, gauge};

    pub(super) struct SharedTierMetrics {
        healthy: IntGauge,
        hits: IntCounter,
        misses: IntCounter,
        errors: IntCounter,
        invalidations_received: IntCounter,
    }

    impl SharedTierMetrics {
        pub(super) fn new(r: &Registry) -> prometheus::Result<Self> {
            Ok(Self {
                healthy: gauge(
                    r,
                    "insights_shared_cache_healthy",
                    "1 when the Redis tier answers, 0 when it is down, -1 when not configured.",
                )?,
                hits: counter(r, "insights_shared_cache_hits_total", "Redis-tier hits.")?,
                misses: counter(
                    r,
                    "insights_shared_cache_misses_total",
                    "Redis-tier misses.",
                )?,
                errors: counter(
                    r,
                    "insights_shared_cache_errors_total",
                    "Redis calls that failed or timed out.",
                )?,
                invalidations_received: counter(
                    r,
                    "insights_shared_cache_invalidations_received_total",
                    "Invalidations received from other instances.",
                )?,
            })
        }

        pub(super) fn update(&self, tier: Option<&TierHealth>) {
            match tier {
                None => self.healthy.set(-1),
                Some(tier) => {
                    self.healthy.set(i64::from(tier.healthy));
                    catch_up(&self.hits, tier.hits);
                    catch_up(&self.misses, tier.misses);
                    catch_up(&self.errors, tier.errors + tier.timeouts);
                    catch_up(&self.invalidations_received, tier.invalidations_received);
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn method_labels_come_from_a_fixed_set() {
        use actix_web::http::Method;
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for made_up in ["M1", "get", "PROPFIND"] {
            let method = Method::from_bytes(made_up.as_bytes()).unwrap();
            assert_eq!(method_label(&method), OTHER_METHOD, "{made_up}");
        }
    }

    #[test]
    fn families_register_and_observe() {
        let m = Metrics::new().unwrap();
        m.observe("/x", "GET", 200, Duration::from_millis(3), 2);
        let families = m.registry.gather();
        assert!(
            families
                .iter()
                .any(|f| f.name() == "insights_http_request_statements")
        );
    }
}

//! A bounded, concurrent TTL cache for API responses, built on [`dashmap`].
//!
//! * **TTL**: a default TTL per cache, or one per entry. Expired entries are never served.
//! * **Bound**: at most `max_entries` entries (and optionally a total weight), enforced with a
//!   CLOCK (second-chance FIFO) ring; see [`TtlCache`] and the README.
//! * **Reclamation without reads**: every write moves the CLOCK hand over a few entries and
//!   frees the expired or invalidated ones; [`TtlCache::purge_expired`] does a full pass on demand.
//! * **Tag invalidation in O(1)**: [`TtlCache::invalidate_tag`] bumps the tag's generation;
//!   entries stamped with an older generation are dead from that instant.
//! * **Single-flight loading**: [`TtlCache::get_or_try_insert_with`] runs one loader per key
//!   for any number of concurrent misses, and is cancel-safe for leader and waiters alike.
//! * **Statistics**: [`TtlCache::stats`] returns a [`CacheStats`] snapshot.
//! * **Injectable clock**: [`ManualClock`] lets tests move time without sleeping.
//!
//! # Invalidation while a load is in flight
//!
//! A load takes a snapshot when it starts (its key's flight is registered): the generations of
//! its tags and the cache's `clear` epoch. If, before its result is stored, the key is removed,
//! one of those tags is invalidated or the cache is cleared, the result is **returned** to the
//! leader and to the callers that were already waiting for it, but **not stored** (counted in
//! [`CacheStats::discarded_loads`]). Callers arriving after the invalidation do not join that
//! load: they start a new one. If the invalidation comes after the store, it removes (or makes
//! stale) the stored entry as usual.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use insights_ttl_cache::{ManualClock, TtlCache};
//!
//! # tokio::runtime::Builder::new_current_thread().build().expect("runtime").block_on(async {
//! let clock = ManualClock::new();
//! let cache: TtlCache<String, Arc<str>> = TtlCache::builder(10_000, Duration::from_secs(30))
//!     .clock(clock.clone())
//!     .build()
//!     .expect("valid configuration");
//!
//! let user: Arc<str> = Arc::from("user-42");
//! let load = || async { Ok::<_, std::io::Error>(Arc::<str>::from("{\"insights\":[]}")) };
//! let body = cache
//!     .get_or_try_insert_with("/insights?user=42".to_owned(), &[user.clone()], load)
//!     .await
//!     .expect("loader succeeded");
//! assert_eq!(&*body, "{\"insights\":[]}");
//! assert!(cache.get("/insights?user=42").is_some());
//!
//! // The user wrote something: every cached response of theirs goes at once.
//! cache.invalidate_tag("user-42");
//! assert!(cache.get("/insights?user=42").is_none());
//!
//! cache.insert("/health".to_owned(), Arc::from("ok"), &[]);
//! clock.advance(Duration::from_secs(31));
//! assert!(cache.get("/health").is_none());
//! assert_eq!(cache.stats().expirations, 1);
//! # });
//! ```

mod builder;
mod cache;
mod clock;
mod entry;
mod error;
mod eviction;
mod flight;
mod loading;
mod stats;
mod tags;

pub use builder::{CacheBuilder, OwnerShare, Weigher};
pub use cache::TtlCache;
pub use clock::{Clock, ManualClock, MonotonicClock};
pub use error::ConfigError;
pub use stats::CacheStats;

/// Compiles the README's example as a doctest, so the README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

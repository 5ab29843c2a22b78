//! An optional shared second cache tier and cross-instance invalidation bus on Redis.
//!
//! Several stateless instances of the service run behind a load balancer, each with its own
//! in-process cache (the first tier). This crate adds, on one Redis:
//!
//! * a **shared tier** that all instances read and fill ([`SharedTier::get`],
//!   [`SharedTier::lookup`] / [`SharedTier::fill`], [`SharedTier::set`]);
//! * an **invalidation bus**: [`SharedTier::invalidate_user`] makes every instance's shared
//!   reads for that user miss at once and publishes the user id, which each instance's
//!   [`SharedTier::subscribe`] task hands to a callback that evicts the local tier.
//!
//! Values are opaque strings (the service stores rendered JSON); the crate knows nothing of
//! HTTP or SQL.
//!
//! # Never failing the caller
//!
//! Construction does not connect, and no operation returns an error: every Redis call is
//! bounded by `op_timeout` and any error or timeout becomes a miss / no-op, is counted in
//! [`TierHealth`], and marks the tier unhealthy. While unhealthy, calls are answered locally
//! without touching the network (a black-holed Redis would otherwise cost every request
//! `op_timeout`), and a background probe PINGs Redis with exponential backoff until it
//! answers, which makes the tier healthy again. So a service keeps working, from its local
//! tier and its database, with Redis down.
//!
//! # Fixes over the original cache
//!
//! * **True TTL.** Values are written with `SET .. PX ttl` and read with `GET`; no read
//!   extends a TTL (the original's `GETEX .. EX 3600` made a 5-minute entry live forever
//!   while it was being read).
//! * **Versioned values.** The data key contains `format_version`; an instance reading
//!   another version misses instead of misreading, so a format change needs no flush.
//! * **Invalidation**, per user and across instances (the original had none that was called).
//!
//! # Why generations (and not `DEL`)
//!
//! Each user has a generation key (`{prefix}:gen:{user}`, absent = generation `0`). Data keys
//! contain the user's generation, and a read fetches generation and value in **one** atomic
//! Lua script, so it can only return a value written under the generation that is current at
//! that instant. [`SharedTier::invalidate_user`] moves the generation forward (and publishes,
//! in the same script): from then on no instance can read the old values; they expire by
//! their TTL. Compared to deleting the user's keys:
//!
//! * deleting needs the key list (a `SCAN` over the keyspace, or a per-user index set to keep
//!   in sync); a generation bump is O(1) whatever the number of entries;
//! * deleting cannot stop a value loaded *before* the invalidation from being written
//!   *after* it. A [`FillTicket`] remembers the generation seen by the missed lookup, and
//!   [`SharedTier::fill`] stores only if it is unchanged (checked atomically in the script).
//!
//! Generations are `max(current + 1, Redis server time in ms)`, so they are never reused,
//! even after a generation key expired. Generation keys live `2 × ttl + 1 s` after the last
//! invalidation (never shortened), which is longer than any value written under generation
//! `0` before that invalidation can live, and longer than an accepted fill ticket (tickets
//! older than `ttl` are refused), so an expired generation key can never resurrect old data.
//! Instances sharing a prefix must therefore use the same `ttl`.
//!
//! # Consistency
//!
//! Assume the service invalidates a user after committing the write that changes the user's
//! data, and fills with [`lookup`](SharedTier::lookup) / [`fill`](SharedTier::fill).
//!
//! * **Shared tier: no stale read.** After `invalidate_user` returns successfully, no
//!   instance reads a value written under the previous generation, and a value loaded before
//!   the invalidation is not stored. ([`SharedTier::set`] writes under whatever generation is
//!   current, so it is only race-free for values computed after the last invalidation.)
//! * **Local tiers: bounded staleness.** Each instance's subscriber evicts the user when the
//!   message arrives (normally well under a millisecond on a LAN). Pub/sub is
//!   fire-and-forget: messages published while an instance's subscriber is disconnected are
//!   lost, so after every (re)connection the callback gets [`Invalidation::All`] and the local
//!   tier drops everything. While the subscriber is disconnected, an instance can serve a
//!   local entry that another instance invalidated: for **at most the local TTL**.
//! * **If the invalidating instance cannot reach Redis** (down, or slow on this instance's
//!   path only, so that the call exceeds `op_timeout`), the invalidation is kept, not lost:
//!   the background probe delivers it (bounded by the longer `connect_timeout`) as soon as
//!   Redis answers again, and until then this instance neither reads nor fills the shared
//!   tier for that user. Meanwhile other instances may still serve the user's older answers,
//!   for at most the TTL after each was computed: a value lives at most `ttl` in Redis, and
//!   an instance's local entries at most its local TTL.
//!
//! Messages an instance published itself come back to it and are applied: invalidation is
//! idempotent, and the only cost is evicting entries that were loaded after the instance's
//! own local invalidation (extra misses, never stale data).
//!
//! # Limits
//!
//! * **Redis persistence and failover.** The guarantees assume Redis does not go back in
//!   time. Restoring an RDB/AOF snapshot, or failing over to a replica that had not yet
//!   received an invalidation (replication is asynchronous), can bring back a generation and
//!   values from before an invalidation, until their TTL. Run the cache Redis without
//!   persistence (as here), or flush it after a restore.
//! * **Single Redis node.** The scripts derive data keys from the generation they read, so the
//!   keys are not all declared up front: fine on one node (with or without replicas), not on
//!   Redis Cluster.
//! * **`healthy` reflects the last call.** A tier that receives no calls keeps its last state;
//!   when unhealthy, the background probe refreshes it.
//! * **One subscriber per tier** is the intended use; the callback runs on the subscriber task,
//!   so it should be quick (evicting a tag of the local cache is O(1)).
//! * **Redis ≥ 5** (scripts that read `TIME` before writing rely on effects replication).
//!
//! # Why `redis`'s `ConnectionManager`
//!
//! It is the maintained Redis client for Tokio; its [`ConnectionManager`] multiplexes all
//! calls of all clones of a tier over one connection (no pool to size, pipelining for free)
//! and replaces the connection after an I/O error by itself. It can be created lazily, which
//! is what lets construction succeed with Redis down. Pub/sub needs a connection of its own
//! (a subscribed connection cannot run other commands), opened with
//! [`redis::Client::get_async_pubsub`] by the subscriber task, which handles its own
//! reconnection because it must know when one happened (to send [`Invalidation::All`]).
//! The manager does not replace a connection on which requests merely time out (a hung
//! server, a peer gone without a FIN), so the probe replaces the whole manager when its PING
//! goes unanswered.
//!
//! [`ConnectionManager`]: redis::aio::ConnectionManager
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use insights_shared_cache::{Invalidation, Lookup, SharedTier, SharedTierConfig};
//!
//! # async fn load_from_database(_user: &str) -> String { String::new() }
//! # async fn example() -> Result<(), insights_shared_cache::SharedTierError> {
//! let tier = SharedTier::new(
//!     "redis://127.0.0.1:6379",
//!     SharedTierConfig { ttl: Duration::from_secs(300), ..SharedTierConfig::default() },
//! )?;
//!
//! // Evict the local tier when any instance invalidates (and everything after a reconnect).
//! let _listener = tier.subscribe(|invalidation| match invalidation {
//!     Invalidation::User(user) => println!("drop local entries of {user}"),
//!     Invalidation::All => println!("drop every local entry"),
//! });
//!
//! // Read-through, race-free against concurrent invalidations.
//! let user = "user-42";
//! let json = match tier.lookup(user, "recommendations:false:10").await {
//!     Lookup::Hit { value, .. } => value,
//!     Lookup::Miss(ticket) => {
//!         let json = load_from_database(user).await;
//!         tier.fill(ticket, &json).await;
//!         json
//!     }
//!     Lookup::Unavailable => load_from_database(user).await,
//! };
//!
//! // After committing a write for the user:
//! tier.invalidate_user(user).await;
//! println!("{} bytes; healthy: {}", json.len(), tier.health().healthy);
//! # Ok(())
//! # }
//! ```

mod backoff;
mod config;
mod error;
mod health;
mod keys;
mod pending;
mod probe;
mod recent;
mod scripts;
mod subscriber;
mod tier;

pub use config::SharedTierConfig;
pub use error::SharedTierError;
pub use health::TierHealth;
pub use subscriber::Invalidation;
pub use tier::{FillTicket, Lookup, SharedTier};

/// Compiles the README's example as a doctest.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

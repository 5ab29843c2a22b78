//! Persistence for the behavioral-insights API: one repository API ([`Store`]) over PostgreSQL
//! (production) and embedded SQLite (the zero-setup default), chosen at run time from the URL.
//!
//! Every repository call is a fixed, small number of SQL statements, whatever the amount of data
//! (the [`StatementCounter`] proves it in tests); independent reads of one call are pipelined on a
//! single PostgreSQL connection; recommendation generation is one multi-row
//! `INSERT … ON CONFLICT DO NOTHING RETURNING` against a unique partial index; an apply is one
//! transaction.
//!
//! ```no_run
//! # async fn demo() -> Result<(), insights_store::StoreError> {
//! use insights_store::{DatabaseUrl, Store, StoreConfig};
//! let store = Store::connect(&StoreConfig::new(DatabaseUrl::parse("sqlite://data/insights.db")?)).await?;
//! store.migrate().await?;
//! let patterns = store
//!     .patterns_overlapping("user-1", insights_model::Timestamp::from_unix_millis(0).unwrap(),
//!                           insights_model::Timestamp::now(), None)
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Dependencies: `diesel` (typed SQL, one schema for both backends), `diesel-async` (async
//! PostgreSQL without libpq, query pipelining, and the SQLite wrapper), `bb8` (the pool
//! diesel-async integrates with), bundled `libsqlite3-sys` (no system SQLite needed; the
//! workspace's `.cargo/config.toml` builds it without memory statistics, SQLite's recommended
//! `SQLITE_DEFAULT_MEMSTATUS=0`), `cuid2` (collision-resistant ids like Prisma's), `thiserror`.
//!
//! On SQLite, diesel-async runs each statement on the connection's blocking thread; calls that
//! read more than once (effectiveness, the recommendation engine's inputs) run all their reads in
//! one such hop, which nearly doubled the recommendations endpoint's throughput there.
//!
//! # Features
//!
//! `postgres` and `sqlite` (both on by default) each compile one backend in; at least one is
//! needed. A URL of a backend that is compiled out is a [`StoreError::Config`] naming the
//! feature. The crate's README lists what each feature pulls in.

// A store without a backend could only refuse every URL: better to say so at build time than
// to ship a program that cannot start.
#[cfg(not(any(feature = "postgres", feature = "sqlite")))]
compile_error!(
    "insights-store needs a database backend: enable its `postgres` or `sqlite` feature (or \
     both; insights-service and insights-server forward features of the same names)"
);

mod config;
mod error;
mod health;
mod migrate;
mod pool;
#[cfg(feature = "postgres")]
mod postgres;
mod queries;
mod rows;
mod schema;
mod schema_check;
mod sql_types;
#[cfg(feature = "sqlite")]
mod sqlite;
mod statements;

pub use config::{
    DatabaseUrl, PIPELINED_READ_STALL, SecretUrl, StoreConfig, default_postgres_pool_size, redact,
};
pub use error::{ConflictKind, Entity, Outage, OutageKind, StoreError};
pub use health::{READINESS_MAX_AGE, RECOVERY_PROBE_INTERVAL, Reachability};
pub use migrate::{OurIndex, POSTGRES_INDEXES_SQL, postgres_indexes};
pub use queries::{ApplyOutcome, ApplyRequest, EffectivenessInputs, RecommendationInputs};
pub use statements::StatementCounter;

use std::sync::Arc;

use health::Health;
use pool::Pools;

/// The repository: every read and write the API needs, on whichever backend was configured.
/// Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Store {
    pools: Pools,
    statements: StatementCounter,
    backend: &'static str,
    /// Whether the database can be reached (PostgreSQL; SQLite is always up).
    health: Arc<Health>,
}

/// Pool occupancy for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// Connections open.
    pub connections: u32,
    /// Of which idle.
    pub idle: u32,
}

impl Store {
    /// Connects (one direct attempt first, so a wrong URL or a down server fails here with the
    /// real error) and builds the pool. Does not migrate. On PostgreSQL, starts the store's
    /// health probe on the current Tokio runtime (see [`Store::readiness`]).
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        let health = Health::new();
        let pools = Pools::connect(config, &health).await?;
        Ok(Self {
            pools,
            statements: StatementCounter::new(),
            backend: config.url.backend_name(),
            health,
        })
    }

    /// `"postgres"` or `"sqlite"`.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Statements issued through this store so far (all connections), and the time spent
    /// waiting for and holding its connections.
    pub fn statements(&self) -> &StatementCounter {
        &self.statements
    }

    /// Pool occupancy. With [`StoreConfig::pipelined_reads`] the shared read connections count
    /// as open and never as idle.
    pub fn pool_state(&self) -> PoolState {
        self.pools.state()
    }

    /// Applies pending embedded migrations; returns the versions applied. On PostgreSQL,
    /// concurrent callers (several processes starting at once) take turns under an advisory
    /// lock, so the later ones find nothing pending.
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        Ok(migrate::run_pending(&self.pools, migrate::When::Always)
            .await?
            .unwrap_or_default())
    }

    /// Migrates the database only if it has none of our tables yet, deciding under the same
    /// lock as [`Store::migrate`]: of several processes starting at once on an empty database,
    /// one initialises it and the others then find it initialised. `None` when the database
    /// already had our tables (it is not changed; check it with [`Store::check_schema`]).
    pub async fn migrate_if_uninitialised(&self) -> Result<Option<Vec<String>>, StoreError> {
        migrate::run_pending(&self.pools, migrate::When::Uninitialised).await
    }

    /// Checks that every table and column the store uses exists with the expected type.
    /// Read-only. `Err(StoreError::Schema(lines))` names each mismatch.
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        let (catalog, check_types) = self.pools.catalog().await?;
        let problems = schema_check::mismatches(&catalog, check_types);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Schema(problems))
        }
    }

    /// The original application's tables and columns that this service never uses but our
    /// migrations create for the original's sake (`insight_patterns`,
    /// `personalization_preferences."lastResetAt"`), one line per one that is absent or, on
    /// PostgreSQL, of another type. Informational: [`Store::check_schema`] passes without them.
    pub async fn original_only_gaps(&self) -> Result<Vec<String>, StoreError> {
        let (catalog, check_types) = self.pools.catalog().await?;
        Ok(schema_check::original_only_gaps(&catalog, check_types))
    }

    /// The performance indexes of our migrations that the database lacks (always empty on
    /// SQLite, whose databases only our migrations create). Nothing needs them to be correct;
    /// `insights indexes` prints their DDL for review.
    pub async fn missing_indexes(&self) -> Result<Vec<&'static str>, StoreError> {
        self.pools.missing_indexes().await
    }

    /// True when the database has none of our tables yet (a database we may initialise).
    pub async fn is_uninitialised(&self) -> Result<bool, StoreError> {
        Ok(migrate::is_uninitialised(&self.pools.catalog().await?.0))
    }

    /// Whether the database can be reached, as the store last observed it: no I/O and no pool
    /// connection, so it answers at once. When the last confirmation is older than
    /// [`READINESS_MAX_AGE`], the store's single background probe is asked for a fresh one
    /// (`SELECT 1` on its own connection), which later calls see. While the database is down
    /// every query fails at once with [`StoreError::Unavailable`], and the probe reconnects
    /// every [`RECOVERY_PROBE_INTERVAL`].
    pub fn readiness(&self) -> Reachability {
        self.health.readiness()
    }

    /// Whether the database is known to be down right now (no probe asked for).
    pub fn is_down(&self) -> bool {
        !self.health.reachability().is_up()
    }

    /// One round trip to the database through the pool.
    pub async fn ping(&self) -> Result<(), StoreError> {
        use diesel_async::SimpleAsyncConnection;
        pool::with_conn!(self, |conn| conn.batch_execute("SELECT 1").await?);
        Ok(())
    }
}

/// A fresh collision-resistant id for a row we create (cuid2, like the original's Prisma cuids).
pub(crate) fn new_id() -> String {
    cuid2::create_id()
}

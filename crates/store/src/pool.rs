//! The connection pool of the configured backend behind one enum, the checkout guard that
//! counts statements, and the one dispatch macro, [`with_conn!`]. The backends' own code is in
//! the `postgres` and `sqlite` modules, each compiled with its feature only.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use diesel::{Insertable, Table, dsl};
use diesel_async::AsyncConnection;
use diesel_async::pooled_connection::PoolableConnection;

use crate::health::Health;
use crate::schema_check::Catalog;
use crate::statements::{
    CheckoutCost, CountingInstrumentation, PoolWait, Progress, StatementCounter, record,
};
use crate::{DatabaseUrl, PoolState, Store, StoreConfig, StoreError};

#[cfg(feature = "sqlite")]
pub(crate) use crate::sqlite::SqliteConn;

/// The pool of whichever backend the URL chose; a variant exists only with its backend's
/// feature.
#[derive(Clone)]
pub(crate) enum Pools {
    #[cfg(feature = "postgres")]
    Postgres(crate::postgres::PgPool),
    #[cfg(feature = "sqlite")]
    Sqlite(crate::sqlite::SqlitePool),
}

impl Pools {
    /// Builds the pool of the URL's backend (see `postgres::connect`, `sqlite::connect`). A URL
    /// of a backend this build does not have is a configuration error naming the feature.
    pub(crate) async fn connect(
        config: &StoreConfig,
        #[cfg_attr(
            not(feature = "postgres"),
            expect(unused_variables, reason = "only PostgreSQL connections report to it")
        )]
        health: &Arc<Health>,
    ) -> Result<Self, StoreError> {
        match &config.url {
            #[cfg(feature = "postgres")]
            DatabaseUrl::Postgres(url) => Ok(Self::Postgres(
                crate::postgres::connect(url, config, health).await?,
            )),
            #[cfg(feature = "sqlite")]
            DatabaseUrl::Sqlite(path) => {
                Ok(Self::Sqlite(crate::sqlite::connect(path, config).await?))
            }
            // `DatabaseUrl::parse` already refuses such URLs; this is for one built by hand.
            #[allow(
                unreachable_patterns,
                reason = "reachable only with a backend compiled out"
            )]
            other => Err(other.compiled_out()),
        }
    }

    /// Connections open and idle, for `/metrics`.
    pub(crate) fn state(&self) -> PoolState {
        match self {
            #[cfg(feature = "postgres")]
            Self::Postgres(p) => p.state(),
            #[cfg(feature = "sqlite")]
            Self::Sqlite(p) => {
                let s = p.state();
                PoolState {
                    connections: s.connections,
                    idle: s.idle_connections,
                }
            }
        }
    }

    /// The database's columns, and whether their types are contracts (PostgreSQL) rather than
    /// affinities (SQLite).
    pub(crate) async fn catalog(&self) -> Result<(Catalog, bool), StoreError> {
        Ok(match self {
            #[cfg(feature = "postgres")]
            Self::Postgres(pool) => (
                crate::postgres::read_catalog(&mut pool.dedicated_connection().await?).await?,
                true,
            ),
            #[cfg(feature = "sqlite")]
            Self::Sqlite(pool) => (
                crate::sqlite::read_catalog(&mut *pool.get().await?).await?,
                false,
            ),
        })
    }

    /// The performance indexes of our migrations that the database lacks (always none on
    /// SQLite, whose databases only our migrations create).
    pub(crate) async fn missing_indexes(&self) -> Result<Vec<&'static str>, StoreError> {
        match self {
            #[cfg(feature = "postgres")]
            Self::Postgres(pool) => Ok(crate::postgres::missing_indexes(
                &mut pool.dedicated_connection().await?,
            )
            .await?),
            #[cfg(feature = "sqlite")]
            Self::Sqlite(_) => Ok(Vec::new()),
        }
    }
}

/// Logs connection errors the pool hits in the background.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogErrors;

impl bb8::ErrorSink<diesel_async::pooled_connection::PoolError> for LogErrors {
    fn sink(&self, error: diesel_async::pooled_connection::PoolError) {
        tracing::warn!(%error, "database connection error");
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<diesel_async::pooled_connection::PoolError>> {
        Box::new(*self)
    }
}

/// A checked-out connection that counts the statements run on it and reports them, with the
/// time it waited for the pool and was held, when it goes back to the pool.
///
/// Dropped while a statement is still running (the request outlived its deadline and its
/// future was dropped), it asks PostgreSQL to cancel that statement and keeps the connection
/// out of the pool: the cancel request arrives on its own connection some time later, and must
/// not hit the statement of the next request that checks this connection out.
pub(crate) struct Counted<'a, C: bb8::ManageConnection>
where
    C::Connection: Cancellable,
{
    conn: bb8::PooledConnection<'a, C>,
    statements: Arc<Progress>,
    total: &'a StatementCounter,
    waited: Duration,
    checked_out: Instant,
}

/// What a backend can do about a statement left running by a dropped request.
pub(crate) trait Cancellable {
    /// Sends a cancel request for the running statement (in the background) and marks the
    /// connection so that the pool discards it instead of reusing it.
    fn cancel_running(&mut self);
}

impl<'a, C> Counted<'a, C>
where
    C: bb8::ManageConnection,
    C::Connection: AsyncConnection + Cancellable + PoolableConnection,
{
    /// Checks a connection out, failing at once when `health` knows the database is down, and
    /// giving up a wait on the pool as soon as it learns so.
    pub(crate) async fn checkout(
        pool: &'a bb8::Pool<C>,
        total: &'a StatementCounter,
        health: Option<&Health>,
    ) -> Result<Self, StoreError>
    where
        StoreError: From<bb8::RunError<C::Error>>,
    {
        let wait = PoolWait::starting(total, Instant::now());
        let mut conn = Self::get_open(pool, health).await?;
        let waited = wait.connected();
        let statements = Arc::new(Progress::default());
        conn.set_instrumentation(CountingInstrumentation(statements.clone()));
        Ok(Self {
            conn,
            statements,
            total,
            waited,
            checked_out: Instant::now(),
        })
    }
}

impl<'a, C> Counted<'a, C>
where
    C: bb8::ManageConnection,
    C::Connection: AsyncConnection + Cancellable + PoolableConnection,
    StoreError: From<bb8::RunError<C::Error>>,
{
    /// A pooled connection that is not known to be closed. With fast recycling (no `SELECT 1`
    /// per checkout) the pool hands out idle connections without looking at them; one whose
    /// server went away while it sat idle (an outage the database has since recovered from)
    /// would fail its first query. Such connections are dropped here, which makes the pool
    /// discard them, and another is taken: at most as many as the pool holds.
    async fn get_open(
        pool: &'a bb8::Pool<C>,
        health: Option<&Health>,
    ) -> Result<bb8::PooledConnection<'a, C>, StoreError> {
        let mut discarded = 0;
        loop {
            let mut conn = match health {
                None => pool.get().await?,
                Some(health) => {
                    health.admit()?;
                    tokio::select! {
                        biased;
                        conn = pool.get() => conn?,
                        error = health.went_down() => return Err(error),
                    }
                }
            };
            if discarded > pool.state().connections || !PoolableConnection::is_broken(&mut *conn) {
                return Ok(conn);
            }
            discarded += 1;
        }
    }
}

impl<C: bb8::ManageConnection> Drop for Counted<'_, C>
where
    C::Connection: Cancellable,
{
    fn drop(&mut self) {
        let started = self.statements.started.load(Ordering::Relaxed);
        if self.statements.finished.load(Ordering::Relaxed) < started {
            self.conn.cancel_running();
        }
        let cost = CheckoutCost {
            statements: started,
            waited: self.waited,
            held: self.checked_out.elapsed(),
        };
        record(self.total, cost);
    }
}

impl<C: bb8::ManageConnection> Deref for Counted<'_, C>
where
    C::Connection: Cancellable,
{
    type Target = C::Connection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl<C: bb8::ManageConnection> DerefMut for Counted<'_, C>
where
    C::Connection: Cancellable,
{
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

/// Runs `$body` with `$conn` bound to a counted connection of the store's backend. The body is
/// expanded once per backend, so every query is type-checked against both; each arm exists only
/// with its backend's feature, so a body for a backend compiled out is not even resolved.
///
/// A body gives its errors with `?` and its value as its last expression, never with `return`:
/// on PostgreSQL it runs inside an async block, whose result tells whether the connection was
/// lost (a body whose value is itself a `Result` would hide that from it).
///
/// The store's one dispatch macro: the body must be compiled once per connection type, and a
/// closure cannot be generic over its argument's type. Everything the arms share is a
/// function: query fragments (`#[dsl::auto_type]`), [`batch_insert`], and helpers generic over
/// the connection such as the apply transaction.
macro_rules! with_conn {
    ($store:expr, postgres: |$pg:ident| $pg_body:expr, sqlite: |$lite:ident| $lite_body:expr) => {
        match &$store.pools {
            #[cfg(feature = "postgres")]
            $crate::pool::Pools::Postgres(pool) => {
                let mut guard = $crate::pool::Counted::checkout(
                    pool.local(),
                    &$store.statements,
                    Some(&$store.health),
                )
                .await?;
                let result: Result<_, $crate::StoreError> = async {
                    let $pg: &mut diesel_async::AsyncPgConnection = &mut guard;
                    Ok($pg_body)
                }
                .await;
                // A connection lost under the body goes back marked broken: the driver may
                // not have seen its socket close yet, and the pool would hand it out again.
                $crate::postgres::mark_broken_if_lost(&mut guard, &result);
                result?
            }
            #[cfg(feature = "sqlite")]
            $crate::pool::Pools::Sqlite(pool) => {
                $crate::pool::with_conn!(@sqlite $store, pool, |$lite| $lite_body)
            }
        }
    };
    // The endpoints' reads: on PostgreSQL `$pg` is a shared reference, so that the body can
    // run on the shard's pipelined reader when reads are pipelined, or else on a pooled
    // connection. A read that lost its connection runs once more, on a new one.
    ($store:expr, read: |$pg:ident| $pg_body:expr, sqlite: |$lite:ident| $lite_body:expr) => {
        $crate::pool::with_conn!(@read $store, true, |$pg| $pg_body, |$lite| $lite_body)
    };
    // The same, always on a pooled connection (reads that pipelining made slower).
    ($store:expr, pooled_read: |$pg:ident| $pg_body:expr, sqlite: |$lite:ident| $lite_body:expr) => {
        $crate::pool::with_conn!(@read $store, false, |$pg| $pg_body, |$lite| $lite_body)
    };
    (@read $store:expr, $may_pipeline:expr, |$pg:ident| $pg_body:expr, |$lite:ident| $lite_body:expr) => {
        match &$store.pools {
            #[cfg(feature = "postgres")]
            $crate::pool::Pools::Postgres(pool) => {
                let mut retried = false;
                loop {
                    let mut conn = $crate::postgres::ReadConnection::get(
                        pool,
                        &$store.statements,
                        &$store.health,
                        $may_pipeline,
                    )
                    .await?;
                    let $pg: &diesel_async::AsyncPgConnection = &conn;
                    let result: Result<_, $crate::StoreError> = async { Ok($pg_body) }.await;
                    if conn.finish(&result) && !retried {
                        retried = true;
                        // The lost connection goes back (marked broken) before the next
                        // checkout: with a pool of one, that checkout would wait for it.
                        drop(conn);
                        continue;
                    }
                    break result?;
                }
            }
            #[cfg(feature = "sqlite")]
            $crate::pool::Pools::Sqlite(pool) => {
                $crate::pool::with_conn!(@sqlite $store, pool, |$lite| $lite_body)
            }
        }
    };
    // The SQLite arm, shared by the forms above.
    (@sqlite $store:expr, $pool:expr, |$lite:ident| $lite_body:expr) => {{
        let mut guard = $crate::pool::Counted::checkout($pool, &$store.statements, None).await?;
        let $lite: &mut $crate::pool::SqliteConn = &mut guard;
        $lite_body
    }};
    ($store:expr, |$conn:ident| $body:expr) => {
        $crate::pool::with_conn!($store, postgres: |$conn| $body, sqlite: |$conn| $body)
    };
}
pub(crate) use with_conn;

/// Inserts `rows` into `table` as ONE multi-row statement per
/// [`ROWS_PER_STATEMENT`] rows; returns how many rows were inserted. On SQLite the statement is
/// built by sync diesel on the connection's blocking thread: diesel-async cannot yet build
/// multi-row inserts for SQLite (diesel-async issue #277), sync diesel can.
///
/// The chunks are inserted by value: a bound on `&Vec<R>` instead makes rustc's trait solver
/// overflow at the call sites (it explores diesel's `Insertable` impls before it knows `R`).
pub(crate) async fn batch_insert<T, R>(
    store: &Store,
    table: T,
    mut rows: Vec<R>,
) -> Result<usize, StoreError>
where
    T: Table + Copy + Send + 'static,
    R: Send + 'static,
    Vec<R>: Insertable<T>,
    dsl::Values<dsl::insert_into<T>, Vec<R>>: RunsOnPostgres + RunsOnSqlite,
{
    let mut inserted = 0;
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(ROWS_PER_STATEMENT));
        let chunk = std::mem::replace(&mut rows, rest);
        inserted += with_conn!(store,
            postgres: |conn| {
                diesel_async::RunQueryDsl::execute(diesel::insert_into(table).values(chunk), conn)
                    .await?
            },
            sqlite: |conn| {
                conn.spawn_blocking(move |c| {
                    diesel::RunQueryDsl::execute(diesel::insert_into(table).values(chunk), c)
                })
                .await?
            }
        );
    }
    Ok(inserted)
}

// `batch_insert`'s bound names each backend's connection type, which exists only with the
// backend's feature (and a `where` clause cannot carry `#[cfg]`): each backend module has the
// bound as a trait, and a backend compiled out asks for nothing.
#[cfg(feature = "postgres")]
use crate::postgres::Executable as RunsOnPostgres;
#[cfg(feature = "sqlite")]
use crate::sqlite::Executable as RunsOnSqlite;
#[cfg(not(feature = "postgres"))]
use AnyStatement as RunsOnPostgres;
#[cfg(not(feature = "sqlite"))]
use AnyStatement as RunsOnSqlite;

/// The bound of a backend compiled out: every type.
#[cfg(not(all(feature = "postgres", feature = "sqlite")))]
pub(crate) trait AnyStatement {}

#[cfg(not(all(feature = "postgres", feature = "sqlite")))]
impl<Q> AnyStatement for Q {}

/// Rows per INSERT statement: keeps each statement under both backends' bind-parameter limits
/// (SQLite: 32,766; PostgreSQL: 65,535) for the widest table.
pub(crate) const ROWS_PER_STATEMENT: usize = 1_000;

//! The two connection pools behind one enum, and the checkout guard that counts statements.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::{Insertable, SqliteConnection, Table, dsl};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::{ManagerConfig, PoolableConnection, RecyclingMethod};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::health::{Health, connect_observed};
use crate::statements::{CountingInstrumentation, StatementCounter, record};
use crate::{DatabaseUrl, Store, StoreConfig, StoreError};

/// The embedded backend's connection type.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;
pub(crate) type PgPool = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;
pub(crate) type SqlitePool = bb8::Pool<AsyncDieselConnectionManager<SqliteConn>>;

/// The pool of whichever backend the URL chose.
#[derive(Clone)]
pub(crate) enum Pools {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

/// Per-connection SQLite settings: WAL so readers don't block the writer, a busy timeout so
/// concurrent writers wait instead of failing, and enforced foreign keys. A writer waits for
/// the write lock as long as a request waits for a connection (`busy`); past that it fails as
/// busy, which the store reports as `Unavailable` (503), like a checkout timeout.
fn sqlite_pragmas(busy: std::time::Duration) -> String {
    format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;",
        busy.as_millis().max(1)
    )
}

impl Pools {
    /// Builds the pool lazily, after one direct connection attempt: bb8 would otherwise hide the
    /// real connection error behind a checkout timeout. Every PostgreSQL connection attempt
    /// reports to `health`.
    pub(crate) async fn connect(
        config: &StoreConfig,
        health: &Arc<Health>,
    ) -> Result<Self, StoreError> {
        match &config.url {
            DatabaseUrl::Postgres(url) => {
                AsyncPgConnection::establish(url).await?;
                let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
                let setup_health = Arc::clone(health);
                let connect_timeout = config.checkout_timeout;
                let statement_timeout = config.statement_timeout;
                manager_config.custom_setup = Box::new(move |url| {
                    let health = Arc::clone(&setup_health);
                    let url = url.to_owned();
                    async move {
                        let mut conn = connect_observed(&url, connect_timeout, &health).await?;
                        if let Some(limit) = statement_timeout {
                            // PostgreSQL ends a statement that outlives the request it serves
                            // by itself, even if the cancel request sent when the request is
                            // dropped (see `Counted`) is lost.
                            conn.batch_execute(&format!(
                                "SET statement_timeout = {}",
                                limit.as_millis()
                            ))
                            .await
                            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                        }
                        Ok(conn)
                    }
                    .boxed()
                });
                // No `SELECT 1` round trip per checkout: a connection the server closed is
                // detected without one (diesel-async checks the client's closed flag and the
                // transaction state), and a query on a connection that died unnoticed fails as
                // `Unavailable` once before the pool discards it.
                manager_config.recycling_method = RecyclingMethod::Fast;
                let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
                    url.clone(),
                    manager_config,
                );
                let pool = bb8::Pool::builder()
                    .max_size(config.pool_size)
                    .connection_timeout(config.checkout_timeout)
                    .error_sink(Box::new(LogErrors))
                    .build_unchecked(manager);
                Ok(Self::Postgres(pool))
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                        path: dir.to_owned(),
                        source,
                    })?;
                }
                let url = path.to_string_lossy().into_owned();
                let mut manager_config = ManagerConfig::<SqliteConn>::default();
                // A local file: nothing to ping.
                manager_config.recycling_method = RecyclingMethod::Fast;
                let pragmas = sqlite_pragmas(config.checkout_timeout);
                manager_config.custom_setup = Box::new(move |url| {
                    let url = url.to_owned();
                    let pragmas = pragmas.clone();
                    async move {
                        let mut conn = SqliteConn::establish(&url).await?;
                        conn.batch_execute(&pragmas)
                            .await
                            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                        Ok(conn)
                    }
                    .boxed()
                });
                // Fail fast with the real error (unwritable path, not a database file, …).
                (manager_config.custom_setup)(&url).await?;
                let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(
                    url,
                    manager_config,
                );
                let pool = bb8::Pool::builder()
                    .max_size(config.pool_size)
                    .connection_timeout(config.checkout_timeout)
                    .error_sink(Box::new(LogErrors))
                    .build_unchecked(manager);
                Ok(Self::Sqlite(pool))
            }
        }
    }

    /// Connections open and idle, for `/metrics`.
    pub(crate) fn state(&self) -> bb8::State {
        match self {
            Self::Postgres(p) => p.state(),
            Self::Sqlite(p) => p.state(),
        }
    }
}

/// Logs connection errors the pool hits in the background.
#[derive(Debug, Clone, Copy)]
struct LogErrors;

impl bb8::ErrorSink<diesel_async::pooled_connection::PoolError> for LogErrors {
    fn sink(&self, error: diesel_async::pooled_connection::PoolError) {
        tracing::warn!(%error, "database connection error");
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<diesel_async::pooled_connection::PoolError>> {
        Box::new(*self)
    }
}

/// A checked-out connection that counts the statements run on it and reports them when it goes
/// back to the pool.
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
}

/// Statements started and finished on one checkout.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) started: AtomicU64,
    pub(crate) finished: AtomicU64,
}

/// What a backend can do about a statement left running by a dropped request.
pub(crate) trait Cancellable {
    /// Sends a cancel request for the running statement (in the background) and marks the
    /// connection so that the pool discards it instead of reusing it.
    fn cancel_running(&mut self);
}

impl Cancellable for AsyncPgConnection {
    fn cancel_running(&mut self) {
        use diesel_async::TransactionManager;
        let token = self.cancel_token();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            drop(runtime.spawn(async move {
                if let Err(error) = token.cancel_query(tokio_postgres::NoTls).await {
                    tracing::debug!(%error, "could not cancel an abandoned statement");
                }
            }));
        }
        // A broken transaction state makes diesel-async's `has_broken` true: bb8 closes the
        // connection instead of handing it to the next request.
        <AsyncPgConnection as AsyncConnection>::TransactionManager::transaction_manager_status_mut(
            self,
        )
        .set_in_error();
    }
}

impl Cancellable for SqliteConn {
    // SQLite statements run on a blocking thread that finishes them; there is nothing to cancel
    // (and the deadline is never armed on SQLite).
    fn cancel_running(&mut self) {}
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
        let mut conn = Self::get_open(pool, health).await?;
        let statements = Arc::new(Progress::default());
        conn.set_instrumentation(CountingInstrumentation(statements.clone()));
        Ok(Self {
            conn,
            statements,
            total,
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
        record(self.total, started);
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
/// expanded once per backend, so every query is type-checked against both.
///
/// The store's one macro: the body must be compiled once per connection type, and a closure
/// cannot be generic over its argument's type. Everything the arms share is a function: query
/// fragments (`#[dsl::auto_type]`), [`batch_insert`], and helpers generic over the connection
/// such as the apply transaction.
macro_rules! with_conn {
    ($store:expr, postgres: |$pg:ident| $pg_body:expr, sqlite: |$lite:ident| $lite_body:expr) => {
        match &$store.pools {
            $crate::pool::Pools::Postgres(pool) => {
                let mut guard =
                    $crate::pool::Counted::checkout(pool, &$store.statements, Some(&$store.health))
                        .await?;
                let $pg: &mut diesel_async::AsyncPgConnection = &mut guard;
                $pg_body
            }
            $crate::pool::Pools::Sqlite(pool) => {
                let mut guard =
                    $crate::pool::Counted::checkout(pool, &$store.statements, None).await?;
                let $lite: &mut $crate::pool::SqliteConn = &mut guard;
                $lite_body
            }
        }
    };
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
    dsl::Values<dsl::insert_into<T>, Vec<R>>: diesel_async::methods::ExecuteDsl<AsyncPgConnection>
        + diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>,
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

/// Rows per INSERT statement: keeps each statement under both backends' bind-parameter limits
/// (SQLite: 32,766; PostgreSQL: 65,535) for the widest table.
pub(crate) const ROWS_PER_STATEMENT: usize = 1_000;

//! The two connection pools behind one enum, and the checkout guard that counts statements.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::SqliteConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::{ManagerConfig, RecyclingMethod};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

use crate::statements::{CountingInstrumentation, StatementCounter, record};
use crate::{DatabaseUrl, StoreConfig, StoreError};

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
/// concurrent writers wait instead of failing, and enforced foreign keys.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
     PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";

impl Pools {
    /// Builds the pool lazily, after one direct connection attempt: bb8 would otherwise hide the
    /// real connection error behind a checkout timeout.
    pub(crate) async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        match &config.url {
            DatabaseUrl::Postgres(url) => {
                AsyncPgConnection::establish(url).await?;
                let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
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
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Config(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                let url = path.to_string_lossy().into_owned();
                let mut manager_config = ManagerConfig::<SqliteConn>::default();
                // A local file: nothing to ping.
                manager_config.recycling_method = RecyclingMethod::Fast;
                manager_config.custom_setup = Box::new(|url| {
                    let url = url.to_owned();
                    async move {
                        let mut conn = SqliteConn::establish(&url).await?;
                        conn.batch_execute(SQLITE_PRAGMAS)
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
pub(crate) struct Counted<'a, C: bb8::ManageConnection> {
    conn: bb8::PooledConnection<'a, C>,
    count: Arc<AtomicU64>,
    total: &'a StatementCounter,
}

impl<'a, C> Counted<'a, C>
where
    C: bb8::ManageConnection,
    C::Connection: AsyncConnection,
{
    pub(crate) async fn checkout(
        pool: &'a bb8::Pool<C>,
        total: &'a StatementCounter,
    ) -> Result<Self, StoreError>
    where
        StoreError: From<bb8::RunError<C::Error>>,
    {
        let mut conn = pool.get().await?;
        let count = Arc::new(AtomicU64::new(0));
        conn.set_instrumentation(CountingInstrumentation(count.clone()));
        Ok(Self { conn, count, total })
    }
}

impl<C: bb8::ManageConnection> Drop for Counted<'_, C> {
    fn drop(&mut self) {
        record(self.total, self.count.load(Ordering::Relaxed));
    }
}

impl<C: bb8::ManageConnection> Deref for Counted<'_, C> {
    type Target = C::Connection;
    fn deref(&self) -> &Self::Target {
        &self.conn
    }
}

impl<C: bb8::ManageConnection> DerefMut for Counted<'_, C> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.conn
    }
}

/// Runs `$body` with `$conn` bound to a counted connection of the store's backend. The body is
/// expanded once per backend, so every query is type-checked against both.
macro_rules! with_conn {
    ($store:expr, postgres: |$pg:ident| $pg_body:expr, sqlite: |$lite:ident| $lite_body:expr) => {
        match &$store.pools {
            $crate::pool::Pools::Postgres(pool) => {
                let mut guard = $crate::pool::Counted::checkout(pool, &$store.statements).await?;
                let $pg: &mut diesel_async::AsyncPgConnection = &mut guard;
                $pg_body
            }
            $crate::pool::Pools::Sqlite(pool) => {
                let mut guard = $crate::pool::Counted::checkout(pool, &$store.statements).await?;
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

/// Inserts `$rows` (a `Vec` of Insertable rows) into `$table` as ONE multi-row statement, in
/// chunks of [`crate::pool::ROWS_PER_STATEMENT`]. On SQLite the statement is built by sync diesel on the
/// connection's blocking thread: diesel-async cannot yet build multi-row inserts for SQLite
/// (diesel-async issue #277), sync diesel can.
macro_rules! batch_insert {
    ($store:expr, $table:expr, $rows:expr) => {{
        let mut remaining = $rows;
        let mut inserted = 0usize;
        while !remaining.is_empty() {
            let rest = remaining.split_off(remaining.len().min($crate::pool::ROWS_PER_STATEMENT));
            let chunk = std::mem::replace(&mut remaining, rest);
            inserted += $crate::pool::with_conn!($store,
                postgres: |conn| {
                    diesel_async::RunQueryDsl::execute(diesel::insert_into($table).values(&chunk), conn).await?
                },
                sqlite: |conn| {
                    conn.spawn_blocking(move |c| {
                        diesel::RunQueryDsl::execute(diesel::insert_into($table).values(&chunk), c)
                    })
                    .await?
                }
            );
        }
        inserted
    }};
}
pub(crate) use batch_insert;

/// Rows per INSERT statement: keeps each statement under both backends' bind-parameter limits
/// (SQLite: 32,766; PostgreSQL: 65,535) for the widest table.
pub(crate) const ROWS_PER_STATEMENT: usize = 1_000;

//! Everything only SQLite needs (feature `sqlite`): the pool with its per-connection pragmas,
//! the migrations, and the catalog read of the schema check.

use std::path::Path;

use diesel::SqliteConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::{ManagerConfig, RecyclingMethod};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use futures_util::FutureExt;

use crate::migrate::{When, apply_embedded, is_uninitialised};
use crate::pool::{Cancellable, LogErrors};
use crate::schema_check::{Catalog, CatalogColumn};
use crate::{StoreConfig, StoreError};

/// The embedded backend's connection type.
pub(crate) type SqliteConn = SyncConnectionWrapper<SqliteConnection>;
pub(crate) type SqlitePool = bb8::Pool<AsyncDieselConnectionManager<SqliteConn>>;

/// A statement SQLite connections can execute: the SQLite half of
/// [`batch_insert`](crate::pool::batch_insert)'s bound (sync diesel's, see there), as a trait so
/// that the bound can be left out with the feature.
pub(crate) trait Executable:
    diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>
{
}

impl<Q: diesel::query_dsl::methods::ExecuteDsl<SqliteConnection>> Executable for Q {}

/// Per-connection SQLite settings: WAL so readers don't block the writer, a busy timeout so
/// concurrent writers wait instead of failing, and enforced foreign keys. A writer waits for
/// the write lock as long as a request waits for a connection (`busy`); past that it fails as
/// busy, which the store reports as `Unavailable` (503), like a checkout timeout.
fn pragmas(busy: std::time::Duration) -> String {
    format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;",
        busy.as_millis().max(1)
    )
}

/// Creates the file's folder, opens one connection at once to fail fast with the real error
/// (unwritable path, not a database file, …), and builds the pool lazily.
pub(crate) async fn connect(path: &Path, config: &StoreConfig) -> Result<SqlitePool, StoreError> {
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
    let pragmas = pragmas(config.checkout_timeout);
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
    (manager_config.custom_setup)(&url).await?;
    let manager = AsyncDieselConnectionManager::<SqliteConn>::new_with_config(url, manager_config);
    Ok(bb8::Pool::builder()
        .max_size(config.pool_size)
        .connection_timeout(config.checkout_timeout)
        .error_sink(Box::new(LogErrors))
        .build_unchecked(manager))
}

impl Cancellable for SqliteConn {
    // SQLite statements run on a blocking thread that finishes them; there is nothing to cancel
    // (and the deadline is never armed on SQLite).
    fn cancel_running(&mut self) {}
}

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// [`crate::migrate::run_pending`] on SQLite.
pub(crate) async fn run_pending(
    pool: &SqlitePool,
    when: When,
) -> Result<Option<Vec<String>>, StoreError> {
    let mut conn = pool
        .dedicated_connection()
        .await
        .map_err(StoreError::from)?;
    if when == When::Uninitialised && !is_uninitialised(&read_catalog(&mut conn).await?) {
        return Ok(None);
    }
    apply_embedded(conn, MIGRATIONS).await
}

const CATALOG: &str = "SELECT m.name AS table_name, p.name AS column_name, p.type AS udt_name \
     FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'";

/// The columns of the connected database, with their declared type.
pub(crate) async fn read_catalog(conn: &mut SqliteConn) -> diesel::QueryResult<Catalog> {
    let rows: Vec<CatalogColumn> = diesel::sql_query(CATALOG).load(conn).await?;
    Ok(rows.into_iter().map(CatalogColumn::into_tuple).collect())
}

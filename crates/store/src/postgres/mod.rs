//! Everything only PostgreSQL needs (feature `postgres`): the pool and its connection setup,
//! cancelling a statement whose request was dropped, the migrations and their advisory lock, the
//! catalog reads of the schema check, and the health probe ([`probe`]).

mod pipelined;
mod probe;
mod shards;

use std::sync::Arc;

use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::{ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use futures_util::FutureExt;

use crate::health::Health;
use crate::migrate::{When, apply_embedded, is_uninitialised};
use crate::pool::{Cancellable, LogErrors};
use crate::schema_check::{Catalog, CatalogColumn};
use crate::{OutageKind, StoreConfig, StoreError};

pub(crate) use pipelined::ReadConnection;
pub(crate) use shards::PgPool;

/// A statement PostgreSQL connections can execute: the PostgreSQL half of
/// [`batch_insert`](crate::pool::batch_insert)'s bound, as a trait so that the bound can be left
/// out with the feature.
pub(crate) trait Executable: diesel_async::methods::ExecuteDsl<AsyncPgConnection> {}

impl<Q: diesel_async::methods::ExecuteDsl<AsyncPgConnection>> Executable for Q {}

/// Builds the pool lazily, after one direct connection attempt (bb8 would otherwise hide the
/// real connection error behind a checkout timeout), and starts the store's health probe on the
/// current Tokio runtime. Every connection attempt reports to `health`. The connections are
/// split into `config.pool_shards` shards (see [`shards`]).
pub(crate) async fn connect(
    url: &str,
    config: &StoreConfig,
    health: &Arc<Health>,
) -> Result<PgPool, StoreError> {
    AsyncPgConnection::establish(url).await?;
    let shards = PgPool::shard_sizes(config.pool_size, config.pool_shards)
        .into_iter()
        .map(|size| {
            bb8::Pool::builder()
                .max_size(size)
                .connection_timeout(config.checkout_timeout)
                .error_sink(Box::new(LogErrors))
                .build_unchecked(manager(url, config, health))
        })
        .collect();
    probe::start(health, url.to_owned(), config.checkout_timeout);
    Ok(PgPool::new(shards, config.pipelined_reads))
}

impl Cancellable for AsyncPgConnection {
    fn cancel_running(&mut self) {
        let token = self.cancel_token();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            drop(runtime.spawn(async move {
                if let Err(error) = token.cancel_query(tokio_postgres::NoTls).await {
                    tracing::debug!(%error, "could not cancel an abandoned statement");
                }
            }));
        }
        mark_broken(self);
    }
}

/// Makes the pool close `conn` when it comes back instead of handing it to the next request:
/// a broken transaction state makes diesel-async's `has_broken` true. For a connection whose
/// state is unknown (a statement abandoned mid-way) or that is known dead before the driver has
/// seen its socket close.
pub(crate) fn mark_broken(conn: &mut AsyncPgConnection) {
    use diesel_async::TransactionManager;
    <AsyncPgConnection as AsyncConnection>::TransactionManager::transaction_manager_status_mut(
        conn,
    )
    .set_in_error();
}

/// Whether `result` failed because its connection was lost (the connection is dead, though
/// its driver may not know yet).
fn lost_connection<T>(result: &Result<T, StoreError>) -> bool {
    matches!(
        result,
        Err(StoreError::Unavailable(outage)) if *outage.kind() == OutageKind::ConnectionLost
    )
}

/// [`mark_broken`] if `result` says the connection was lost under it.
pub(crate) fn mark_broken_if_lost<T>(conn: &mut AsyncPgConnection, result: &Result<T, StoreError>) {
    if lost_connection(result) {
        mark_broken(conn);
    }
}

/// How a shard opens its connections: each attempt reports to `health`, and every connection
/// gets the configured statement timeout.
fn manager(
    url: &str,
    config: &StoreConfig,
    health: &Arc<Health>,
) -> AsyncDieselConnectionManager<AsyncPgConnection> {
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    let setup_health = Arc::clone(health);
    let connect_timeout = config.checkout_timeout;
    let statement_timeout = config.statement_timeout;
    manager_config.custom_setup = Box::new(move |url| {
        let health = Arc::clone(&setup_health);
        let url = url.to_owned();
        async move {
            let mut conn = probe::connect_observed(&url, connect_timeout, &health).await?;
            if let Some(limit) = statement_timeout {
                // PostgreSQL ends a statement that outlives the request it serves by itself,
                // even if the cancel request sent when the request is dropped (see `Counted`)
                // is lost.
                conn.batch_execute(&format!("SET statement_timeout = {}", limit.as_millis()))
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            }
            Ok(conn)
        }
        .boxed()
    });
    // No `SELECT 1` round trip per checkout: a connection the server closed is detected without
    // one (diesel-async checks the client's closed flag and the transaction state), and a query
    // on a connection that died unnoticed fails as `Unavailable` (an endpoint read runs once
    // more, on another connection) before the pool discards it.
    manager_config.recycling_method = RecyclingMethod::Fast;
    AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, manager_config)
}

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// The key of the session-level advisory lock that serialises migrations (the first eight bytes
/// of "insights" as a big-endian integer): two processes starting at once on one database take
/// turns, and the second finds nothing left to do.
const MIGRATION_LOCK_KEY: i64 = 0x696e_7369_6768_7473;

/// [`crate::migrate::run_pending`] on PostgreSQL: the whole decision and the migrations run
/// under an advisory lock on one dedicated connection, without the pool's statement timeout
/// (waiting for another process's migrations, or building an index, may take longer than any
/// request).
pub(crate) async fn run_pending(
    pool: &PgPool,
    when: When,
) -> Result<Option<Vec<String>>, StoreError> {
    let mut conn = pool.dedicated_connection().await?;
    conn.batch_execute(&format!(
        "SET statement_timeout = 0; SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"
    ))
    .await?;
    if when == When::Uninitialised && !is_uninitialised(&read_catalog(&mut conn).await?) {
        // The lock goes with the connection.
        return Ok(None);
    }
    apply_embedded(conn, MIGRATIONS).await
}

const CATALOG: &str = "SELECT table_name::text AS table_name, column_name::text AS column_name, \
     udt_name::text AS udt_name FROM information_schema.columns WHERE table_schema = current_schema()";

/// The columns of the connected schema, with their `udt_name`.
pub(crate) async fn read_catalog(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Catalog> {
    let rows: Vec<CatalogColumn> = diesel::sql_query(CATALOG).load(conn).await?;
    Ok(rows.into_iter().map(CatalogColumn::into_tuple).collect())
}

#[derive(diesel::QueryableByName)]
struct IndexName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    indexname: String,
}

/// Which of our migrations' indexes ([`postgres_indexes`](crate::migrate::postgres_indexes))
/// the connected schema lacks.
pub(crate) async fn missing_indexes(
    conn: &mut AsyncPgConnection,
) -> diesel::QueryResult<Vec<&'static str>> {
    let present: Vec<IndexName> =
        diesel::sql_query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            .load(conn)
            .await?;
    Ok(crate::migrate::postgres_indexes()
        .map(|index| index.name)
        .filter(|name| !present.iter().any(|p| p.indexname == *name))
        .collect())
}

//! Embedded migrations, one folder per backend (`migrations/postgres`, `migrations/sqlite`).

use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::StoreError;
use crate::pool::{Pools, SqliteConn};

const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// The SQL of our query-derived index migration, for a DBA to apply to a database of the
/// original application that this service must not migrate itself.
pub const POSTGRES_INDEXES_SQL: &str =
    include_str!("../../../migrations/postgres/2025-11-01-000002_insights_indexes/up.sql");

/// Applies pending migrations and returns the versions applied.
///
/// Diesel's migration harness is synchronous; it runs on a blocking thread through
/// `AsyncConnectionWrapper`, which works on any runtime flavour (diesel-async's own async
/// harness uses `block_in_place` and panics on current-thread runtimes such as actix's).
pub(crate) async fn run_pending(pools: &Pools) -> Result<Vec<String>, StoreError> {
    let applied = match pools {
        Pools::Postgres(pool) => {
            let conn = pool
                .dedicated_connection()
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            tokio::task::spawn_blocking(move || {
                let mut wrapper: AsyncConnectionWrapper<AsyncPgConnection> = conn.into();
                wrapper
                    .run_pending_migrations(POSTGRES)
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())
                    .map_err(|e| StoreError::Migration(e.to_string()))
            })
            .await
        }
        Pools::Sqlite(pool) => {
            let conn = pool
                .dedicated_connection()
                .await
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            tokio::task::spawn_blocking(move || {
                let mut wrapper: AsyncConnectionWrapper<SqliteConn> = conn.into();
                wrapper
                    .run_pending_migrations(SQLITE)
                    .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())
                    .map_err(|e| StoreError::Migration(e.to_string()))
            })
            .await
        }
    };
    applied.map_err(|e| StoreError::Migration(format!("migration task failed: {e}")))?
}

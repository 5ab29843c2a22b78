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

/// One index that [`POSTGRES_INDEXES_SQL`] creates on the original's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OurIndex {
    /// The index name.
    pub name: &'static str,
    /// Whether it is a unique index (recommendation generation relies on the one there is).
    pub unique: bool,
}

/// The indexes [`POSTGRES_INDEXES_SQL`] creates, in its order, read from the DDL itself so the
/// list follows the migration. Each is derived from one endpoint query; a database created by
/// the original app has none of them, and everything still works without them, only slower
/// (recommendation generation then relies on an advisory lock instead of the unique index, see
/// [`Store::create_recommendations`](crate::Store::create_recommendations)).
pub fn postgres_indexes() -> impl Iterator<Item = OurIndex> {
    POSTGRES_INDEXES_SQL.lines().filter_map(|line| {
        let line = line.trim_start();
        let unique = line.starts_with("CREATE UNIQUE INDEX");
        if !unique && !line.starts_with("CREATE INDEX") {
            return None;
        }
        // `CREATE [UNIQUE] INDEX IF NOT EXISTS "name" …`: the name is the first quoted word.
        let name = line.split('"').nth(1)?;
        Some(OurIndex { name, unique })
    })
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_list_is_read_from_the_migration() {
        let indexes: Vec<OurIndex> = postgres_indexes().collect();
        assert_eq!(indexes.len(), 7, "{indexes:?}");
        assert_eq!(
            indexes
                .iter()
                .filter(|i| i.unique)
                .map(|i| i.name)
                .collect::<Vec<_>>(),
            ["insights_recommendations_active_unique_idx"]
        );
        assert!(indexes.iter().all(|i| i.name.starts_with("insights_")));
    }
}

//! Embedded migrations, one folder per backend (`migrations/postgres`, `migrations/sqlite`),
//! each embedded by its backend's module (so only with its feature). The PostgreSQL index DDL
//! below is plain text and stays available in every build, for `insights indexes`.

use diesel_async::AsyncConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::StoreError;
use crate::pool::Pools;

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

/// What to do with the database once the migration lock is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// Apply whatever is pending.
    Always,
    /// Apply only if the database has none of our tables (a database we created, or an empty
    /// one); otherwise leave it alone and return `None`.
    Uninitialised,
}

/// Applies pending migrations and returns the versions applied, or `None` when `when` is
/// [`When::Uninitialised`] and the database already has our tables.
///
/// On PostgreSQL the whole decision and the migrations run under an advisory lock on one
/// dedicated connection, without the pool's statement timeout (waiting for another process's
/// migrations, or building an index, may take longer than any request).
///
/// Diesel's migration harness is synchronous; it runs on a blocking thread through
/// `AsyncConnectionWrapper`, which works on any runtime flavour (diesel-async's own async
/// harness uses `block_in_place` and panics on current-thread runtimes such as actix's).
pub(crate) async fn run_pending(
    pools: &Pools,
    when: When,
) -> Result<Option<Vec<String>>, StoreError> {
    match pools {
        #[cfg(feature = "postgres")]
        Pools::Postgres(pool) => crate::postgres::run_pending(pool, when).await,
        #[cfg(feature = "sqlite")]
        Pools::Sqlite(pool) => crate::sqlite::run_pending(pool, when).await,
    }
}

/// True when the catalog has none of our tables yet (a database we may initialise).
pub(crate) fn is_uninitialised(catalog: &[(String, String, String)]) -> bool {
    !catalog
        .iter()
        .any(|(t, _, _)| t == "recommendations" || t == "behavioral_patterns")
}

/// Runs `migrations` on `conn`, a dedicated connection of either backend, on a blocking thread
/// (diesel's migration harness is synchronous), and names the migrations applied.
pub(crate) async fn apply_embedded<C>(
    conn: C,
    migrations: EmbeddedMigrations,
) -> Result<Option<Vec<String>>, StoreError>
where
    C: AsyncConnection + Send + 'static,
    AsyncConnectionWrapper<C>: MigrationHarness<C::Backend> + From<C>,
{
    tokio::task::spawn_blocking(move || {
        let mut wrapper = AsyncConnectionWrapper::<C>::from(conn);
        wrapper
            .run_pending_migrations(migrations)
            .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>())
            .map_err(StoreError::Migration)
    })
    .await
    .map_err(|e| StoreError::Migration(Box::new(e)))?
    .map(Some)
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

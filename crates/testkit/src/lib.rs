//! Test-only helpers shared by the workspace's integration tests.
//!
//! [`TestDb`] gives each test its own database: a fresh PostgreSQL *schema* (created in the
//! server named by `INSIGHTS_TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`,
//! migrated, and dropped when the value is dropped) or a fresh SQLite file in a temporary folder.
//! Tests therefore run in parallel and leave nothing behind. [`both_backends!`] runs one plain
//! async test function against both backends.
//!
//! Each backend's helpers exist with testkit's feature of its name (`postgres`, `sqlite`, both
//! on by default); a crate turns on those of its own backends (see the README).
//!
//! ```no_run
//! # async fn demo() {
//! let db = insights_testkit::TestDb::sqlite().await;
//! db.store.ping().await.unwrap();
//! # }
//! ```

#[cfg(feature = "sqlite")]
use std::path::PathBuf;

mod temp_postgres;
pub use temp_postgres::TempPostgres;

#[cfg(feature = "postgres")]
use diesel_async::AsyncPgConnection;
use diesel_async::{AsyncConnection, SimpleAsyncConnection};
use insights_store::{DatabaseUrl, Store, StoreConfig};

/// The backends a conformance test runs against (those compiled in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL, a schema per test.
    #[cfg(feature = "postgres")]
    Postgres,
    /// SQLite, a file per test.
    #[cfg(feature = "sqlite")]
    Sqlite,
}

/// The PostgreSQL server tests use.
pub fn postgres_base_url() -> String {
    std::env::var("INSIGHTS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A migrated database private to one test.
pub struct TestDb {
    /// The store connected to it.
    pub store: Store,
    /// Its URL (for starting a server process against the same database).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    #[cfg(feature = "postgres")]
    PostgresSchema { base_url: String, schema: String },
    #[cfg(feature = "sqlite")]
    SqliteDir(PathBuf),
}

impl TestDb {
    /// A fresh database of the given backend.
    pub async fn new(backend: Backend) -> Self {
        match backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres => Self::postgres().await,
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => Self::sqlite().await,
        }
    }
}

#[cfg(feature = "postgres")]
impl TestDb {
    /// A fresh, migrated PostgreSQL schema; its URL pins `search_path` to it.
    pub async fn postgres() -> Self {
        let db = Self::postgres_empty().await;
        db.store.migrate().await.expect("migrate test schema");
        db
    }

    /// [`TestDb::postgres`] with the endpoints' reads pipelined on a shared connection
    /// (`StoreConfig::pipelined_reads`, what the server runs with).
    pub async fn postgres_pipelined() -> Self {
        let db = Self::postgres_schema(true).await;
        db.store.migrate().await.expect("migrate test schema");
        db
    }

    /// A fresh, *empty* PostgreSQL schema (for migration and schema-check tests).
    pub async fn postgres_empty() -> Self {
        Self::postgres_schema(false).await
    }

    async fn postgres_schema(pipelined_reads: bool) -> Self {
        let base_url = postgres_base_url();
        let schema = format!("t_{}", cuid2::create_id());
        let mut admin = AsyncPgConnection::establish(&base_url)
            .await
            .expect("PostgreSQL reachable (see README: tests need a PostgreSQL server)");
        admin
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .await
            .expect("create test schema");
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-c%20search_path%3D{schema}");
        let store = Store::connect(&StoreConfig {
            pipelined_reads,
            ..StoreConfig::new(DatabaseUrl::parse(&url).expect("postgres url"))
        })
        .await
        .expect("connect to test schema");
        Self {
            store,
            url,
            cleanup: Cleanup::PostgresSchema { base_url, schema },
        }
    }
}

#[cfg(feature = "sqlite")]
impl TestDb {
    /// A fresh, migrated SQLite file.
    pub async fn sqlite() -> Self {
        let db = Self::sqlite_empty().await;
        db.store.migrate().await.expect("migrate test file");
        db
    }

    /// A fresh, *empty* SQLite file.
    pub async fn sqlite_empty() -> Self {
        let dir = std::env::temp_dir().join(format!("insights-test-{}", cuid2::create_id()));
        let url = format!("sqlite://{}", dir.join("test.db").display());
        let store = Store::connect(&StoreConfig::new(DatabaseUrl::parse(&url).expect("url")))
            .await
            .expect("open test file");
        Self {
            store,
            url,
            cleanup: Cleanup::SqliteDir(dir),
        }
    }
}

impl TestDb {
    /// Runs raw SQL on this test's database (to break things on purpose, or inspect them).
    pub async fn execute(&self, sql: &str) {
        match &self.cleanup {
            #[cfg(feature = "postgres")]
            Cleanup::PostgresSchema { .. } => {
                let mut conn = AsyncPgConnection::establish(&self.url)
                    .await
                    .expect("connect");
                conn.batch_execute(sql).await.expect("execute test SQL");
            }
            #[cfg(feature = "sqlite")]
            Cleanup::SqliteDir(dir) => {
                let path = dir.join("test.db");
                let mut conn = diesel_async::sync_connection_wrapper::SyncConnectionWrapper::<
                    diesel::SqliteConnection,
                >::establish(&path.to_string_lossy())
                .await
                .expect("open");
                conn.batch_execute(sql).await.expect("execute test SQL");
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            #[cfg(feature = "sqlite")]
            Cleanup::SqliteDir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            #[cfg(feature = "postgres")]
            Cleanup::PostgresSchema { base_url, schema } => {
                // Drop runs inside the test's runtime, which cannot block on async work; a
                // short-lived thread with its own runtime can.
                let (base_url, schema) = (base_url.clone(), schema.clone());
                let _ = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    if let Ok(runtime) = runtime {
                        runtime.block_on(async {
                            if let Ok(mut admin) = AsyncPgConnection::establish(&base_url).await {
                                let _ = admin
                                    .batch_execute(&format!(
                                        "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
                                    ))
                                    .await;
                            }
                        });
                    }
                })
                .join();
            }
        }
    }
}

/// Declares, for each listed `async fn name(db: TestDb)`, the tests `name::postgres`,
/// `name::postgres_pipelined` (reads pipelined, as the server runs) and `name::sqlite`: each
/// runs the function on a fresh [`TestDb`] of its backend. Only the
/// declarations are generated, so the test bodies stay ordinary functions that rustfmt formats.
/// The functions must be in scope where the macro is invoked (its module's `super`). The
/// calling crate needs `tokio` (with `macros` and `rt-multi-thread`) as a dev-dependency.
/// See the crate README for an example.
///
/// Each declaration exists only when the *calling* crate's feature of the backend's name
/// (`postgres`, `sqlite`) is on: the `#[cfg]`s expand in that crate, so
/// `cargo test -p insights-store --no-default-features --features sqlite` declares the SQLite
/// tests only. The calling crate must therefore have both features, and forward each to
/// testkit's feature of the same name, which provides the [`TestDb`] constructor the test
/// calls (insights-store, insights-service and insights-server do both).
#[macro_export]
macro_rules! both_backends {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[cfg(feature = "postgres")]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$test($crate::TestDb::postgres().await).await;
                }

                #[cfg(feature = "postgres")]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres_pipelined() {
                    super::$test($crate::TestDb::postgres_pipelined().await).await;
                }

                #[cfg(feature = "sqlite")]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test($crate::TestDb::sqlite().await).await;
                }
            }
        )*
    };
}

//! A private PostgreSQL schema for one benchmark run, filled with realistic data, dropped at the
//! end. Like the testkit's, but against `INSIGHTS_BENCH_DATABASE_URL` and with an explicit
//! "is the server there at all" probe, so a missing server skips instead of failing.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use insights_store::{DatabaseUrl, Store, StoreConfig};

/// The server benchmarks run against.
pub fn base_url() -> String {
    std::env::var("INSIGHTS_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A migrated schema of its own.
pub struct BenchDb {
    /// Store connected to the schema.
    pub store: Store,
    /// URL pinning `search_path` to the schema (for raw connections).
    pub url: String,
    base_url: String,
    schema: String,
}

impl BenchDb {
    /// `Ok(None)` when the server cannot be reached (the caller skips).
    pub async fn create() -> Result<Option<Self>, String> {
        let base_url = base_url();
        let admin = tokio::time::timeout(
            Duration::from_secs(3),
            AsyncPgConnection::establish(&base_url),
        )
        .await;
        let mut admin = match admin {
            Ok(Ok(conn)) => conn,
            _ => return Ok(None),
        };
        let schema = format!("bench_{}", cuid2_like_suffix());
        admin
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .await
            .map_err(|e| format!("create schema: {e}"))?;
        let separator = if base_url.contains('?') { '&' } else { '?' };
        let url = format!("{base_url}{separator}options=-c%20search_path%3D{schema}");
        let parsed = DatabaseUrl::parse(&url).map_err(|e| e.to_string())?;
        let mut config = StoreConfig::new(parsed);
        config.checkout_timeout = Duration::from_secs(60);
        let db = Self {
            store: Store::connect(&config).await.map_err(|e| e.to_string())?,
            url,
            base_url,
            schema,
        };
        db.store.migrate().await.map_err(|e| e.to_string())?;
        Ok(Some(db))
    }

    /// A raw connection to the schema (for DDL, EXPLAIN and hand-written statements).
    pub async fn connection(&self) -> Result<AsyncPgConnection, String> {
        AsyncPgConnection::establish(&self.url)
            .await
            .map_err(|e| format!("connect: {e}"))
    }

    /// Runs SQL on a fresh connection.
    pub async fn execute(&self, sql: &str) -> Result<(), String> {
        self.connection()
            .await?
            .batch_execute(sql)
            .await
            .map_err(|e| format!("{sql}: {e}"))
    }

    /// Drops the schema.
    pub async fn drop_schema(self) {
        if let Ok(mut admin) = AsyncPgConnection::establish(&self.base_url).await {
            let _ = admin
                .batch_execute(&format!(
                    "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                    self.schema
                ))
                .await;
        }
    }
}

/// Process id plus clock nanoseconds: unique enough for a schema name of one run.
fn cuid2_like_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{}_{nanos}", std::process::id())
}

//! Running each subcommand: connecting, preparing the schema, and serving.

use std::sync::Arc;
use std::time::Duration;

use insights_service::{Backends, Insights, ServiceError};
use insights_store::{Store, StoreError};

use crate::app::AppState;
use crate::auth::JwtKeys;
use crate::cli::{DatabaseArgs, TokenArgs};
use crate::config::{ConfigError, DatabaseConfig, ServeConfig, configured_secret};
use crate::connections::SEND_TIMEOUT_SUPPORTED;
use crate::demo::{DEMO_USER, banner, operator_banner};
use crate::http_server::{self, HttpSettings};
use crate::metrics::Metrics;
use crate::slow_requests::SlowRequestLog;

/// Why a subcommand could not run.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A flag or variable has an unusable value.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database refused, or its schema does not fit.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The read replica could not be connected.
    #[error("read replica {url}")]
    ReadReplica {
        /// The replica's URL, password redacted.
        url: String,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// The Redis tier could not be set up.
    #[cfg(feature = "redis")]
    #[error("--redis-url")]
    Redis(#[source] insights_service::SharedTierError),
    /// A token could not be signed.
    #[error("cannot sign a token")]
    Token(#[source] crate::error::ApiError),
    /// The service layer could not be built or seeded.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Binding or serving failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The metrics registry could not be built (a programming error).
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
}

/// Connects to the configured database.
pub async fn connect(db: &DatabaseConfig) -> Result<Store, StartupError> {
    tracing::info!(database = %db.store.url, "connecting");
    Ok(Store::connect(&db.store).await?)
}

/// Initialises a database nobody has initialised yet, and otherwise only checks it: the server
/// never alters a database it did not create (docs/deployment.md).
pub async fn prepare_schema(store: &Store) -> Result<(), StartupError> {
    if let Some(applied) = store.migrate_if_uninitialised().await? {
        tracing::info!(migrations = applied.len(), "initialised an empty database");
    } else {
        store.check_schema().await.map_err(|e| match e {
            StoreError::Schema(lines) => StoreError::Schema(
                std::iter::once(
                    "the existing database does not match what this service needs; \
                     it was not changed. Mismatches:"
                        .to_owned(),
                )
                .chain(lines.into_iter().map(|l| format!("  - {l}")))
                .collect(),
            ),
            other => other,
        })?;
        tracing::info!("existing database schema checked");
        let missing = store.missing_indexes().await?;
        if !missing.is_empty() {
            tracing::warn!(
                missing = missing.join(", "),
                "the database lacks indexes this service's queries are designed for: answers \
                 stay correct but are slower; review `insights indexes` and apply it"
            );
        }
    }
    Ok(())
}

/// `insights migrate`.
pub async fn migrate(args: &DatabaseArgs) -> Result<(), StartupError> {
    let store = connect(&DatabaseConfig::from_args(args)?).await?;
    let applied = store.migrate().await?;
    println!("{} migration(s) applied", applied.len());
    for version in applied {
        println!("  {version}");
    }
    Ok(())
}

/// `insights check-schema`.
pub async fn check_schema(args: &DatabaseArgs) -> Result<(), StartupError> {
    let store = connect(&DatabaseConfig::from_args(args)?).await?;
    store.check_schema().await?;
    println!("schema OK ({})", store.backend());
    let missing = store.missing_indexes().await?;
    if !missing.is_empty() {
        println!(
            "note: {} of our indexes are missing (correct without them, slower): {}; \
             `insights indexes` prints their DDL",
            missing.len(),
            missing.join(", ")
        );
    }
    let gaps = store.original_only_gaps().await?;
    if !gaps.is_empty() {
        println!(
            "note: this service does not use them, but the original application needs: {}; \
             `insights migrate` adds them to a database our migrations created",
            gaps.join("; ")
        );
    }
    Ok(())
}

/// `insights token`.
pub fn token(args: &TokenArgs) -> Result<(), StartupError> {
    let secret = configured_secret(&args.jwt_secret)?;
    let token = JwtKeys::new(secret.bytes())
        .issue(&args.user, args.service, args.ttl)
        .map_err(StartupError::Token)?;
    println!("{token}");
    Ok(())
}

/// How long the printed demo token stays valid.
const DEMO_TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);

/// The shared Redis tier, when `--redis-url` is given. Creating it does not connect.
#[cfg(feature = "redis")]
fn shared_tier(config: &ServeConfig) -> Result<Option<insights_service::SharedTier>, StartupError> {
    use insights_service::{SharedTier, SharedTierConfig};
    let Some(url) = &config.redis_url else {
        return Ok(None);
    };
    let tier = SharedTier::new(
        url.expose(),
        SharedTierConfig {
            ttl: config.service.cache_ttl,
            key_prefix: config.redis_key_prefix.clone(),
            ..SharedTierConfig::default()
        },
    )
    .map_err(StartupError::Redis)?;
    Ok(Some(tier))
}

/// `insights serve`.
pub async fn serve(config: ServeConfig) -> Result<(), StartupError> {
    let store = connect(&config.database).await?;
    prepare_schema(&store).await?;
    let read_replica = match &config.read_replica {
        Some(replica) => {
            Some(
                Store::connect(replica)
                    .await
                    .map_err(|source| StartupError::ReadReplica {
                        url: replica.url.to_string(),
                        source,
                    })?,
            )
        }
        None => None,
    };
    let insights = Insights::with_backends(
        Backends {
            primary: store,
            read_replica,
            #[cfg(feature = "redis")]
            shared_tier: shared_tier(&config)?,
        },
        config.service.clone(),
    )?;
    // Demo mode is "no configured secret" (and therefore loopback only, see `ServeConfig`):
    // only then is demo data written, and only into the embedded database. With a configured
    // secret the database belongs to the operator and nothing is seeded.
    let demo_mode = config.secret.is_generated();
    if demo_mode && config.database.embedded && insights.seed_demo(DEMO_USER).await? {
        tracing::info!(user = DEMO_USER, "seeded demo data");
    }
    let keys = JwtKeys::new(config.secret.bytes());
    let state = AppState {
        insights,
        keys: keys.clone(),
        metrics: Arc::new(Metrics::new()?),
        deadline: config.request_timeout,
        body_limit: config.body_limit,
        body_timeout: config.body_timeout,
        dashboard: config.dashboard,
        streamed_gzip: Arc::default(),
        slow_requests: Arc::new(SlowRequestLog::new(config.slow_request)),
    };
    let limits = config.connections;
    if limits.send_timeout.is_some() && !SEND_TIMEOUT_SUPPORTED {
        tracing::warn!("the send timeout is not supported on this platform: not applied");
    }
    let (server, addr) = http_server::bind(
        state,
        config.bind,
        HttpSettings {
            workers: config.workers,
            limits,
            shutdown_timeout: config.shutdown_timeout,
        },
    )?;
    tracing::info!(%addr, "listening");
    if demo_mode {
        // The token is signed with the generated secret: it dies with the process.
        let token = keys
            .issue(DEMO_USER, false, DEMO_TOKEN_TTL)
            .map_err(StartupError::Token)?;
        let database = if config.database.embedded {
            format!(
                "embedded SQLite at {}",
                config
                    .data_dir
                    .join(crate::config::EMBEDDED_DB_FILE)
                    .display()
            )
        } else {
            config.database.store.url.to_string()
        };
        println!("{}", banner(addr, &token, &database, config.dashboard));
    } else {
        println!("{}", operator_banner(addr));
    }
    // actix stops on SIGINT/SIGTERM, letting in-flight requests finish within shutdown_timeout.
    server.await?;
    tracing::info!("stopped");
    Ok(())
}

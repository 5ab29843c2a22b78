//! The server's typed configuration, built once at start-up from the command line and the
//! environment (see [`crate::cli`]). Anything clap cannot check by type is checked here, and a
//! bad value is reported with the flag (and variable) that carries it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use insights_service::ServiceConfig;
use insights_store::{DatabaseUrl, SecretUrl, StoreConfig};
use rand::Rng;

use crate::cli::{DatabaseArgs, ServeArgs};
use crate::connections::ConnectionLimits;
use crate::http_server::FIRST_HEAD_TIMEOUT;

/// Shortest accepted HS256 secret: 256 bits, the hash size (RFC 7518 §3.2).
pub const MIN_SECRET_BYTES: usize = 32;

/// The file name of the embedded database inside the data folder.
pub const EMBEDDED_DB_FILE: &str = "insights.db";

/// A configuration value that cannot be used, naming where it came from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {flag}: {message}")]
pub struct ConfigError {
    /// The flag and its environment variable, e.g. `--bind (INSIGHTS_BIND)`.
    pub flag: &'static str,
    /// What is wrong with it.
    pub message: String,
}

/// Which database, and whether it is the embedded default.
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// Pool settings including the URL.
    pub store: StoreConfig,
    /// True when no URL was given and the embedded SQLite file is used.
    pub embedded: bool,
}

impl DatabaseConfig {
    /// Resolves the URL (or the embedded default) and the pool settings.
    pub fn from_args(args: &DatabaseArgs) -> Result<Self, ConfigError> {
        let given = args.database_url.as_ref().map(SecretUrl::expose);
        let (url, embedded) = match given.filter(|u| !u.is_empty()) {
            Some(raw) => (
                DatabaseUrl::parse(raw).map_err(|e| ConfigError {
                    flag: "--database-url (DATABASE_URL)",
                    message: e.to_string(),
                })?,
                false,
            ),
            None => (embedded_url(&args.data_dir)?, true),
        };
        let mut store = StoreConfig::new(url);
        if let Some(size) = args.pool_size {
            store.pool_size = size;
        }
        store.checkout_timeout = Duration::from_millis(args.checkout_timeout_ms);
        store.pipelined_reads = args.pipelined_reads;
        Ok(Self { store, embedded })
    }

    /// True on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        matches!(self.store.url, DatabaseUrl::Postgres(_))
    }
}

fn embedded_url(data_dir: &Path) -> Result<DatabaseUrl, ConfigError> {
    if !cfg!(feature = "sqlite") {
        return Err(ConfigError {
            flag: "--database-url (DATABASE_URL)",
            message: "required: this server was built without the `sqlite` feature, so it has \
                      no embedded database"
                .into(),
        });
    }
    let bad = |message: String| ConfigError {
        flag: "--data-dir (INSIGHTS_DATA_DIR)",
        message,
    };
    std::fs::create_dir_all(data_dir)
        .map_err(|e| bad(format!("cannot create {}: {e}", data_dir.display())))?;
    let path = data_dir.join(EMBEDDED_DB_FILE);
    let path = path
        .to_str()
        .ok_or_else(|| bad(format!("{} is not valid UTF-8", data_dir.display())))?;
    DatabaseUrl::parse(&format!("sqlite://{path}")).map_err(|e| bad(e.to_string()))
}

/// Where the token secret came from.
#[derive(Clone)]
pub enum Secret {
    /// Configured by the operator.
    Configured(Vec<u8>),
    /// Generated at start-up (demo mode): tokens die with the process.
    Generated(Vec<u8>),
}

impl Secret {
    /// The key bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            Self::Configured(b) | Self::Generated(b) => b,
        }
    }

    /// True in demo mode.
    pub fn is_generated(&self) -> bool {
        matches!(self, Self::Generated(_))
    }
}

impl std::fmt::Debug for Secret {
    // Never print key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Configured(_) => f.write_str("Secret::Configured(<hidden>)"),
            Self::Generated(_) => f.write_str("Secret::Generated(<hidden>)"),
        }
    }
}

/// Checks an operator-supplied secret.
pub fn configured_secret(raw: &str) -> Result<Secret, ConfigError> {
    if raw.len() < MIN_SECRET_BYTES {
        return Err(ConfigError {
            flag: "--jwt-secret (INSIGHTS_JWT_SECRET)",
            message: format!(
                "must be at least {MIN_SECRET_BYTES} bytes (got {}); e.g. `openssl rand -hex 32`",
                raw.len()
            ),
        });
    }
    Ok(Secret::Configured(raw.as_bytes().to_vec()))
}

fn generated_secret() -> Secret {
    let mut bytes = vec![0u8; 32];
    rand::rng().fill(bytes.as_mut_slice());
    Secret::Generated(bytes)
}

/// The reply timeout, which must leave a legitimate request time for its head and body to
/// arrive and its handler to answer: otherwise the connection would be dropped before the 408
/// or 503 that those limits give.
fn reply_timeout(
    args: &ServeArgs,
    request_timeout: Option<Duration>,
) -> Result<Duration, ConfigError> {
    let reply_timeout = Duration::from_millis(args.reply_timeout_ms);
    let longest_request = FIRST_HEAD_TIMEOUT
        + Duration::from_millis(args.body_timeout_ms)
        + request_timeout.unwrap_or_default();
    if reply_timeout <= longest_request {
        return Err(ConfigError {
            flag: "--reply-timeout-ms (INSIGHTS_REPLY_TIMEOUT_MS)",
            message: format!(
                "{} ms does not exceed the time a request may take: {} s for its head, plus the \
                 body timeout{} ({} ms in all); raise it or lower those",
                args.reply_timeout_ms,
                FIRST_HEAD_TIMEOUT.as_secs(),
                if request_timeout.is_some() {
                    " and the request timeout"
                } else {
                    ""
                },
                longest_request.as_millis()
            ),
        });
    }
    Ok(reply_timeout)
}

/// Everything `insights serve` needs, validated.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The database.
    pub database: DatabaseConfig,
    /// Listening address.
    pub bind: SocketAddr,
    /// Token secret.
    pub secret: Secret,
    /// Cache and engine tunables for the service layer.
    pub service: ServiceConfig,
    /// Per-request limit, PostgreSQL only (`None` on SQLite; see [`crate::cli::ServeArgs`]).
    pub request_timeout: Option<Duration>,
    /// Largest accepted JSON body in bytes.
    pub body_limit: usize,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// HTTP workers: the flag's value, or one per core.
    pub workers: usize,
    /// Client connection limits.
    pub connections: ConnectionLimits,
    /// Requests slower than this are logged with where their time went; `None`: never.
    pub slow_request: Option<Duration>,
    /// Grace period for in-flight requests at shutdown.
    pub shutdown_timeout: Duration,
    /// The data folder (for messages).
    pub data_dir: PathBuf,
    /// Read replica pool settings, when configured (PostgreSQL only: never without the
    /// `postgres` feature).
    pub read_replica: Option<StoreConfig>,
    /// Redis URL of the shared tier, when configured (printed with its password hidden).
    #[cfg(feature = "redis")]
    pub redis_url: Option<SecretUrl>,
    /// Redis key and channel prefix.
    #[cfg(feature = "redis")]
    pub redis_key_prefix: String,
    /// Whether `/` serves the dashboard.
    pub dashboard: bool,
}

impl ServeConfig {
    /// Validates the arguments.
    pub fn from_args(args: &ServeArgs) -> Result<Self, ConfigError> {
        let database = DatabaseConfig::from_args(&args.database)?;
        let secret = match args.jwt_secret.as_deref().filter(|s| !s.is_empty()) {
            Some(raw) => configured_secret(raw)?,
            None => generated_secret(),
        };
        if secret.is_generated() && !args.bind.ip().is_loopback() {
            // Demo mode prints a token anyone on the network could reuse: keep it local.
            return Err(ConfigError {
                flag: "--bind (INSIGHTS_BIND)",
                message: format!(
                    "{} is not a loopback address; without --jwt-secret (demo mode) the server \
                     listens on 127.0.0.1 only",
                    args.bind
                ),
            });
        }
        let body_limit = usize::try_from(args.body_limit_bytes).map_err(|_| ConfigError {
            flag: "--body-limit-bytes (INSIGHTS_BODY_LIMIT_BYTES)",
            message: "too large for this platform".into(),
        })?;
        #[cfg(feature = "postgres")]
        let read_replica = read_replica(args, &database)?;
        #[cfg(not(feature = "postgres"))]
        let read_replica: Option<StoreConfig> = None;
        #[cfg(feature = "redis")]
        let redis_url = redis_url(args)?;
        let request_timeout = database
            .is_postgres()
            .then(|| Duration::from_millis(args.request_timeout_ms));
        let reply_timeout = reply_timeout(args, request_timeout)?;
        let workers = args.workers.map_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            usize::from,
        );
        // One shard of PostgreSQL connections per HTTP worker, so that each connection is
        // driven by the worker whose requests use it (`StoreConfig::pool_shards`).
        let shards = u32::try_from(workers).unwrap_or(u32::MAX);
        // A statement cannot outlive its request on PostgreSQL (the server cancels it).
        let mut database = database;
        database.store.statement_timeout = request_timeout;
        database.store.pool_shards = shards;
        let read_replica = read_replica.map(|mut replica| {
            replica.statement_timeout = request_timeout;
            replica.pool_shards = shards;
            replica
        });
        Ok(Self {
            request_timeout,
            database,
            bind: args.bind,
            secret,
            service: ServiceConfig {
                cache_ttl: Duration::from_secs(args.cache_ttl_secs),
                cache_capacity: args.cache_capacity,
                cache_max_bytes: args.cache_max_bytes,
                // Both ranges are checked by clap and fit in usize on 64- and 32-bit targets
                // (the entry cap's range ends at 4 GiB, which only a 32-bit target clamps).
                cache_max_entry_bytes: usize::try_from(args.cache_max_entry_bytes)
                    .unwrap_or(usize::MAX),
                cache_max_entries_per_user: usize::try_from(args.cache_max_entries_per_user)
                    .unwrap_or(usize::MAX),
                recommendation_cooldown: Duration::from_secs(
                    args.recommendation_cooldown_days * 86_400,
                ),
                ..ServiceConfig::default()
            },
            body_limit,
            body_timeout: Duration::from_millis(args.body_timeout_ms),
            workers,
            connections: ConnectionLimits {
                // clap's range (at most 1,000,000) fits in usize on every target.
                max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
                send_timeout: (args.send_timeout_ms > 0)
                    .then(|| Duration::from_millis(args.send_timeout_ms)),
                reply_timeout,
            },
            slow_request: (args.slow_request_ms > 0)
                .then(|| Duration::from_millis(args.slow_request_ms)),
            shutdown_timeout: Duration::from_secs(args.shutdown_timeout_secs),
            data_dir: args.database.data_dir.clone(),
            read_replica,
            #[cfg(feature = "redis")]
            redis_url,
            #[cfg(feature = "redis")]
            redis_key_prefix: args.redis_key_prefix.clone(),
            dashboard: args.dashboard,
        })
    }
}

/// The read replica's pool settings: the primary's, with the replica's URL.
#[cfg(feature = "postgres")]
fn read_replica(
    args: &ServeArgs,
    database: &DatabaseConfig,
) -> Result<Option<StoreConfig>, ConfigError> {
    let read_replica_url = args.read_replica_url.as_ref().map(SecretUrl::expose);
    let Some(raw) = read_replica_url.filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let bad = |message: String| ConfigError {
        flag: "--read-replica-url (INSIGHTS_READ_REPLICA_URL)",
        message,
    };
    let url = DatabaseUrl::parse(raw).map_err(|e| bad(e.to_string()))?;
    if !matches!(url, DatabaseUrl::Postgres(_)) || !database.is_postgres() {
        return Err(bad("a read replica needs PostgreSQL for both URLs".into()));
    }
    let mut replica = database.store.clone();
    replica.url = url;
    Ok(Some(replica))
}

/// The shared tier's Redis URL, if one is given.
#[cfg(feature = "redis")]
fn redis_url(args: &ServeArgs) -> Result<Option<SecretUrl>, ConfigError> {
    match args.redis_url.as_ref().filter(|u| !u.expose().is_empty()) {
        None => Ok(None),
        Some(url)
            if url.expose().starts_with("redis://") || url.expose().starts_with("rediss://") =>
        {
            Ok(Some(url.clone()))
        }
        Some(_) => Err(ConfigError {
            flag: "--redis-url (INSIGHTS_REDIS_URL)",
            message: "expected redis://host:port[/db]".into(),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    fn serve_args(extra: &[&str]) -> ServeArgs {
        let dir = std::env::temp_dir().join("insights-config-test");
        let mut argv = vec!["insights", "serve", "--data-dir", dir.to_str().unwrap()];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Serve(args) => *args,
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    #[cfg(feature = "sqlite")]
    fn demo_mode_is_loopback_only_and_errors_name_the_flag() {
        let err = ServeConfig::from_args(&serve_args(&["--bind", "0.0.0.0:8080"])).unwrap_err();
        assert!(err.to_string().contains("--bind"), "{err}");
        let err = ServeConfig::from_args(&serve_args(&["--jwt-secret", "short"])).unwrap_err();
        assert!(err.to_string().contains("--jwt-secret"), "{err}");
        let err =
            ServeConfig::from_args(&serve_args(&["--database-url", "mysql://x/y"])).unwrap_err();
        assert!(err.to_string().contains("--database-url"), "{err}");
        let ok = ServeConfig::from_args(&serve_args(&[])).unwrap();
        assert!(ok.database.embedded && ok.secret.is_generated());
        assert_eq!(ok.request_timeout, None, "never a timeout on SQLite");
    }

    #[test]
    #[cfg(feature = "sqlite")]
    fn connections_are_bounded_by_default_and_the_send_timeout_can_be_switched_off() {
        let defaults = ServeConfig::from_args(&serve_args(&[]))
            .unwrap()
            .connections;
        assert_eq!(defaults.max_connections, 1024);
        assert_eq!(defaults.send_timeout, Some(Duration::from_secs(30)));
        let set = ServeConfig::from_args(&serve_args(&[
            "--max-connections",
            "10",
            "--send-timeout-ms",
            "0",
        ]))
        .unwrap();
        assert_eq!(set.connections.max_connections, 10);
        assert_eq!(set.connections.send_timeout, None);
        assert!(
            Cli::try_parse_from(["insights", "serve", "--max-connections", "0"]).is_err(),
            "at least one connection"
        );
    }

    #[test]
    fn the_slow_request_log_defaults_to_the_applications_threshold_and_0_turns_it_off() {
        let defaults = ServeConfig::from_args(&serve_args(&[])).unwrap();
        assert_eq!(
            defaults.slow_request,
            Some(crate::app::DEFAULT_SLOW_REQUEST)
        );
        let off = ServeConfig::from_args(&serve_args(&["--slow-request-ms", "0"])).unwrap();
        assert_eq!(off.slow_request, None);
    }

    #[test]
    #[cfg(all(feature = "sqlite", feature = "postgres"))]
    fn the_reply_timeout_must_outlast_the_body_and_request_timeouts() {
        let defaults = ServeConfig::from_args(&serve_args(&[])).unwrap();
        assert_eq!(defaults.connections.reply_timeout, Duration::from_secs(30));
        // SQLite has no request timeout: the head's 5 s and the body's time count.
        let sqlite = serve_args(&["--reply-timeout-ms", "15001"]);
        assert_eq!(
            ServeConfig::from_args(&sqlite)
                .unwrap()
                .connections
                .reply_timeout,
            Duration::from_millis(15_001)
        );
        let err = ServeConfig::from_args(&serve_args(&["--reply-timeout-ms", "15000"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--reply-timeout-ms") && err.contains("(15000 ms in all)"),
            "{err}"
        );
        // PostgreSQL: the request's time too.
        let postgres = |reply: &'static str| {
            ServeConfig::from_args(&serve_args(&[
                "--database-url",
                "postgres://app@db/insights",
                "--jwt-secret",
                "a-secret-of-at-least-thirty-two-bytes!",
                "--reply-timeout-ms",
                reply,
            ]))
        };
        let err = postgres("25000").unwrap_err().to_string();
        assert!(
            err.contains("and the request timeout (25000 ms in all)"),
            "{err}"
        );
        assert_eq!(
            postgres("25001").unwrap().connections.reply_timeout,
            Duration::from_millis(25_001)
        );
    }

    #[test]
    #[cfg(feature = "sqlite")]
    fn the_dashboard_is_on_unless_switched_off() {
        assert!(ServeConfig::from_args(&serve_args(&[])).unwrap().dashboard);
        assert!(
            ServeConfig::from_args(&serve_args(&["--dashboard"]))
                .unwrap()
                .dashboard
        );
        let off = ServeConfig::from_args(&serve_args(&["--dashboard=false"])).unwrap();
        assert!(!off.dashboard);
    }

    #[test]
    #[cfg(all(feature = "postgres", feature = "redis"))]
    fn no_url_password_reaches_debug_output_or_errors() {
        let args = serve_args(&[
            "--database-url",
            "postgres://app:hunter2@db/insights",
            "--read-replica-url",
            "postgres://app:hunter2@replica/insights?password=hunter2",
            "--redis-url",
            "redis://:hunter2@cache:6379",
        ]);
        let config = ServeConfig::from_args(&args).unwrap();
        let redis = config.redis_url.as_ref().unwrap();
        assert_eq!(redis.expose(), "redis://:hunter2@cache:6379");
        for shown in [format!("{args:?}"), format!("{config:#?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            for host in ["@db/", "@replica/", "@cache:"] {
                assert!(shown.contains(host), "{host} in {shown}");
            }
        }
        let rejected = [
            ["--database-url", "mysql://app:hunter2@db/x"],
            ["--read-replica-url", "mysql://app:hunter2@db/x"],
            ["--redis-url", "http://app:hunter2@cache"],
        ];
        for flags in rejected {
            let err = ServeConfig::from_args(&serve_args(&flags)).unwrap_err();
            assert!(!err.to_string().contains("hunter2"), "{err}");
            assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
        }
    }

    #[test]
    #[cfg(not(feature = "sqlite"))]
    fn without_sqlite_a_database_url_is_required() {
        let err = ServeConfig::from_args(&serve_args(&[])).unwrap_err();
        assert!(err.to_string().contains("--database-url"), "{err}");
        assert!(err.to_string().contains("`sqlite` feature"), "{err}");
    }

    #[test]
    #[cfg(not(feature = "redis"))]
    fn without_redis_there_is_no_redis_flag() {
        let err = Cli::try_parse_from(["insights", "serve", "--redis-url", "redis://h:6379"])
            .unwrap_err();
        assert!(err.to_string().contains("--redis-url"), "{err}");
    }

    #[test]
    fn clap_names_the_flag_of_a_mistyped_value() {
        let err = Cli::try_parse_from(["insights", "serve", "--pool-size", "0"]).unwrap_err();
        assert!(err.to_string().contains("--pool-size"), "{err}");
    }
}

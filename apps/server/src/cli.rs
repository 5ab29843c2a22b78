//! The command line: one binary, `insights`, with a subcommand per job. Every flag can also
//! come from the environment variable named in its help; clap rejects values of the wrong
//! type with a message naming the flag, and [`crate::config`] checks the rest.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use insights_store::SecretUrl;

/// The behavioral-insights API server and its operator tools.
#[derive(Debug, Parser)]
#[command(name = "insights", version, about, propagate_version = true)]
pub struct Cli {
    /// Log line format.
    #[arg(long, env = "INSIGHTS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API. Without DATABASE_URL: embedded SQLite in --data-dir with a demo user.
    Serve(Box<ServeArgs>),
    /// Apply pending migrations to the database (creates the tables on an empty database).
    Migrate(DatabaseArgs),
    /// Check that an existing database has every table and column the service needs. Read-only.
    CheckSchema(DatabaseArgs),
    /// Print an HS256 bearer token for a user, signed with the configured secret.
    Token(TokenArgs),
    /// Print the PostgreSQL index DDL this service relies on (to review or apply by hand).
    Indexes,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for log shippers).
    Json,
}

/// Where the database is and how the pool behaves.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// PostgreSQL (`postgres://…`) or SQLite (`sqlite://path`) URL; omitted: embedded SQLite at
    /// `<data-dir>/insights.db`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<SecretUrl>,
    /// Folder of the embedded SQLite database (created if missing).
    #[arg(long, env = "INSIGHTS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Most database connections held open (default: PostgreSQL twice the cores, 2 to 10;
    /// SQLite 4).
    #[arg(long, env = "INSIGHTS_POOL_SIZE", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub pool_size: Option<u32>,
    /// PostgreSQL: run each HTTP worker's effectiveness and evolution reads pipelined on one
    /// connection of its own, beside the pool (`--pipelined-reads=false`: reads check out pooled
    /// connections, as writes do). See docs/deployment.md.
    #[arg(long, env = "INSIGHTS_PIPELINED_READS", default_value_t = true, action = clap::ArgAction::Set,
          num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub pipelined_reads: bool,
    /// How long a request waits for a database connection before answering 503, in ms.
    #[arg(long, env = "INSIGHTS_CHECKOUT_TIMEOUT_MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub checkout_timeout_ms: u64,
}

/// `insights serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address to listen on. Without a configured secret (demo mode) only loopback is allowed.
    #[arg(long, env = "INSIGHTS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// PostgreSQL read replica for reads (users who just wrote keep reading from the primary).
    #[cfg(feature = "postgres")]
    #[arg(long, env = "INSIGHTS_READ_REPLICA_URL", hide_env_values = true)]
    pub read_replica_url: Option<SecretUrl>,
    /// Redis URL for the shared cache tier and cross-instance invalidation (optional; the
    /// service keeps answering from its local cache and the database when Redis is down).
    #[cfg(feature = "redis")]
    #[arg(long, env = "INSIGHTS_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<SecretUrl>,
    /// Prefix of every Redis key and of the invalidation channel; instances that share a
    /// cache must use the same one.
    #[cfg(feature = "redis")]
    #[arg(long, env = "INSIGHTS_REDIS_KEY_PREFIX", default_value = "insights")]
    pub redis_key_prefix: String,
    /// HS256 secret for bearer tokens (at least 32 bytes); omitted: a random one per start
    /// (demo mode).
    #[arg(long, env = "INSIGHTS_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// How long a cached response stays fresh, in seconds (0 disables caching).
    #[arg(long, env = "INSIGHTS_CACHE_TTL_SECS", default_value_t = 300)]
    pub cache_ttl_secs: u64,
    /// Most cached responses (0 disables caching).
    #[arg(long, env = "INSIGHTS_CACHE_CAPACITY", default_value_t = 10_000)]
    pub cache_capacity: usize,
    /// Most bytes the cached responses may hold together (with room for their gzip forms).
    /// Part of the memory budget of docs/reliability.md.
    #[arg(long, env = "INSIGHTS_CACHE_MAX_BYTES", default_value_t = 160 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub cache_max_bytes: u64,
    /// The largest response kept whole and cached, in bytes; a larger evolution answer is
    /// streamed as it is produced and not cached.
    #[arg(long, env = "INSIGHTS_CACHE_MAX_ENTRY_BYTES", default_value_t = 8 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=1 << 32))]
    pub cache_max_entry_bytes: u64,
    /// Most cached responses of one user, so that one user cannot push out everybody
    /// else's entries (a user also holds at most an eighth of the cache's bytes).
    #[arg(long, env = "INSIGHTS_CACHE_MAX_ENTRIES_PER_USER", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub cache_max_entries_per_user: u64,
    /// Days an applied or dismissed recommendation is not suggested again.
    #[arg(long, env = "INSIGHTS_RECOMMENDATION_COOLDOWN_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=3650))]
    pub recommendation_cooldown_days: u64,
    /// Per-request time limit in ms on PostgreSQL (503 when exceeded). Not applied on SQLite,
    /// where cancelling a running query would abort the worker.
    #[arg(long, env = "INSIGHTS_REQUEST_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub request_timeout_ms: u64,
    /// Largest accepted JSON body, in bytes.
    #[arg(long, env = "INSIGHTS_BODY_LIMIT_BYTES", default_value_t = 256 * 1024,
          value_parser = clap::value_parser!(u64).range(1..=64 * 1024 * 1024))]
    pub body_limit_bytes: u64,
    /// How long a request body may take to arrive, in ms, counted once its head has arrived;
    /// later, the request is answered 408 and its connection closed.
    #[arg(long, env = "INSIGHTS_BODY_TIMEOUT_MS", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub body_timeout_ms: u64,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "INSIGHTS_WORKERS", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,
    /// Most client connections held at once, shared among the HTTP workers; further clients
    /// wait in the listen backlog until one closes. A connection holds up to about 100 KiB of
    /// buffers while it writes to a slow client (docs/reliability.md).
    #[arg(long, env = "INSIGHTS_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// How long data sent to a client may stay unacknowledged, in ms, before the connection
    /// is closed: a client that stopped reading does not keep its connection and buffers.
    /// 0 keeps the operating system's behaviour. Linux only (`TCP_USER_TIMEOUT`).
    #[arg(long, env = "INSIGHTS_SEND_TIMEOUT_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub send_timeout_ms: u64,
    /// How long, in ms, the server may write nothing to a client that has sent something (since
    /// its first byte, or since the server's last byte, but not while an answer waits for the
    /// client to read it: the send timeout's job); later, the connection is closed. Bounds
    /// a request left unfinished after a connection's first one (the first is answered 408
    /// after 5 s). Must exceed 5 s for a request head plus the body timeout and, on
    /// PostgreSQL, the request timeout. On SQLite, which has no request timeout, it also ends
    /// a request whose handler takes longer.
    #[arg(long, env = "INSIGHTS_REPLY_TIMEOUT_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1_000..=3_600_000))]
    pub reply_timeout_ms: u64,
    /// Requests taking longer than this many ms are logged at warn with where their time
    /// went (waiting for a database connection, holding one, or neither); at most 10 lines a
    /// second. 0 turns the log off.
    #[arg(long, env = "INSIGHTS_SLOW_REQUEST_MS", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(0..=3_600_000))]
    pub slow_request_ms: u64,
    /// Seconds in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(long, env = "INSIGHTS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
    /// Serve the web dashboard at `/` (`--dashboard=false` turns it off; the API is unchanged).
    #[arg(long, env = "INSIGHTS_DASHBOARD", default_value_t = true, action = clap::ArgAction::Set,
          num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub dashboard: bool,
}

/// `insights token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The user id (`sub`).
    #[arg(long)]
    pub user: String,
    /// Mark the token as a trusted service (`role: "service"`), which may act for any user.
    #[arg(long)]
    pub service: bool,
    /// Lifetime: seconds, or a number with s, m, h or d (e.g. 90s, 15m, 12h, 7d).
    #[arg(long, default_value = "1h", value_parser = parse_ttl)]
    pub ttl: std::time::Duration,
    /// The server's HS256 secret.
    #[arg(long, env = "INSIGHTS_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: String,
}

/// Parses `3600`, `90s`, `15m`, `12h` or `7d`.
pub fn parse_ttl(raw: &str) -> Result<std::time::Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (digits, unit) = raw.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration like 3600, 90s, 15m, 12h or 7d"))?;
    let scale = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => return Err(format!("unknown unit {other:?}; use s, m, h or d")),
    };
    match n.checked_mul(scale) {
        Some(secs) if secs > 0 => Ok(std::time::Duration::from_secs(secs)),
        Some(_) => Err("the lifetime must be positive".into()),
        None => Err("the lifetime is too large".into()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn ttl_units() {
        assert_eq!(parse_ttl("90").unwrap().as_secs(), 90);
        assert_eq!(parse_ttl("15m").unwrap().as_secs(), 900);
        assert_eq!(parse_ttl("7d").unwrap().as_secs(), 604_800);
        assert!(parse_ttl("0").is_err());
        assert!(parse_ttl("1w").is_err());
        assert!(parse_ttl("h").is_err());
    }
}

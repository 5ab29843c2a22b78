//! Where the database is and how the pool behaves.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use crate::StoreError;

/// The backend chosen from the URL scheme. `Display` and `Debug` hide a password (see
/// [`redact`]), so the value can go into logs and error messages as it is.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
    /// `sqlite://path/to/file.db` (relative or absolute) or `sqlite:path`.
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Parses a URL; an unknown scheme is an error, never a silently created file, and so is the
    /// URL of a backend this build does not have (naming the feature that adds it).
    ///
    /// ```
    /// use insights_store::DatabaseUrl;
    /// let postgres = DatabaseUrl::parse("postgres://u@h/db");
    /// let sqlite = DatabaseUrl::parse("sqlite://data/insights.db");
    /// // Each backend only with its feature (both are on by default).
    /// assert_eq!(matches!(postgres, Ok(DatabaseUrl::Postgres(_))), cfg!(feature = "postgres"));
    /// assert_eq!(matches!(sqlite, Ok(DatabaseUrl::Sqlite(_))), cfg!(feature = "sqlite"));
    /// assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    /// assert!(DatabaseUrl::parse("insights.db").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let parsed = Self::parse_any(url)?;
        if parsed.is_compiled_in() {
            Ok(parsed)
        } else {
            Err(parsed.compiled_out())
        }
    }

    fn parse_any(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                StoreError::Config(format!(
                    "unsupported database URL {:?}: use postgres://… or sqlite://path",
                    redact(url)
                ))
            })?;
        if path.is_empty() || path == ":memory:" {
            // An in-memory database is private to one connection, so a pool would see several
            // empty databases.
            return Err(StoreError::Config(
                "sqlite URL needs a file path (in-memory databases do not work with a pool)".into(),
            ));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The backend's name, for logs and metrics; also the name of the crate feature that
    /// compiles the backend in.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }

    /// Whether this build of the store has the URL's backend (its feature is on).
    pub fn is_compiled_in(&self) -> bool {
        match self {
            Self::Postgres(_) => cfg!(feature = "postgres"),
            Self::Sqlite(_) => cfg!(feature = "sqlite"),
        }
    }

    /// The configuration error for a URL of a backend this build does not have.
    pub(crate) fn compiled_out(&self) -> StoreError {
        let feature = self.backend_name();
        StoreError::Config(format!(
            "{self} needs {feature} support, which this build does not have: it was compiled \
             without the `{feature}` feature of insights-store (the server and insights-service \
             forward a feature of the same name)"
        ))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postgres(url) => f.write_str(&redact(url)),
            Self::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postgres(url) => f.debug_tuple("Postgres").field(&redact(url)).finish(),
            Self::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
        }
    }
}

/// Any other URL that may carry a password (a Redis URL, say). Like [`DatabaseUrl`], its
/// `Display` and `Debug` hide the password; [`SecretUrl::expose`] gives the full URL to the
/// client that connects with it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    /// Wraps a URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The full URL, password included: only for connecting, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for SecretUrl {
    type Err = std::convert::Infallible;

    fn from_str(url: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(url))
    }
}

impl fmt::Display for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretUrl").field(&redact(&self.0)).finish()
    }
}

/// Hides the password of a URL before it is printed: the one in the user information
/// (`scheme://user:password@host`) and a `password=` query parameter. The user information is
/// taken to end at the *last* `@`, so a password containing an unencoded `@` or `/` is hidden
/// whole (a later `@` elsewhere only hides more than needed).
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let mut shown = match url[scheme_end..].rfind('@').map(|i| scheme_end + i) {
        Some(at) => match url[scheme_end..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end], &url[at..]),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    };
    if let Some(query) = shown.find('?') {
        let hidden: Vec<String> = shown[query + 1..]
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        shown = format!("{}?{}", &shown[..query], hidden.join("&"));
    }
    shown
}

/// Pool settings. `Debug` shows the URL with its password hidden.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Which database.
    pub url: DatabaseUrl,
    /// Most connections held open (SQLite writers serialise anyway; keep it small there).
    pub pool_size: u32,
    /// PostgreSQL only: how many shards the connections are split into, each used by the
    /// threads assigned to it round robin on their first checkout (1: one pool for every
    /// thread). A server whose requests run on N single-threaded runtimes (actix-web workers)
    /// sets N, so that every connection is driven by the thread whose requests use it; a thread
    /// then waits for its own shard's connections only. Never more shards than connections.
    pub pool_shards: u32,
    /// How long a request waits for a connection before the store reports `Unavailable`; also
    /// the limit of one PostgreSQL connection attempt.
    pub checkout_timeout: Duration,
    /// PostgreSQL only: `statement_timeout` of every pooled connection (the server ends a
    /// statement running longer), so a statement cannot outlive the request that issued it.
    /// `None` leaves the server's setting.
    pub statement_timeout: Option<Duration>,
    /// PostgreSQL only: run the effectiveness and evolution reads pipelined on one connection
    /// per shard, shared by every request of the shard's threads, instead of on pooled
    /// connections; the recommendation engine's inputs, writes and transactions keep using the
    /// pool (the engine's four reads had slower tails on the shared connection). Faster when
    /// each shard is used by one thread that serves many requests at once (a server's worker):
    /// the backend is kept busy and no read waits for a checkout. A read then waits for those sent before it on the same
    /// connection; once the connection has finished nothing for [`PIPELINED_READ_STALL`],
    /// new reads take pooled connections until it does. A dropped read is not cancelled: set
    /// [`Self::statement_timeout`] with it, so that an abandoned statement ends. Off by
    /// default: with one shard and many threads every read would share one backend.
    pub pipelined_reads: bool,
}

impl StoreConfig {
    /// Defaults: on PostgreSQL twice the cores this process may use, between 2 and 10
    /// connections (see [`default_postgres_pool_size`]); 4 on SQLite; 2 s checkout timeout; the
    /// server's statement timeout; reads on pooled connections.
    pub fn new(url: DatabaseUrl) -> Self {
        let pool_size = match url {
            DatabaseUrl::Postgres(_) => default_postgres_pool_size(),
            DatabaseUrl::Sqlite(_) => 4,
        };
        Self {
            url,
            pool_size,
            pool_shards: 1,
            checkout_timeout: Duration::from_secs(2),
            statement_timeout: None,
            pipelined_reads: false,
        }
    }
}

/// With [`StoreConfig::pipelined_reads`], how long a shared read connection may go without
/// finishing a read while reads wait on it before further reads take pooled connections
/// instead. The endpoints' reads take milliseconds, and under load one finishes every fraction
/// of a millisecond; a connection that finished none for this long is held up by one slow
/// statement (a lock, a huge user), and the reads queued behind it should not all wait for it.
pub const PIPELINED_READ_STALL: Duration = Duration::from_millis(50);

/// The default PostgreSQL pool: twice the cores this process may use, at least 2 and at most
/// 10 (the earlier fixed default).
///
/// Each pooled connection is a PostgreSQL backend that runs while its query runs. With the
/// database on the same 2-core machine, 10 connections meant up to 10 backends runnable beside
/// the HTTP workers, and single requests stalled for 0.1–0.3 s in 10 of 15 saturating uncached
/// 20 s runs (TCP loss probes on loopback by the dozen per run). With 4 connections the same 15
/// runs had no stall (every maximum under 100 ms), for 10–22 % less throughput at saturation
/// (docs/performance.md, "Tail spikes"). Queries wait for a connection in the pool instead of
/// for a core in the kernel. `INSIGHTS_POOL_SIZE` overrides it.
pub fn default_postgres_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    u32::try_from(cores.saturating_mul(2)).map_or(10, |n| n.clamp(2, 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "postgres")] // a PostgreSQL URL does not parse without the feature
    fn the_default_postgres_pool_follows_the_cores_within_bounds() {
        let size = default_postgres_pool_size();
        assert!((2..=10).contains(&size), "{size}");
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        assert_eq!(size as usize, (2 * cores).clamp(2, 10));
        let url = DatabaseUrl::parse("postgres://u@h/db").expect("valid url");
        assert_eq!(StoreConfig::new(url).pool_size, size);
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
        assert_eq!(redact("redis://:secret@h:6379/0"), "redis://:***@h:6379/0");
        assert_eq!(redact("not a url"), "not a url");
    }

    /// URLs whose password is `hunter2`, some in a place a naive redaction would miss.
    const AWKWARD: &[&str] = &[
        "postgres://u:hunter2@h/db",
        "postgresql://u:hun@ter2@h:5432/db",
        "postgres://u:hun/ter2@h/db",
        "postgres://u:hunter2@h/db?sslmode=require&application_name=a@b",
        "postgres://u@h/db?password=hunter2",
        "postgres://h/db?sslmode=disable&PASSWORD=hunter2&x=1",
        "redis://:hunter2@h:6379",
        "rediss://default:hunter2@h:6380/2",
    ];

    fn assert_hidden(shown: &str) {
        for part in ["hunter2", "hun", "ter2"] {
            assert!(!shown.contains(part), "{shown:?} shows {part:?}");
        }
    }

    #[test]
    fn the_password_never_appears_in_redacted_urls() {
        for url in AWKWARD {
            let shown = redact(url);
            assert_hidden(&shown);
            assert!(shown.contains("***"), "{shown:?}");
            if !url.contains("a@b") {
                assert!(shown.contains("@h") || shown.contains("//h/"), "{shown:?}");
            }
        }
    }

    #[test]
    #[cfg(all(feature = "postgres", feature = "sqlite"))]
    fn database_urls_and_store_configs_never_print_the_password() {
        for url in AWKWARD.iter().filter(|u| u.starts_with("postgres")) {
            let parsed = DatabaseUrl::parse(url).expect("postgres url");
            let config = StoreConfig::new(parsed.clone());
            for shown in [
                parsed.to_string(),
                format!("{parsed:?}"),
                format!("{config:?}"),
                format!("{config:#?}"),
            ] {
                assert_hidden(&shown);
            }
            assert!(matches!(&parsed, DatabaseUrl::Postgres(full) if full == url));
        }
        let sqlite = DatabaseUrl::parse("sqlite://data/x.db").expect("sqlite url");
        assert_eq!(sqlite.to_string(), "sqlite://data/x.db");
        assert_eq!(format!("{sqlite:?}"), r#"Sqlite("data/x.db")"#);
    }

    #[test]
    fn a_backend_compiled_out_is_a_config_error_naming_its_feature_without_the_password() {
        for url in AWKWARD.iter().filter(|u| u.starts_with("postgres")) {
            let parsed = DatabaseUrl::parse_any(url).expect("well-formed");
            let err = parsed.compiled_out();
            assert!(matches!(err, StoreError::Config(_)), "{err:?}");
            assert_hidden(&err.to_string());
            assert!(err.to_string().contains("`postgres` feature"), "{err}");
            assert_eq!(DatabaseUrl::parse(url).is_ok(), cfg!(feature = "postgres"));
        }
        let sqlite = DatabaseUrl::parse_any("sqlite://data/x.db").expect("well-formed");
        assert!(
            sqlite
                .compiled_out()
                .to_string()
                .contains("`sqlite` feature")
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").is_ok(),
            cfg!(feature = "sqlite")
        );
    }

    #[test]
    fn secret_urls_print_redacted_and_connect_with_the_full_url() {
        for url in AWKWARD {
            let secret: SecretUrl = url.parse().expect("infallible");
            assert_hidden(&secret.to_string());
            assert_hidden(&format!("{secret:?}"));
            assert_hidden(&format!("{:?}", Some(secret.clone())));
            assert_eq!(secret.expose(), *url);
        }
    }

    #[test]
    fn an_unsupported_url_is_reported_without_its_password() {
        let err = DatabaseUrl::parse("mysql://u:hunter2@h/db").expect_err("unsupported");
        assert_hidden(&err.to_string());
        assert_hidden(&format!("{err:?}"));
    }
}

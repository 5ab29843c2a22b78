//! Where the database is and how the pool behaves.

use std::path::PathBuf;
use std::time::Duration;

use crate::StoreError;

/// The backend chosen from the URL scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
    /// `sqlite://path/to/file.db` (relative or absolute) or `sqlite:path`.
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Parses a URL; an unknown scheme is an error, never a silently created file.
    ///
    /// ```
    /// use insights_store::DatabaseUrl;
    /// assert!(matches!(DatabaseUrl::parse("postgres://u@h/db"), Ok(DatabaseUrl::Postgres(_))));
    /// assert!(matches!(DatabaseUrl::parse("sqlite://data/insights.db"), Ok(DatabaseUrl::Sqlite(_))));
    /// assert!(DatabaseUrl::parse("mysql://h/db").is_err());
    /// assert!(DatabaseUrl::parse("insights.db").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Self, StoreError> {
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

    /// The backend's name, for logs and metrics.
    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }
}

/// Hides a password in a URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Which database.
    pub url: DatabaseUrl,
    /// Most connections held open (SQLite writers serialise anyway; keep it small there).
    pub pool_size: u32,
    /// How long a request waits for a connection before the store reports `Unavailable`; also
    /// the limit of one PostgreSQL connection attempt.
    pub checkout_timeout: Duration,
    /// PostgreSQL only: `statement_timeout` of every pooled connection (the server ends a
    /// statement running longer), so a statement cannot outlive the request that issued it.
    /// `None` leaves the server's setting.
    pub statement_timeout: Option<Duration>,
}

impl StoreConfig {
    /// Defaults: 10 connections on PostgreSQL, 4 on SQLite, 2 s checkout timeout, the server's
    /// statement timeout.
    pub fn new(url: DatabaseUrl) -> Self {
        let pool_size = match url {
            DatabaseUrl::Postgres(_) => 10,
            DatabaseUrl::Sqlite(_) => 4,
        };
        Self {
            url,
            pool_size,
            checkout_timeout: Duration::from_secs(2),
            statement_timeout: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.db"), "sqlite://x.db");
    }
}

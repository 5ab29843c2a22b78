//! The store's one error type.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What can go wrong in the store, classified so the server can pick a status code.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// The caller may not touch the row.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The write conflicts with the row's state (e.g. already applied).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// The database cannot be reached in time: pool checkout timed out, connection refused or
    /// dropped. Retrying later may succeed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database URL or pool settings are unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The database does not have the tables and columns this service needs.
    #[error("schema mismatch:\n{}", .0.join("\n"))]
    Schema(Vec<String>),
    /// Running migrations failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// Any other database error (a bug or a constraint we did not expect).
    #[error(transparent)]
    Query(DieselError),
}

impl From<DieselError> for StoreError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => StoreError::NotFound("row"),
            // A connection that died under us (server restart, network) is unavailability,
            // not a bug: the pool discards the broken connection and the next request recovers.
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => StoreError::Unavailable(info.message().to_owned()),
            // SQLite's write lock stayed taken for the whole busy timeout: the database is
            // overloaded, not broken; a retry later succeeds.
            DieselError::DatabaseError(_, info) if is_sqlite_busy(info.message()) => {
                StoreError::Unavailable(info.message().to_owned())
            }
            DieselError::BrokenTransactionManager => {
                StoreError::Unavailable("connection left in a broken transaction state".into())
            }
            other => StoreError::Query(other),
        }
    }
}

/// SQLite's messages for `SQLITE_BUSY` and `SQLITE_LOCKED` (diesel reports them as
/// `DatabaseErrorKind::Unknown`, with the text of `sqlite3_errmsg`).
fn is_sqlite_busy(message: &str) -> bool {
    matches!(
        message,
        "database is locked" | "database table is locked" | "database schema is locked"
    )
}

impl From<diesel::ConnectionError> for StoreError {
    fn from(err: diesel::ConnectionError) -> Self {
        StoreError::Unavailable(err.to_string())
    }
}

impl From<bb8::RunError<diesel_async::pooled_connection::PoolError>> for StoreError {
    fn from(err: bb8::RunError<diesel_async::pooled_connection::PoolError>) -> Self {
        match err {
            bb8::RunError::TimedOut => {
                StoreError::Unavailable("timed out waiting for a database connection".into())
            }
            bb8::RunError::User(inner) => StoreError::Unavailable(inner.to_string()),
        }
    }
}

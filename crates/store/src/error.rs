//! The store's one error type. Each variant says what happened in typed fields, so callers
//! branch on variants, never on message text; the underlying driver or I/O error, when there is
//! one, is the error's [`source`](std::error::Error::source).

use std::fmt;
use std::path::PathBuf;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// An underlying error kept as the source of a [`StoreError`].
type Source = Box<dyn std::error::Error + Send + Sync>;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The row does not exist.
    #[error("{0} not found")]
    NotFound(Entity),
    /// The row belongs to another user than the acting one.
    #[error("{0} belongs to another user")]
    Forbidden(Entity),
    /// The write conflicts with the row's state.
    #[error("conflict: {0}")]
    Conflict(ConflictKind),
    /// The database cannot be used now: pool checkout timed out, connection refused or
    /// dropped, SQLite busy. Retrying later may succeed.
    #[error(transparent)]
    Unavailable(Outage),
    /// The database URL or pool settings are unusable (the message names the setting).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The directory of an SQLite file could not be created.
    #[error("cannot create the database directory {}", .path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database does not have the tables and columns this service needs; one line per
    /// mismatch.
    #[error("schema mismatch:\n{}", .0.join("\n"))]
    Schema(Vec<String>),
    /// Running migrations failed.
    #[error("migration failed")]
    Migration(#[source] Source),
    /// A value could not be encoded for a JSON column.
    #[error("cannot encode the {what} as JSON")]
    Encode {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// Any other database error (a bug or a constraint we did not expect).
    #[error(transparent)]
    Query(DieselError),
}

/// A kind of stored row, as named by [`StoreError::NotFound`] and [`StoreError::Forbidden`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Entity {
    /// A recommendation.
    Recommendation,
    /// A row a statement expected without saying which (diesel's `NotFound`).
    Row,
}

impl Entity {
    /// The entity's name in messages, lower case: `"recommendation"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Recommendation => "recommendation",
            Self::Row => "row",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a write conflicts with the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConflictKind {
    /// The recommendation was applied before.
    AlreadyApplied,
}

impl fmt::Display for ConflictKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AlreadyApplied => "recommendation already applied",
        })
    }
}

/// Why the database could not be used ([`StoreError::Unavailable`]), with the driver's error
/// as the source when there is one.
#[derive(Debug, thiserror::Error)]
#[error("database unavailable: {kind}")]
pub struct Outage {
    kind: OutageKind,
    #[source]
    source: Option<Source>,
}

impl Outage {
    /// An outage of `kind` caused by `source`.
    pub fn new(kind: OutageKind, source: impl Into<Source>) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// An outage of `kind` with no underlying error to report.
    pub fn without_source(kind: OutageKind) -> Self {
        Self { kind, source: None }
    }

    /// What kind of outage this is.
    pub fn kind(&self) -> &OutageKind {
        &self.kind
    }
}

/// The kinds of [`Outage`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutageKind {
    /// No pooled connection became free within the checkout timeout.
    PoolTimeout,
    /// A connection could not be opened.
    Connect,
    /// A connection broke while in use (server restart, network).
    ConnectionLost,
    /// SQLite's write lock stayed taken for the whole busy timeout: overloaded, not broken.
    Busy,
    /// A connection was left in a broken transaction state.
    BrokenTransaction,
    /// PostgreSQL cancelled the statement with SQLSTATE 40001 (`serialization_failure`); the
    /// same statement may succeed when run again. We set no isolation level, so at PostgreSQL's
    /// default (READ COMMITTED) this comes from a hot standby: it cancels a query that holds
    /// back the replay of the primary's changes (a recovery conflict: a lock or rows the primary
    /// removed) once `max_standby_streaming_delay` has passed, and the session goes on. On the
    /// primary it is the serialization failure of a stricter `default_transaction_isolation`
    /// (the transaction was rolled back). A recovery conflict that ends the session is a
    /// [`ConnectionLost`](Self::ConnectionLost), matched by its English message; under another
    /// language it arrives as this kind, and the pool drops the dead connection by its own
    /// closed check.
    SerializationFailure,
    /// The store's probe found the database unreachable: queries fail at once until the probe,
    /// which retries in the background, reconnects.
    Down {
        /// The probe's last error, as text (it is shared by every query refused meanwhile).
        last_error: String,
    },
}

impl fmt::Display for OutageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PoolTimeout => f.write_str("timed out waiting for a database connection"),
            Self::Connect => f.write_str("cannot connect"),
            Self::ConnectionLost => f.write_str("the connection was lost"),
            Self::Busy => f.write_str("the SQLite database stayed locked"),
            Self::BrokenTransaction => f.write_str("connection left in a broken transaction state"),
            Self::SerializationFailure => f.write_str(
                "the statement was cancelled by a conflict (on a standby: with the changes it replays)",
            ),
            Self::Down { last_error } => write!(
                f,
                "database unreachable ({last_error}); retried in the background"
            ),
        }
    }
}

impl From<Outage> for StoreError {
    fn from(outage: Outage) -> Self {
        Self::Unavailable(outage)
    }
}

impl From<DieselError> for StoreError {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::NotFound => StoreError::NotFound(Entity::Row),
            // A connection that died under us (server restart, network) is unavailability,
            // not a bug: the pool discards the broken connection and the next request recovers.
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Outage::new(OutageKind::ConnectionLost, err).into(),
            // The server ended the session under a running statement (a fast shutdown,
            // `pg_terminate_backend`, a recovery conflict on a standby): the connection is gone
            // as surely as above, though the statement failed with a SQLSTATE.
            DieselError::DatabaseError(_, ref info) if is_session_terminated(info.message()) => {
                Outage::new(OutageKind::ConnectionLost, err).into()
            }
            // SQLite's write lock stayed taken for the whole busy timeout: the database is
            // overloaded, not broken; a retry later succeeds.
            DieselError::DatabaseError(_, ref info) if is_sqlite_busy(info.message()) => {
                Outage::new(OutageKind::Busy, err).into()
            }
            DieselError::BrokenTransactionManager => {
                Outage::new(OutageKind::BrokenTransaction, err).into()
            }
            // Matched by SQLSTATE (diesel keeps 40001 as this kind), so in any language.
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                Outage::new(OutageKind::SerializationFailure, err).into()
            }
            other => StoreError::Query(other),
        }
    }
}

/// PostgreSQL's messages for a `FATAL` error that ends the session: above all SQLSTATE 57P01
/// `admin_shutdown` (a fast shutdown, `pg_terminate_backend`), which arrives under a running
/// statement; also a recovery conflict on a standby and a lost protocol synchronisation. Each
/// begins "terminating connection", and after each the server closes the connection. (A crash
/// or immediate shutdown only warns before closing the socket: that arrives as a closed
/// connection.) diesel keeps the message of a PostgreSQL error but not its SQLSTATE, so the
/// message is what can be matched: in English, PostgreSQL's default `lc_messages` (under
/// another language such an error stays a [`StoreError::Query`]); a function that raises an
/// error with such a text would be matched too.
fn is_session_terminated(message: &str) -> bool {
    message.starts_with("terminating connection")
}

/// SQLite's messages for `SQLITE_BUSY` and `SQLITE_LOCKED` (diesel reports them as
/// `DatabaseErrorKind::Unknown`, with the text of `sqlite3_errmsg`: the message is the only
/// place the driver says which error it was).
fn is_sqlite_busy(message: &str) -> bool {
    matches!(
        message,
        "database is locked" | "database table is locked" | "database schema is locked"
    )
}

impl From<diesel::ConnectionError> for StoreError {
    fn from(err: diesel::ConnectionError) -> Self {
        Outage::new(OutageKind::Connect, err).into()
    }
}

impl From<diesel_async::pooled_connection::PoolError> for StoreError {
    fn from(err: diesel_async::pooled_connection::PoolError) -> Self {
        Outage::new(OutageKind::Connect, err).into()
    }
}

impl From<bb8::RunError<diesel_async::pooled_connection::PoolError>> for StoreError {
    fn from(err: bb8::RunError<diesel_async::pooled_connection::PoolError>) -> Self {
        match err {
            bb8::RunError::TimedOut => Outage::without_source(OutageKind::PoolTimeout).into(),
            bb8::RunError::User(inner) => inner.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn outages_keep_their_cause_as_the_source() {
        let err = StoreError::from(DieselError::BrokenTransactionManager);
        match &err {
            StoreError::Unavailable(outage) => {
                assert_eq!(outage.kind(), &OutageKind::BrokenTransaction);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "database unavailable: connection left in a broken transaction state"
        );
        assert!(err.source().is_some(), "the diesel error is kept");
        let timeout = StoreError::from(bb8::RunError::TimedOut);
        assert!(timeout.source().is_none());
        assert_eq!(
            timeout.to_string(),
            "database unavailable: timed out waiting for a database connection"
        );
    }

    #[test]
    fn typed_payloads_read_as_before() {
        assert_eq!(
            StoreError::NotFound(Entity::Recommendation).to_string(),
            "recommendation not found"
        );
        assert_eq!(
            StoreError::Conflict(ConflictKind::AlreadyApplied).to_string(),
            "conflict: recommendation already applied"
        );
        assert!(matches!(
            StoreError::from(DieselError::NotFound),
            StoreError::NotFound(Entity::Row)
        ));
    }

    #[test]
    fn a_session_ended_by_the_server_is_a_lost_connection_not_a_query_error() {
        let failed = |kind, message: &str| {
            StoreError::from(DieselError::DatabaseError(
                kind,
                Box::new(message.to_owned()),
            ))
        };
        for (kind, message) in [
            (
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
            (
                DatabaseErrorKind::SerializationFailure,
                "terminating connection due to conflict with recovery",
            ),
        ] {
            match failed(kind, message) {
                StoreError::Unavailable(outage) => {
                    assert_eq!(outage.kind(), &OutageKind::ConnectionLost, "{message}");
                }
                other => panic!("{message}: {other:?}"),
            }
        }
        assert!(matches!(
            failed(DatabaseErrorKind::Unknown, "relation \"x\" does not exist"),
            StoreError::Query(_)
        ));
    }

    #[test]
    fn a_statement_a_standby_cancels_for_its_replay_is_an_outage_to_retry() {
        // diesel's kind for SQLSTATE 40001, whatever the message's language.
        let cancelled = StoreError::from(DieselError::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new("canceling statement due to conflict with recovery".to_owned()),
        ));
        match cancelled {
            StoreError::Unavailable(outage) => {
                assert_eq!(outage.kind(), &OutageKind::SerializationFailure);
            }
            other => panic!("{other:?}"),
        }
    }
}

//! Whether the database can be reached, shared by every checkout, the readiness route and one
//! background probe per store.
//!
//! Without it, every request during an outage waits the whole checkout timeout before its 503:
//! bb8 keeps retrying connections in the background and a waiting checkout only ever sees a
//! timeout. Here, the first connection attempt that fails as *unreachable* (refused, reset,
//! closed during the handshake, connect timeout, a server starting up or shutting down) marks
//! the database down: waiting checkouts are released at once and later ones fail before
//! touching the pool, each as [`StoreError::Unavailable`]. One background probe reconnects
//! every [`RECOVERY_PROBE_INTERVAL`] and marks the database up again, after which checkouts
//! resume by themselves. A database that is merely slow (all connections busy, a long query,
//! "too many clients") is never marked down: its requests still wait up to the checkout
//! timeout.
//!
//! The same probe serves readiness: [`Health::readiness`] answers from the state without any
//! I/O, and asks the probe for a fresh `SELECT 1` (on the probe's own connection, never a pool
//! connection) when the last confirmation is older than [`READINESS_MAX_AGE`]. There is one
//! probe task per store, so at most one probe is in flight whatever the number of callers.
//!
//! Only PostgreSQL connections and the probe (`postgres::probe`) change the state: an SQLite
//! file is always reachable, so without the `postgres` feature the state stays [`Reachability::Up`]
//! and most of this module is unused.
#![cfg_attr(
    not(feature = "postgres"),
    allow(
        dead_code,
        reason = "only PostgreSQL connections drive the health state"
    )
)]

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

use crate::StoreError;
use crate::error::{Outage, OutageKind};

/// How often the probe tries to reconnect while the database is down.
pub const RECOVERY_PROBE_INTERVAL: Duration = Duration::from_millis(250);

/// How old the last confirmation that the database answers may be before a readiness call asks
/// the probe for a new one.
pub const READINESS_MAX_AGE: Duration = Duration::from_secs(1);

/// Whether the database can be reached, as last observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reachability {
    /// The last connection attempt or probe succeeded (or nothing has failed yet).
    Up,
    /// A connection attempt failed as unreachable; the probe has not reconnected since.
    Down {
        /// The error that marked it down.
        error: String,
    },
}

impl Reachability {
    /// True for [`Reachability::Up`].
    pub fn is_up(&self) -> bool {
        matches!(self, Self::Up)
    }
}

/// The shared state of one store's database.
#[derive(Debug)]
pub(crate) struct Health {
    status: watch::Sender<Reachability>,
    /// When the database last answered a connection attempt or a probe.
    last_confirmed: Mutex<Instant>,
    /// Wakes the probe (database marked down, readiness wants a fresh answer, store dropped).
    wakeup: Arc<Notify>,
}

impl Drop for Health {
    fn drop(&mut self) {
        // Lets the probe task see that the store is gone and end.
        self.wakeup.notify_one();
    }
}

impl Health {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            status: watch::Sender::new(Reachability::Up),
            last_confirmed: Mutex::new(Instant::now()),
            wakeup: Arc::new(Notify::new()),
        })
    }

    /// The notifier that wakes the probe.
    pub(crate) fn wakeup(&self) -> Arc<Notify> {
        Arc::clone(&self.wakeup)
    }

    pub(crate) fn reachability(&self) -> Reachability {
        self.status.borrow().clone()
    }

    /// `Err(Unavailable)` at once while the database is known to be down.
    pub(crate) fn admit(&self) -> Result<(), StoreError> {
        match &*self.status.borrow() {
            Reachability::Up => Ok(()),
            Reachability::Down { error } => Err(unavailable(error)),
        }
    }

    /// Resolves when the database is marked down (never, while it stays up), with the error
    /// to report. Lets a checkout that waits on the pool give up at once.
    pub(crate) async fn went_down(&self) -> StoreError {
        let mut receiver = self.status.subscribe();
        // The guard `wait_for` returns must not live across an await (it is not `Send`).
        let error = match receiver.wait_for(|s| !s.is_up()).await {
            Ok(status) => match &*status {
                Reachability::Down { error } => Some(unavailable(error)),
                Reachability::Up => Some(unavailable("database unreachable")),
            },
            Err(_) => None,
        };
        match error {
            Some(error) => error,
            // The sender lives as long as `self`; without it there is nothing to wait for.
            None => std::future::pending().await,
        }
    }

    pub(crate) fn mark_up(&self) {
        *self
            .last_confirmed
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Instant::now();
        self.status.send_if_modified(|s| {
            if s.is_up() {
                false
            } else {
                tracing::info!("database reachable again");
                *s = Reachability::Up;
                true
            }
        });
    }

    pub(crate) fn mark_down(&self, error: &str) {
        let changed = self.status.send_if_modified(|s| {
            if s.is_up() {
                *s = Reachability::Down {
                    error: error.to_owned(),
                };
                true
            } else {
                false
            }
        });
        if changed {
            tracing::warn!(%error, "database unreachable: failing fast until a probe reconnects");
            self.wakeup.notify_one();
        }
    }

    /// Records the outcome of a failed connection attempt: unreachable marks the database down,
    /// anything else (authentication, too many clients, …) leaves the state alone.
    pub(crate) fn connect_failed(&self, error: &str) {
        if is_unreachable(error) {
            self.mark_down(error);
        }
    }

    /// The state, for readiness probes; asks the probe for a fresh answer when the last one is
    /// older than [`READINESS_MAX_AGE`] (without waiting for it).
    pub(crate) fn readiness(&self) -> Reachability {
        let age = self
            .last_confirmed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed();
        if age > READINESS_MAX_AGE {
            self.wakeup.notify_one();
        }
        self.reachability()
    }
}

fn unavailable(error: &str) -> StoreError {
    Outage::without_source(OutageKind::Down {
        last_error: error.to_owned(),
    })
    .into()
}

/// Whether a connection error means the server cannot be reached (as opposed to refusing this
/// client for a reason that retrying at once would not fix either, but that says nothing about
/// the server being down). tokio-postgres reports the kind only in its message.
pub(crate) fn is_unreachable(error: &str) -> bool {
    const UNREACHABLE: [&str; 6] = [
        "error connecting to server",
        "error communicating with the server",
        "connection closed",
        "timed out",
        "the database system is",
        "No route to host",
    ];
    UNREACHABLE.iter().any(|m| error.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_and_reset_are_unreachable_but_overload_is_not() {
        assert!(is_unreachable(
            "error connecting to server: Connection refused (os error 111)"
        ));
        assert!(is_unreachable(
            "error communicating with the server: Connection reset by peer (os error 104)"
        ));
        assert!(is_unreachable(
            "db error: FATAL: the database system is starting up"
        ));
        assert!(is_unreachable("connect timed out after 2000 ms"));
        assert!(!is_unreachable(
            "db error: FATAL: sorry, too many clients already"
        ));
        assert!(!is_unreachable(
            "db error: FATAL: password authentication failed for user \"x\""
        ));
    }

    #[tokio::test]
    async fn down_releases_waiters_and_up_admits_again() {
        let health = Health::new();
        assert!(health.admit().is_ok());
        let waiter = {
            let health = Arc::clone(&health);
            tokio::spawn(async move { health.went_down().await })
        };
        health.connect_failed("error connecting to server: Connection refused");
        let error = waiter.await.expect("waiter");
        assert!(matches!(error, StoreError::Unavailable(_)), "{error}");
        assert!(health.admit().is_err());
        health.mark_up();
        assert!(health.admit().is_ok());
    }
}

//! One in-flight load of one key, shared by the caller running it (the leader) and the
//! callers waiting for it.

use std::any::Any;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

use crate::tags::{TagStamps, stamps_are_current};

/// A loader error, type-erased so that one flight table serves loaders of any error type.
pub(crate) type SharedError = Arc<dyn Any + Send + Sync>;

/// How a flight ended, as seen by its waiters.
#[derive(Clone)]
pub(crate) enum Outcome<V> {
    Loaded(V),
    Failed(SharedError),
    /// The leader's future was dropped before its loader finished: a waiter takes over.
    Abandoned,
}

pub(crate) struct Flight<V> {
    outcome: Mutex<Option<Outcome<V>>>,
    finished: Notify,
    /// Tag generations when the load started; the result is stored only if still current.
    stamps: TagStamps,
    /// `clear` epoch when the load started.
    epoch: u64,
    /// Set by `remove(key)` while this load runs.
    key_invalidated: AtomicBool,
}

impl<V: Clone> Flight<V> {
    pub(crate) fn new(stamps: TagStamps, epoch: u64) -> Self {
        Self {
            outcome: Mutex::new(None),
            finished: Notify::new(),
            stamps,
            epoch,
            key_invalidated: AtomicBool::new(false),
        }
    }

    pub(crate) fn invalidate_key(&self) {
        self.key_invalidated.store(true, Ordering::SeqCst);
    }

    /// False once the key, one of the load's tags, or the whole cache was invalidated after
    /// the load started: its result must then not be stored, and new callers must not join.
    pub(crate) fn is_current(&self, current_epoch: u64) -> bool {
        !self.key_invalidated.load(Ordering::SeqCst)
            && self.epoch == current_epoch
            && stamps_are_current(&self.stamps)
    }

    pub(crate) fn stamps(&self) -> &TagStamps {
        &self.stamps
    }

    /// Publishes the outcome and wakes every waiter. Only the first outcome counts.
    pub(crate) fn finish(&self, outcome: Outcome<V>) {
        {
            // A panic while holding this lock cannot leave the Option half-written.
            let mut slot = self.outcome.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.is_none() {
                *slot = Some(outcome);
            }
        }
        self.finished.notify_waiters();
    }

    fn outcome(&self) -> Option<Outcome<V>> {
        self.outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits for the outcome. Cancel-safe: dropping this future affects no one else.
    pub(crate) async fn wait(&self) -> Outcome<V> {
        loop {
            let mut notified = pin!(self.finished.notified());
            // Registering before checking closes the gap where `finish` runs between the check
            // and the registration (notify_waiters only wakes registered waiters).
            notified.as_mut().enable();
            if let Some(outcome) = self.outcome() {
                return outcome;
            }
            notified.await;
        }
    }
}

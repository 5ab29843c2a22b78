//! Counting the SQL statements each repository call issues (diesel instrumentation), so tests
//! and `/metrics` can prove that a request costs a fixed number of statements however much data
//! a user has.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent};

use crate::pool::Progress;

tokio::task_local! {
    static REQUEST_STATEMENTS: Arc<AtomicU64>;
}

/// A shared statement tally.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// A tally at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Statements counted so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// Runs `fut` so that every statement the store issues inside it (on this task) is added to
    /// this counter. Nested scopes count into the innermost one only.
    pub async fn scope<F: Future>(&self, fut: F) -> F::Output {
        REQUEST_STATEMENTS.scope(self.0.clone(), fut).await
    }

    /// The counter of the enclosing [`StatementCounter::scope`], if any; hand it to work spawned
    /// onto other tasks so their statements still count for the request.
    pub fn current() -> Option<Self> {
        REQUEST_STATEMENTS.try_with(|c| Self(c.clone())).ok()
    }
}

/// Diesel instrumentation that counts started and finished statements. The callback may run on
/// a blocking thread (SQLite), so it cannot use task-locals itself.
pub(crate) struct CountingInstrumentation(pub(crate) Arc<Progress>);

impl Instrumentation for CountingInstrumentation {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                self.0.started.fetch_add(1, Ordering::Relaxed);
            }
            InstrumentationEvent::FinishQuery { .. } => {
                self.0.finished.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }
}

/// Adds a finished checkout's statements to the store total and the enclosing request scope.
pub(crate) fn record(total: &StatementCounter, n: u64) {
    total.add(n);
    let _ = REQUEST_STATEMENTS.try_with(|c| c.fetch_add(n, Ordering::Relaxed));
}

//! Counting the SQL statements each repository call issues (diesel instrumentation), so tests
//! and `/metrics` can prove that a request costs a fixed number of statements however much data
//! a user has; and timing the connections they ran on, so that a slow request can say whether
//! it waited for the pool, held a connection, or lost its time elsewhere.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};

use crate::pool::Progress;

tokio::task_local! {
    static REQUEST_STATEMENTS: Arc<Tally>;
}

/// What one checkout cost: its statements, how long the pool made it wait, and how long the
/// connection was then held (statements running and rows decoded).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CheckoutCost {
    pub(crate) statements: u64,
    pub(crate) waited: Duration,
    pub(crate) held: Duration,
}

#[derive(Debug, Default)]
struct Tally {
    statements: AtomicU64,
    waited_micros: AtomicU64,
    held_micros: AtomicU64,
}

impl Tally {
    fn add(&self, cost: CheckoutCost) {
        let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.statements
            .fetch_add(cost.statements, Ordering::Relaxed);
        self.waited_micros
            .fetch_add(micros(cost.waited), Ordering::Relaxed);
        self.held_micros
            .fetch_add(micros(cost.held), Ordering::Relaxed);
    }
}

/// A shared tally of statements, and of the time spent waiting for pooled connections and
/// holding them (a checkout that fails adds its wait). Checkouts that overlap (concurrent
/// calls of one request) each add their own times, so the times are connection time, not
/// wall-clock time.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<Tally>);

impl StatementCounter {
    /// A tally at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Statements counted so far.
    pub fn get(&self) -> u64 {
        self.0.statements.load(Ordering::Relaxed)
    }

    /// Time spent waiting for the pool to hand out a connection, summed over checkouts.
    pub fn waited(&self) -> Duration {
        Duration::from_micros(self.0.waited_micros.load(Ordering::Relaxed))
    }

    /// Time connections were held once checked out (statements running, rows decoded),
    /// summed over checkouts.
    pub fn held(&self) -> Duration {
        Duration::from_micros(self.0.held_micros.load(Ordering::Relaxed))
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

/// Adds a finished checkout's cost to the store total and the enclosing request scope.
pub(crate) fn record(total: &StatementCounter, cost: CheckoutCost) {
    total.0.add(cost);
    let _ = REQUEST_STATEMENTS.try_with(|tally| tally.add(cost));
}

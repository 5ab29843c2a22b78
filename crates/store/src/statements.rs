//! Counting the SQL statements each repository call issues (diesel instrumentation), so tests
//! and `/metrics` can prove that a request costs a fixed number of statements however much data
//! a user has; and timing the connections they ran on, so that a slow request can say whether
//! it waited for the pool, held a connection, or lost its time elsewhere.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};

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

/// Nanoseconds, not microseconds: a wait for an idle connection takes a few microseconds, and
/// rounding each one down would lose most of it (a u64 of nanoseconds lasts 584 years).
#[derive(Debug, Default)]
struct Tally {
    statements: AtomicU64,
    waited_nanos: AtomicU64,
    held_nanos: AtomicU64,
}

impl Tally {
    fn add(&self, cost: CheckoutCost) {
        let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.statements
            .fetch_add(cost.statements, Ordering::Relaxed);
        self.waited_nanos
            .fetch_add(nanos(cost.waited), Ordering::Relaxed);
        self.held_nanos
            .fetch_add(nanos(cost.held), Ordering::Relaxed);
    }
}

/// A wait for the pool in progress: whatever ends it (a connection, an error, or the request
/// being dropped by its deadline), its time is recorded, so that a request that timed out
/// waiting does not look as if the server itself had been slow.
pub(crate) struct PoolWait<'a> {
    total: &'a StatementCounter,
    asked: Instant,
    done: bool,
}

impl<'a> PoolWait<'a> {
    /// Starts timing a wait that began at `asked`.
    pub(crate) fn starting(total: &'a StatementCounter, asked: Instant) -> Self {
        Self {
            total,
            asked,
            done: false,
        }
    }

    /// Ends the wait with a connection; its time is the checkout's to report, with what the
    /// connection then cost.
    pub(crate) fn connected(mut self) -> Duration {
        self.done = true;
        self.asked.elapsed()
    }
}

impl Drop for PoolWait<'_> {
    fn drop(&mut self) {
        if !self.done {
            let cost = CheckoutCost {
                waited: self.asked.elapsed(),
                ..CheckoutCost::default()
            };
            record(self.total, cost);
        }
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

    /// Time spent waiting for the pool to hand out a connection (opening one when the pool
    /// has room included), summed over checkouts, failed and abandoned ones included.
    pub fn waited(&self) -> Duration {
        Duration::from_nanos(self.0.waited_nanos.load(Ordering::Relaxed))
    }

    /// Time connections were held once checked out, summed over checkouts: the database's
    /// work, the round trips, decoding the rows, and any time the holding task waited for its
    /// thread meanwhile.
    pub fn held(&self) -> Duration {
        Duration::from_nanos(self.0.held_nanos.load(Ordering::Relaxed))
    }

    /// Runs `fut` so that every statement the store issues inside it (on this task), and the
    /// time its checkouts waited and held connections, are added to this tally. Nested scopes
    /// count into the innermost one only.
    pub async fn scope<F: Future>(&self, fut: F) -> F::Output {
        REQUEST_STATEMENTS.scope(self.0.clone(), fut).await
    }

    /// The counter of the enclosing [`StatementCounter::scope`], if any; hand it to work spawned
    /// onto other tasks so their statements still count for the request.
    pub fn current() -> Option<Self> {
        REQUEST_STATEMENTS.try_with(|c| Self(c.clone())).ok()
    }
}

/// Statements started and finished on one checkout.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) started: AtomicU64,
    pub(crate) finished: AtomicU64,
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

/// Adds a checkout's cost (finished, failed or abandoned) to the store total and the enclosing
/// request scope.
pub(crate) fn record(total: &StatementCounter, cost: CheckoutCost) {
    total.0.add(cost);
    let _ = REQUEST_STATEMENTS.try_with(|tally| tally.add(cost));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_for_the_pool_counts_however_it_ends() {
        let total = StatementCounter::new();
        let request = StatementCounter::new();
        let long_ago = Instant::now()
            .checked_sub(Duration::from_millis(50))
            .unwrap();
        request
            .scope(async {
                // Abandoned (the request's deadline dropped the checkout): recorded here.
                drop(PoolWait::starting(&total, long_ago));
                // Connected: handed to the checkout, which records it with the connection's
                // cost when it goes back.
                let waited = PoolWait::starting(&total, long_ago).connected();
                assert!(waited >= Duration::from_millis(50), "{waited:?}");
            })
            .await;
        assert!(request.waited() >= Duration::from_millis(50), "{request:?}");
        assert!(
            request.waited() < Duration::from_millis(100),
            "counted once: {request:?}"
        );
        assert_eq!(total.waited(), request.waited());
        assert_eq!(request.held(), Duration::ZERO);
    }
}

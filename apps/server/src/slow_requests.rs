//! The slow-request log: a request that takes longer than a threshold is logged at warn with
//! where its time went (waiting for a database connection, holding one, or neither: the
//! server's own work and scheduling), so that a latency spike can be attributed from the log
//! alone. Rate-limited, so that an overloaded server, where every request is slow, does not
//! also flood its log.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most lines written per second; the rest are counted and reported on the next line.
pub const LINES_PER_SECOND: u32 = 10;

/// Logs requests slower than its threshold, at most [`LINES_PER_SECOND`] a second.
#[derive(Debug)]
pub struct SlowRequestLog {
    threshold: Option<Duration>,
    window: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    written: u32,
    suppressed: u64,
}

/// A finished request, as the slow-request log reports it.
#[derive(Debug, Clone, Copy)]
pub struct RequestCost<'a> {
    /// The request id (also on the response's `x-request-id`).
    pub id: &'a str,
    /// The request method.
    pub method: &'a str,
    /// The request path.
    pub path: &'a str,
    /// The matched route pattern.
    pub route: &'a str,
    /// The response status.
    pub status: u16,
    /// From the request's head to its response's head.
    pub elapsed: Duration,
    /// SQL statements issued.
    pub statements: u64,
    /// Time spent waiting for pooled connections.
    pub waited: Duration,
    /// Time pooled connections were held.
    pub held: Duration,
}

impl SlowRequestLog {
    /// A log of requests slower than `threshold`; `None` logs nothing.
    pub fn new(threshold: Option<Duration>) -> Self {
        Self {
            threshold,
            window: Mutex::new(Window {
                started: Instant::now(),
                written: 0,
                suppressed: 0,
            }),
        }
    }

    /// Logs `cost` if the request took longer than the threshold and this second's lines are
    /// not used up. The line carries the request's id, method and path itself: the request's
    /// span is an info span, disabled where only warnings are logged.
    pub fn observe(&self, cost: &RequestCost<'_>) {
        let Some(threshold) = self.threshold else {
            return;
        };
        if cost.elapsed <= threshold {
            return;
        }
        let Some(suppressed) = self.admit(Instant::now()) else {
            return;
        };
        // Tenths of a millisecond: finer is noise at this size, and raw f64s print as
        // `144.39499999999998`.
        let ms = |d: Duration| (d.as_secs_f64() * 10_000.0).round() / 10.0;
        tracing::warn!(
            id = %cost.id,
            method = %cost.method,
            path = %cost.path,
            route = %cost.route,
            status = cost.status,
            elapsed_ms = ms(cost.elapsed),
            pool_wait_ms = ms(cost.waited),
            connection_ms = ms(cost.held),
            statements = cost.statements,
            suppressed_before = suppressed,
            "slow request"
        );
    }

    /// Whether a line may be written at `now`; if so, how many were suppressed since the last.
    fn admit(&self, now: Instant) -> Option<u64> {
        let mut window = self
            .window
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now.duration_since(window.started) >= Duration::from_secs(1) {
            window.started = now;
            window.written = 0;
        }
        if window.written >= LINES_PER_SECOND {
            window.suppressed += 1;
            return None;
        }
        window.written += 1;
        Some(std::mem::take(&mut window.suppressed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_ten_lines_a_second_and_the_next_one_counts_the_rest() {
        let log = SlowRequestLog::new(Some(Duration::from_millis(100)));
        let start = Instant::now();
        let admitted: Vec<_> = (0..15).map(|_| log.admit(start)).collect();
        assert!(admitted[..10].iter().all(|a| *a == Some(0)), "{admitted:?}");
        assert!(admitted[10..].iter().all(Option::is_none), "{admitted:?}");
        assert_eq!(
            log.admit(start + Duration::from_millis(999)),
            None,
            "still the same second"
        );
        assert_eq!(log.admit(start + Duration::from_secs(1)), Some(6));
        assert_eq!(log.admit(start + Duration::from_secs(1)), Some(0));
    }
}

//! Exponential reconnection delay with jitter.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Delays of successive reconnection attempts: `min`, doubling up to `max`, each scaled by a
/// random factor in [0.5, 1] so that many instances losing Redis together do not reconnect in
/// lockstep.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max,
            next: min,
        }
    }

    /// The delay before the next attempt; the one after it is twice as long (up to `max`).
    pub(crate) fn next_delay(&mut self) -> Duration {
        let base = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        base.mul_f64(0.5 + 0.5 * random_unit())
    }

    /// Back to `min` after a success.
    pub(crate) fn reset(&mut self) {
        self.next = self.min;
    }
}

/// A number in [0, 1]. `RandomState` is seeded randomly per thread and advanced per call,
/// which is plenty for jitter and avoids a dependency on a random number crate.
fn random_unit() -> f64 {
    let bits = RandomState::new().build_hasher().finish();
    // The top 53 bits fit an f64 mantissa exactly.
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_max_and_resets() {
        let min = Duration::from_millis(100);
        let max = Duration::from_millis(400);
        let mut backoff = Backoff::new(min, max);
        let delays: Vec<Duration> = (0..5).map(|_| backoff.next_delay()).collect();
        let ceilings = [100, 200, 400, 400, 400];
        for (delay, ceiling) in delays.iter().zip(ceilings) {
            let ceiling = Duration::from_millis(ceiling);
            assert!(
                *delay <= ceiling && *delay >= ceiling / 2,
                "{delay:?} vs {ceiling:?}"
            );
        }
        backoff.reset();
        assert!(backoff.next_delay() <= min);
    }
}

//! [`VerifiedTokens`]: tokens that passed verification, remembered until they expire.
//!
//! Checking an HS256 token (two base64 decodes, two JSON parses and an HMAC) was the largest
//! piece of the server's own work on a cached answer: 9 % of its CPU time for a 135 KB
//! evolution answer and 14 % for a 3 KB recommendations answer (docs/performance.md). A client
//! sends the same token with every request, and whether a token is valid depends only on its
//! text, the secret (fixed for the life of [`JwtKeys`](super::JwtKeys)) and the clock, so the
//! answer can be remembered until the token expires.
//!
//! Only tokens that verified are remembered, and only someone holding the secret can make one,
//! so an attacker cannot fill the memo with forged tokens; it is bounded anyway, by count and by
//! bytes, with the response cache's CLOCK eviction. The map hashes with a per-process random
//! key, so lookup timing says nothing useful about the tokens it holds.

use std::sync::Arc;
use std::time::Duration;

use insights_service::Caller;
use insights_ttl_cache::TtlCache;

/// At most this many tokens are remembered.
const MAX_TOKENS: usize = 10_000;

/// At most this many bytes of token text (plus a fixed cost per entry) are remembered.
const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// What an entry costs beyond its token text: the caller's user id, the map and ring slots.
const ENTRY_OVERHEAD_BYTES: u64 = 128;

/// A remembered token is checked again at least this often, whatever its expiry: a wall clock
/// set forward (the memo's own clock is monotonic) is noticed within this time.
const RECHECK_AFTER: Duration = Duration::from_secs(300);

/// Tokens that verified, and the caller each names, until the token expires.
pub(crate) struct VerifiedTokens {
    callers: TtlCache<Arc<str>, Caller>,
}

impl VerifiedTokens {
    /// An empty memo.
    pub(crate) fn new() -> Self {
        let callers = TtlCache::builder(MAX_TOKENS, RECHECK_AFTER)
            .weigher(MAX_BYTES, |token: &Arc<str>, caller: &Caller| {
                (token.len() + caller.user_id.len()) as u64 + ENTRY_OVERHEAD_BYTES
            })
            .build()
            // Invariant: the builder only refuses a zero bound or a zero TTL, and the three
            // constants above are not zero.
            .expect("the token memo's bounds are not zero");
        Self { callers }
    }

    /// The caller `token` names, if it verified earlier and has not expired since.
    pub(crate) fn get(&self, token: &str) -> Option<Caller> {
        self.callers.get(token)
    }

    /// Remembers that `token` names `caller` and stays valid until `valid_until` (seconds
    /// since the Unix epoch, exclusive), `now` being the current time since the epoch.
    pub(crate) fn remember(&self, token: &str, caller: &Caller, valid_until: u64, now: Duration) {
        let ttl = remember_for(valid_until, now);
        if !ttl.is_zero() {
            self.callers
                .insert_with_ttl(Arc::from(token), caller.clone(), ttl, &[]);
        }
    }

    /// How many tokens are remembered.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.callers.len()
    }
}

/// How long a token valid until `valid_until` (Unix seconds, exclusive) may be remembered at
/// `now`: until it expires, but never longer than [`RECHECK_AFTER`].
fn remember_for(valid_until: u64, now: Duration) -> Duration {
    Duration::from_secs(valid_until)
        .saturating_sub(now)
        .min(RECHECK_AFTER)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn caller(user: &str) -> Caller {
        Caller {
            user_id: user.into(),
            is_service: false,
        }
    }

    #[test]
    fn remembers_until_expiry_and_at_most_the_recheck_interval() {
        let now = Duration::from_millis(1_000_000_500);
        // Expires in 10.5 s from a time with a fraction: not a moment longer.
        assert_eq!(remember_for(1_000_011, now), Duration::from_millis(10_500));
        // Far in the future: the recheck interval.
        assert_eq!(remember_for(2_000_000_000, now), RECHECK_AFTER);
        // Already past (or at) its end: not remembered at all.
        assert_eq!(remember_for(1_000_000, now), Duration::ZERO);
        assert_eq!(remember_for(0, now), Duration::ZERO);
    }

    #[test]
    fn an_expired_token_is_not_remembered() {
        let memo = VerifiedTokens::new();
        let now = Duration::from_secs(1_000_000);
        memo.remember("expired", &caller("u1"), 999_999, now);
        memo.remember("valid", &caller("u2"), 1_000_060, now);
        assert_eq!(memo.get("expired"), None);
        assert_eq!(memo.get("valid"), Some(caller("u2")));
        assert_eq!(memo.len(), 1);
    }

    #[test]
    fn stays_within_its_bound_however_many_tokens_verify() {
        let memo = VerifiedTokens::new();
        let now = Duration::from_secs(1_000_000);
        for i in 0..MAX_TOKENS + 500 {
            memo.remember(&format!("token-{i}"), &caller("u1"), 1_000_060, now);
        }
        assert!(memo.len() <= MAX_TOKENS, "{} tokens kept", memo.len());
        // Long tokens are bounded by bytes before count: 2,000 tokens of 8 KiB would be 16 MiB.
        let memo = VerifiedTokens::new();
        let long = "x".repeat(8 * 1024);
        for i in 0..2_000 {
            memo.remember(&format!("{long}{i}"), &caller("u1"), 1_000_060, now);
        }
        let per_entry = (long.len() + 4 + 2) as u64 + ENTRY_OVERHEAD_BYTES;
        assert!(
            memo.len() as u64 * per_entry <= MAX_BYTES,
            "{} kept",
            memo.len()
        );
    }
}

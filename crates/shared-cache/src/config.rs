//! Settings of a [`SharedTier`](crate::SharedTier).

use std::time::Duration;

use crate::error::SharedTierError;

/// Settings of a [`SharedTier`](crate::SharedTier).
///
/// Every instance that shares a Redis and a `key_prefix` should use the same `ttl`; see the
/// crate documentation ("Why generations") for what a smaller TTL on one instance would weaken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedTierConfig {
    /// First segment of every key and of the invalidation channel (`{key_prefix}:invalidate`).
    pub key_prefix: String,
    /// Lifetime of a stored value. Set with `PX` on write and never extended by reads.
    pub ttl: Duration,
    /// Upper bound of one Redis call as seen by the caller; past it the call counts as a
    /// timeout and the caller gets a miss / no-op.
    pub op_timeout: Duration,
    /// Values longer than this (in bytes) are not stored.
    pub max_value_bytes: usize,
    /// Version of the value format. Part of every data key, so readers of another version
    /// simply miss instead of misreading.
    pub format_version: u32,
    /// Upper bound of a background connection attempt (health probe, pub/sub connection).
    /// Longer than `op_timeout` because a new connection costs a TCP and a Redis handshake.
    pub connect_timeout: Duration,
    /// First delay between reconnection attempts; doubles up to `retry_max_delay`.
    pub retry_min_delay: Duration,
    /// Largest delay between reconnection attempts.
    pub retry_max_delay: Duration,
    /// How often an idle pub/sub connection is pinged, so a half-open TCP connection (peer gone
    /// without a FIN) is noticed and replaced instead of silently receiving nothing.
    pub subscriber_keepalive: Duration,
}

impl Default for SharedTierConfig {
    fn default() -> Self {
        Self {
            key_prefix: "insights".to_owned(),
            ttl: Duration::from_secs(300),
            op_timeout: Duration::from_millis(50),
            max_value_bytes: 1024 * 1024,
            format_version: 1,
            connect_timeout: Duration::from_secs(1),
            retry_min_delay: Duration::from_millis(100),
            retry_max_delay: Duration::from_secs(2),
            subscriber_keepalive: Duration::from_secs(10),
        }
    }
}

impl SharedTierConfig {
    /// Rejects settings that cannot work (empty prefix, zero durations, inverted delays).
    pub(crate) fn validate(&self) -> Result<(), SharedTierError> {
        let problem = if self.key_prefix.is_empty() {
            Some("key_prefix must not be empty")
        } else if self.ttl < Duration::from_millis(1) {
            // PX takes whole milliseconds; 0 would be rejected by Redis on every write.
            Some("ttl must be at least 1 ms")
        } else if self.op_timeout.is_zero() {
            Some("op_timeout must be positive")
        } else if self.connect_timeout.is_zero() {
            Some("connect_timeout must be positive")
        } else if self.retry_min_delay.is_zero() || self.retry_min_delay > self.retry_max_delay {
            Some("retry delays must satisfy 0 < retry_min_delay <= retry_max_delay")
        } else if self.subscriber_keepalive.is_zero() {
            Some("subscriber_keepalive must be positive")
        } else {
            None
        };
        match problem {
            Some(reason) => Err(SharedTierError::InvalidConfig(reason)),
            None => Ok(()),
        }
    }

    /// Lifetime of a generation key. It must exceed `ttl` (a value stored under generation
    /// "0" must be gone before an expired generation key makes "0" current again) plus the
    /// longest accepted fill-ticket age (also `ttl`); one extra second absorbs clock rounding.
    pub(crate) fn generation_ttl(&self) -> Duration {
        self.ttl
            .saturating_mul(2)
            .saturating_add(Duration::from_secs(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert!(SharedTierConfig::default().validate().is_ok());
    }

    #[test]
    fn rejects_empty_prefix_and_zero_ttl() {
        let empty_prefix = SharedTierConfig {
            key_prefix: String::new(),
            ..SharedTierConfig::default()
        };
        assert!(empty_prefix.validate().is_err());
        let zero_ttl = SharedTierConfig {
            ttl: Duration::ZERO,
            ..SharedTierConfig::default()
        };
        assert!(zero_ttl.validate().is_err());
    }

    #[test]
    fn generation_outlives_two_value_ttls() {
        let config = SharedTierConfig::default();
        assert!(config.generation_ttl() > config.ttl * 2);
    }
}

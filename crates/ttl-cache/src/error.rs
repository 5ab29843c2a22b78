//! The crate's error type.

/// Why a cache could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// `max_entries` was zero: such a cache could never hold anything.
    #[error("max_entries must be at least 1")]
    ZeroCapacity,
    /// The default TTL was zero: every entry would be expired on arrival.
    #[error("default TTL must be longer than zero")]
    ZeroTtl,
    /// A weight limit of zero was given.
    #[error("max_weight must be at least 1")]
    ZeroWeight,
    /// A per-owner bound of zero entries or zero weight was given.
    #[error("a per-owner bound must allow at least 1 entry and a weight of at least 1")]
    ZeroOwnerShare,
}

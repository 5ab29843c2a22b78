//! The crate's one error type. Only construction can fail; cache operations never return
//! errors (they degrade to a miss or a no-op and are counted in [`TierHealth`](crate::TierHealth)).

/// Why a [`SharedTier`](crate::SharedTier) could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SharedTierError {
    /// The Redis URL could not be parsed (scheme, host, port, database).
    #[error("invalid Redis URL: {0}")]
    InvalidUrl(#[source] redis::RedisError),
    /// The Redis client rejected its connection settings.
    #[error("cannot set up the Redis connection manager: {0}")]
    ClientSetup(#[source] redis::RedisError),
    /// A setting is out of range.
    #[error("invalid shared tier configuration: {0}")]
    InvalidConfig(&'static str),
    /// The tier spawns background tasks, so it must be created inside a Tokio runtime.
    #[error("SharedTier must be created from within a Tokio runtime")]
    NoRuntime,
}

//! The shared Redis tier as the cache and the read routing use it. With the `redis` feature
//! these are the types of `insights-shared-cache`; without it, stand-ins that cannot be
//! constructed: no `SharedTier` value can exist, every `Option<SharedTier>` is `None`, and the
//! code that would use a tier compiles unchanged (and runs never) in every build.

#[cfg(feature = "redis")]
pub(crate) use insights_shared_cache::{Invalidation, Lookup, SharedTier};

#[cfg(not(feature = "redis"))]
pub(crate) use absent::{Invalidation, Lookup, SharedTier};

use crate::Backends;

/// The backends' shared tier, if one is configured (never, without the `redis` feature).
pub(crate) fn configured(backends: &Backends) -> Option<SharedTier> {
    #[cfg(feature = "redis")]
    return backends.shared_tier.clone();
    #[cfg(not(feature = "redis"))]
    {
        let _ = backends;
        None
    }
}

/// Uninhabited stand-ins with the signatures the service calls.
#[cfg(not(feature = "redis"))]
#[allow(
    dead_code,
    reason = "mirrors of the shared tier's types, which nothing constructs without it"
)]
mod absent {
    use std::time::Duration;

    /// A shared tier: there is none in this build.
    #[derive(Clone)]
    pub(crate) enum SharedTier {}

    /// The generation seen by a missed lookup: none in this build.
    pub(crate) enum FillTicket {}

    /// What a lookup found.
    pub(crate) enum Lookup {
        Hit {
            value: String,
            expires_in: Option<Duration>,
        },
        Miss(FillTicket),
        Unavailable,
    }

    /// What an invalidation from another instance drops.
    pub(crate) enum Invalidation {
        User(String),
        All,
    }

    impl SharedTier {
        pub(crate) async fn lookup(&self, _user: &str, _key: &str) -> Lookup {
            match *self {}
        }

        pub(crate) async fn fill(&self, ticket: FillTicket, _value: &str) {
            match ticket {}
        }

        pub(crate) async fn invalidate_user(&self, _user: &str) {
            match *self {}
        }

        pub(crate) fn last_write(&self, _user: &str) -> Option<Duration> {
            match *self {}
        }

        pub(crate) fn subscribe(
            &self,
            _on_invalidate: impl Fn(Invalidation) + Send + Sync + 'static,
        ) -> tokio::task::JoinHandle<()> {
            match *self {}
        }
    }
}

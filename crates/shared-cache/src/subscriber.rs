//! The invalidation listener: a dedicated pub/sub connection on `{prefix}:invalidate` that
//! reconnects by itself and tells its callback to drop everything after each (re)connection.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::{PubSub, PubSubSink, PubSubStream};

use crate::backoff::Backoff;
use crate::health::{HealthState, bump};
use crate::keys::invalidation_channel;
use crate::recent::RecentWrites;
use crate::tier::TierInner;

/// What a subscriber's callback must drop from the local tier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Invalidation {
    /// Every entry of this user (some instance called
    /// [`invalidate_user`](crate::SharedTier::invalidate_user)).
    User(String),
    /// Everything. Sent after every (re)connection of the subscriber, because messages
    /// published while it was not listening are lost.
    All,
}

/// Counts this subscriber in `subscribers_connected` while alive. A guard rather than a
/// decrement after `listen`, because aborting the task drops the future mid-`listen`.
struct ConnectedGauge<'a>(&'a HealthState);

impl<'a> ConnectedGauge<'a> {
    fn raise(health: &'a HealthState) -> Self {
        health.subscribers_connected.fetch_add(1, Ordering::Relaxed);
        Self(health)
    }
}

impl Drop for ConnectedGauge<'_> {
    fn drop(&mut self) {
        self.0.subscribers_connected.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Everything the listening task needs; it does not keep the tier itself alive.
struct Listener {
    client: redis::Client,
    channel: String,
    health: Arc<HealthState>,
    recent: Arc<RecentWrites>,
    connect_timeout: Duration,
    keepalive: Duration,
    backoff: Backoff,
}

pub(crate) fn start(
    inner: &Arc<TierInner>,
    on_invalidate: impl Fn(Invalidation) + Send + Sync + 'static,
) -> tokio::task::JoinHandle<()> {
    let config = &inner.config;
    let listener = Listener {
        client: inner.client.clone(),
        channel: invalidation_channel(&config.key_prefix),
        health: Arc::clone(&inner.health),
        recent: Arc::clone(&inner.recent),
        connect_timeout: config.connect_timeout,
        keepalive: config.subscriber_keepalive,
        backoff: Backoff::new(config.retry_min_delay, config.retry_max_delay),
    };
    inner.runtime.spawn(listener.run(on_invalidate))
}

impl Listener {
    async fn run(mut self, on_invalidate: impl Fn(Invalidation)) {
        let mut connected_before = false;
        loop {
            match self.connect().await {
                Ok(pubsub) => {
                    self.backoff.reset();
                    if connected_before {
                        bump(&self.health.subscriber_reconnects);
                    }
                    connected_before = true;
                    let connected = ConnectedGauge::raise(&self.health);
                    // Subscribed first, then `All`: anything published before the
                    // subscription took effect is covered by dropping everything.
                    on_invalidate(Invalidation::All);
                    let (sink, stream) = pubsub.split();
                    self.listen(sink, stream, &on_invalidate).await;
                    drop(connected);
                    tracing::warn!(channel = %self.channel, "invalidation subscriber lost its connection");
                }
                Err(reason) => {
                    tracing::debug!(channel = %self.channel, %reason, "invalidation subscriber cannot connect");
                }
            }
            tokio::time::sleep(self.backoff.next_delay()).await;
        }
    }

    async fn connect(&self) -> Result<PubSub, String> {
        let attempt = async {
            let mut pubsub = self.client.get_async_pubsub().await?;
            pubsub.subscribe(&self.channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        match tokio::time::timeout(self.connect_timeout, attempt).await {
            Ok(Ok(pubsub)) => Ok(pubsub),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_elapsed) => Err(format!("no connection within {:?}", self.connect_timeout)),
        }
    }

    /// Delivers messages until the connection is lost (stream ends or a keepalive PING fails).
    async fn listen(
        &self,
        mut sink: PubSubSink,
        mut stream: PubSubStream,
        on_invalidate: &impl Fn(Invalidation),
    ) {
        loop {
            match tokio::time::timeout(self.keepalive, stream.next()).await {
                Ok(Some(message)) => match message.get_payload::<String>() {
                    Ok(user) => {
                        bump(&self.health.invalidations_received);
                        self.recent.record(&user, Duration::ZERO);
                        on_invalidate(Invalidation::User(user));
                    }
                    Err(error) => {
                        // Not ours to interpret; nothing to drop for it.
                        tracing::warn!(%error, "ignoring a non-UTF-8 invalidation message");
                    }
                },
                Ok(None) => return,
                Err(_idle) => {
                    let ping =
                        tokio::time::timeout(self.connect_timeout, sink.ping::<redis::Value>());
                    if !matches!(ping.await, Ok(Ok(_))) {
                        return;
                    }
                }
            }
        }
    }
}

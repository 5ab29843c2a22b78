use std::time::{Duration, Instant};

use insights_shared_cache::{Invalidation, SharedTier, SharedTierConfig};

use crate::support::{OwnRedis, TestPrefix, eventually, expect_invalidation, invalidation_channel};

/// Uses its own redis-server (never the shared one) so it can kill and restart it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tier_and_subscriber_recover_when_redis_comes_back() {
    let mut redis = OwnRedis::start_on_free_port().await;
    let config = TestPrefix::new().config();
    let tier = SharedTier::new(&redis.url(), config).unwrap();
    let (callback, mut received) = invalidation_channel();
    let listener = tier.subscribe(callback);

    expect_invalidation(&mut received, Invalidation::All).await;
    tier.set("u1", "k", "before").await;
    assert_eq!(tier.get("u1", "k").await.as_deref(), Some("before"));
    assert!(tier.health().healthy);

    // Redis crashes: calls degrade to misses and the tier reports unhealthy.
    redis.stop();
    eventually("the tier to notice the outage", || async {
        let _ = tier.get("u1", "k").await;
        !tier.health().healthy
    })
    .await;
    eventually("the subscriber to notice the outage", || async {
        tier.health().subscribers_connected == 0
    })
    .await;
    assert_eq!(tier.get("u1", "k").await, None);

    // Redis is back (empty: it keeps nothing on disk). No call is needed to notice.
    redis.start().await;
    eventually("the probe to bring the tier back", || async {
        tier.health().healthy
    })
    .await;
    tier.set("u1", "k", "after").await;
    assert_eq!(tier.get("u1", "k").await.as_deref(), Some("after"));

    // The subscriber reconnected and told the local tier to drop everything.
    expect_invalidation(&mut received, Invalidation::All).await;
    let health = tier.health();
    assert!(health.reconnects >= 1, "{health:?}");
    assert!(health.subscriber_reconnects >= 1, "{health:?}");
    eventually("the subscriber to be connected", || async {
        tier.health().subscribers_connected == 1
    })
    .await;

    // And it delivers messages again.
    tier.invalidate_user("u1").await;
    expect_invalidation(&mut received, Invalidation::User("u1".to_owned())).await;

    listener.abort();
}

/// A Redis that stops answering without closing connections (SIGSTOP) must not slow callers
/// down beyond `op_timeout`, and the tier must come back once it answers again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_redis_costs_at_most_one_op_timeout_and_is_recovered_from() {
    let redis = OwnRedis::start_on_free_port().await;
    let op_timeout = Duration::from_millis(100);
    let config = SharedTierConfig {
        op_timeout,
        connect_timeout: Duration::from_millis(300),
        ..TestPrefix::new().config()
    };
    let tier = SharedTier::new(&redis.url(), config).unwrap();
    let (callback, mut received) = invalidation_channel();
    let listener = tier.subscribe(callback);
    expect_invalidation(&mut received, Invalidation::All).await;
    tier.set("u1", "k", "value").await;
    assert_eq!(tier.get("u1", "k").await.as_deref(), Some("value"));

    redis.signal("-STOP");
    let started = Instant::now();
    assert_eq!(tier.get("u1", "k").await, None);
    let first = started.elapsed();
    assert!(
        first < op_timeout * 3,
        "a hung Redis held a call for {first:?}"
    );
    assert!(!tier.health().healthy);
    assert!(tier.health().timeouts >= 1);
    // Later calls are answered locally at once.
    let started = Instant::now();
    assert_eq!(tier.get("u1", "k").await, None);
    assert!(started.elapsed() < op_timeout / 2);
    // The subscriber's keepalive PING goes unanswered: it drops the connection.
    eventually("the subscriber to give up the hung connection", || async {
        tier.health().subscribers_connected == 0
    })
    .await;

    redis.signal("-CONT");
    eventually("the probe to bring the tier back", || async {
        tier.health().healthy
    })
    .await;
    assert_eq!(tier.get("u1", "k").await.as_deref(), Some("value"));
    expect_invalidation(&mut received, Invalidation::All).await;
    tier.invalidate_user("u1").await;
    expect_invalidation(&mut received, Invalidation::User("u1".to_owned())).await;
    listener.abort();
}

use std::time::{Duration, Instant};

use insights_shared_cache::{Lookup, SharedTier, SharedTierConfig};

use crate::support::{TestPrefix, invalidation_channel};

/// Port 1 on loopback: nothing listens there, connections are refused.
const CLOSED_PORT_URL: &str = "redis://127.0.0.1:1";

#[tokio::test]
async fn a_tier_without_redis_is_created_answers_quickly_and_reports_unhealthy() {
    let op_timeout = Duration::from_millis(50);
    let tier = SharedTier::new(
        CLOSED_PORT_URL,
        SharedTierConfig {
            op_timeout,
            ..TestPrefix::new().config()
        },
    )
    .expect("construction must not need Redis");

    let started = Instant::now();
    assert_eq!(tier.get("u1", "k").await, None);
    assert!(
        started.elapsed() < op_timeout * 4,
        "first get took {:?}",
        started.elapsed()
    );

    tier.set("u1", "k", "value").await;
    tier.invalidate_user("u1").await;
    assert!(matches!(tier.lookup("u1", "k").await, Lookup::Unavailable));

    // Once unhealthy, calls do not even try the network.
    let started = Instant::now();
    for _ in 0..100 {
        assert_eq!(tier.get("u1", "k").await, None);
    }
    assert!(
        started.elapsed() < op_timeout,
        "100 gets took {:?}",
        started.elapsed()
    );

    let health = tier.health();
    assert!(!health.healthy);
    assert_eq!((health.hits, health.misses, health.stores), (0, 0, 0));
    assert_eq!(health.invalidations_sent, 0);
    assert!(health.errors + health.timeouts >= 1);
    assert!(health.skipped_unhealthy >= 100);
}

#[tokio::test]
async fn a_subscriber_without_redis_keeps_trying_and_reports_disconnected() {
    let tier = SharedTier::new(CLOSED_PORT_URL, TestPrefix::new().config()).unwrap();
    let (callback, mut received) = invalidation_channel();
    let listener = tier.subscribe(callback);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!listener.is_finished(), "the subscriber must keep retrying");
    assert_eq!(tier.health().subscribers_connected, 0);
    assert!(
        received.try_recv().is_err(),
        "nothing delivered without a connection"
    );
    listener.abort();
}

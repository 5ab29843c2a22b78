use std::time::Duration;

use insights_shared_cache::Invalidation;

use crate::support::{TestPrefix, eventually, expect_invalidation, invalidation_channel};

#[tokio::test]
async fn invalidation_on_one_instance_makes_another_miss_immediately() {
    let prefix = TestPrefix::new();
    let instance_a = prefix.tier();
    let instance_b = prefix.tier();

    instance_b.set("u1", "k1", "v1").await;
    instance_b.set("u1", "k2", "v2").await;
    instance_b.set("u2", "k1", "other user").await;
    assert_eq!(instance_b.get("u1", "k1").await.as_deref(), Some("v1"));

    instance_a.invalidate_user("u1").await;

    // No waiting: the very next read on B sees the new generation.
    assert_eq!(instance_b.get("u1", "k1").await, None);
    assert_eq!(instance_b.get("u1", "k2").await, None);
    assert_eq!(
        instance_b.get("u2", "k1").await.as_deref(),
        Some("other user")
    );
    assert_eq!(instance_a.health().invalidations_sent, 1);

    // Values stored after the invalidation are served again.
    instance_b.set("u1", "k1", "fresh").await;
    assert_eq!(instance_a.get("u1", "k1").await.as_deref(), Some("fresh"));

    // Repeated invalidations keep working (generations strictly increase).
    instance_a.invalidate_user("u1").await;
    instance_a.invalidate_user("u1").await;
    assert_eq!(instance_b.get("u1", "k1").await, None);
}

#[tokio::test]
async fn subscriber_on_another_instance_receives_the_user() {
    let prefix = TestPrefix::new();
    let instance_a = prefix.tier();
    let instance_b = prefix.tier();
    let (callback, mut received) = invalidation_channel();
    let listener = instance_b.subscribe(callback);

    // `All` marks the subscription as live; publishing earlier could be lost by design.
    expect_invalidation(&mut received, Invalidation::All).await;
    assert_eq!(instance_b.health().subscribers_connected, 1);

    instance_a.invalidate_user("user:42").await;
    expect_invalidation(&mut received, Invalidation::User("user:42".to_owned())).await;
    assert_eq!(instance_b.health().invalidations_received, 1);

    // Own messages come back too (applied, idempotent).
    instance_b.invalidate_user("u7").await;
    expect_invalidation(&mut received, Invalidation::User("u7".to_owned())).await;

    listener.abort();
}

#[tokio::test]
async fn idle_subscriber_keepalive_does_not_drop_a_healthy_connection() {
    let prefix = TestPrefix::new();
    let tier = prefix.tier();
    let (callback, mut received) = invalidation_channel();
    let listener = tier.subscribe(callback);
    expect_invalidation(&mut received, Invalidation::All).await;

    // Several keepalive periods (200 ms each) without messages: pings must succeed.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let health = tier.health();
    assert_eq!(health.subscribers_connected, 1);
    assert_eq!(health.subscriber_reconnects, 0);
    assert!(
        received.try_recv().is_err(),
        "no extra All from a reconnect"
    );

    tier.invalidate_user("u1").await;
    expect_invalidation(&mut received, Invalidation::User("u1".to_owned())).await;
    listener.abort();
    eventually("the aborted listener to be gone and uncounted", || async {
        listener.is_finished() && tier.health().subscribers_connected == 0
    })
    .await;
}

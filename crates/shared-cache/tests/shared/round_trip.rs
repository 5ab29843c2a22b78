use insights_shared_cache::Lookup;
use std::time::Duration;

use crate::support::{TestPrefix, eventually};

#[tokio::test]
async fn set_then_get_returns_the_value_and_counts_hits_and_misses() {
    let prefix = TestPrefix::new();
    let tier = prefix.tier();

    assert_eq!(tier.get("u1", "recs:false:10").await, None);
    tier.set("u1", "recs:false:10", r#"{"recommendations":[]}"#)
        .await;
    assert_eq!(
        tier.get("u1", "recs:false:10").await.as_deref(),
        Some(r#"{"recommendations":[]}"#)
    );

    let health = tier.health();
    assert!(health.healthy);
    assert_eq!((health.hits, health.misses, health.stores), (1, 1, 1));
    assert_eq!(health.errors + health.timeouts, 0);
}

#[tokio::test]
async fn users_and_keys_are_separate_even_with_colons() {
    let prefix = TestPrefix::new();
    let tier = prefix.tier();
    tier.set("a:1", "k", "first").await;
    tier.set("a", "1:k", "second").await;
    assert_eq!(tier.get("a:1", "k").await.as_deref(), Some("first"));
    assert_eq!(tier.get("a", "1:k").await.as_deref(), Some("second"));
    assert_eq!(tier.get("a:1", "other").await, None);
}

#[tokio::test]
async fn lookup_then_fill_stores_when_nothing_happened_in_between() {
    let prefix = TestPrefix::new();
    let tier = prefix.tier();
    let Lookup::Miss(ticket) = tier.lookup("u1", "k").await else {
        panic!("expected a miss with a ticket");
    };
    assert_eq!((ticket.user(), ticket.key()), ("u1", "k"));
    tier.fill(ticket, "loaded").await;
    let Lookup::Hit { value, expires_in } = tier.lookup("u1", "k").await else {
        panic!("expected a hit");
    };
    assert_eq!(value, "loaded");
    // A local copy must not outlive the shared entry: the hit says how long that is.
    let left = expires_in.expect("Redis reports the remaining lifetime");
    assert!(
        left > Duration::ZERO && left <= Duration::from_secs(10),
        "{left:?}"
    );
}

#[tokio::test]
async fn fill_after_a_concurrent_invalidation_is_discarded() {
    let prefix = TestPrefix::new();
    let instance_a = prefix.tier();
    let instance_b = prefix.tier();

    // A misses and starts loading; meanwhile B commits a write and invalidates the user.
    let Lookup::Miss(ticket) = instance_a.lookup("u1", "k").await else {
        panic!("expected a miss");
    };
    instance_b.invalidate_user("u1").await;
    instance_a
        .fill(ticket, "loaded before the invalidation")
        .await;

    assert_eq!(instance_a.get("u1", "k").await, None);
    assert_eq!(instance_b.get("u1", "k").await, None);
    assert_eq!(instance_a.health().stale_fills_discarded, 1);
}

#[tokio::test]
async fn a_fresh_tier_becomes_healthy_without_any_call() {
    let prefix = TestPrefix::new();
    let tier = prefix.tier();
    // The background probe connects on its own, so /readyz can report Redis early.
    eventually("the probe to connect", || async { tier.health().healthy }).await;
}

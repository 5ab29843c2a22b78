use insights_shared_cache::{SharedTier, SharedTierConfig};

use crate::support::{SHARED_REDIS_URL, TestPrefix};

#[tokio::test]
async fn a_reader_of_another_format_version_misses() {
    let prefix = TestPrefix::new();
    let writer_v1 = prefix.tier();
    let reader_v2 = SharedTier::new(
        SHARED_REDIS_URL,
        SharedTierConfig {
            format_version: 2,
            ..prefix.config()
        },
    )
    .unwrap();

    writer_v1.set("u1", "k", "old format").await;
    assert_eq!(reader_v2.get("u1", "k").await, None);
    assert_eq!(
        writer_v1.get("u1", "k").await.as_deref(),
        Some("old format")
    );

    // Invalidation is shared across versions (rolling deploys keep invalidating each other).
    reader_v2.invalidate_user("u1").await;
    assert_eq!(writer_v1.get("u1", "k").await, None);
}

#[tokio::test]
async fn oversized_values_are_not_stored() {
    let prefix = TestPrefix::new();
    let tier = SharedTier::new(
        SHARED_REDIS_URL,
        SharedTierConfig {
            max_value_bytes: 16,
            ..prefix.config()
        },
    )
    .unwrap();

    tier.set("u1", "fits", &"x".repeat(16)).await;
    tier.set("u1", "too-big", &"x".repeat(17)).await;

    assert_eq!(tier.get("u1", "fits").await.map(|v| v.len()), Some(16));
    assert_eq!(tier.get("u1", "too-big").await, None);
    assert_eq!(tier.health().oversized_skipped, 1);
    assert!(prefix.keys().iter().all(|key| !key.ends_with("too-big")));
}

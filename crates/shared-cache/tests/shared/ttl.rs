use std::time::Duration;

use insights_shared_cache::{SharedTier, SharedTierConfig};

use crate::support::{SHARED_REDIS_URL, TestPrefix, eventually, pttl};

#[tokio::test]
async fn values_expire_after_the_ttl_and_reads_do_not_extend_it() {
    let prefix = TestPrefix::new();
    let ttl = Duration::from_millis(300);
    let tier = SharedTier::new(
        SHARED_REDIS_URL,
        SharedTierConfig {
            ttl,
            ..prefix.config()
        },
    )
    .unwrap();

    tier.set("u1", "k", "value").await;
    let data_keys: Vec<String> = prefix
        .keys()
        .into_iter()
        .filter(|key| key.contains(":d:"))
        .collect();
    let [data_key] = data_keys.as_slice() else {
        panic!("expected exactly one data key, found {data_keys:?}");
    };

    let before_read = pttl(data_key);
    assert!(before_read > 0 && before_read <= 300, "PTTL {before_read}");
    assert_eq!(tier.get("u1", "k").await.as_deref(), Some("value"));
    let after_read = pttl(data_key);
    assert!(
        after_read <= before_read,
        "a read extended the TTL: {before_read} -> {after_read} ms"
    );

    // Keep reading while waiting: a sliding TTL would keep the value alive forever.
    eventually("the value to expire", || async {
        tier.get("u1", "k").await.is_none()
    })
    .await;
    assert_eq!(pttl(data_key), -2, "the key itself is gone");
}

#[tokio::test]
async fn generation_keys_expire_too() {
    let prefix = TestPrefix::new();
    let tier = prefix.tier();
    tier.invalidate_user("u1").await;
    let generation_key = format!("{}:gen:u1", prefix.prefix);
    let left = pttl(&generation_key);
    let ttl_ms = i64::try_from(prefix.config().ttl.as_millis()).unwrap();
    assert!(
        left > 2 * ttl_ms && left <= 2 * ttl_ms + 1000,
        "PTTL {left}"
    );
}

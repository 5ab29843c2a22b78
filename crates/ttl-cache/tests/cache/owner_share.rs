//! The per-owner bound: one owner (an entry's first tag) flooding the cache with distinct keys
//! cannot push out more than its share of other owners' entries.

use std::sync::Arc;
use std::time::Duration;

use insights_ttl_cache::{ConfigError, TtlCache};

fn cache(max_entries: usize, per_owner: usize, per_owner_weight: u64) -> TtlCache<String, u64> {
    TtlCache::builder(max_entries, Duration::from_secs(60))
        .weigher(u64::MAX, |_, v: &u64| *v)
        .per_owner_bound(per_owner, per_owner_weight)
        .build()
        .expect("valid configuration")
}

fn owner(name: &str) -> [Arc<str>; 1] {
    [Arc::from(name)]
}

#[test]
fn a_flooding_owner_keeps_only_its_share_and_others_keep_theirs() {
    let cache = cache(1_000, 50, u64::MAX);
    for i in 0..900 {
        cache.insert(format!("v{i}"), 1, &owner(&format!("user{i}")));
    }
    for i in 0..10_000 {
        cache.insert(format!("a{i}"), 1, &owner("attacker"));
    }
    let others_left = (0..900)
        .filter(|i| cache.contains_key(&format!("v{i}")))
        .count();
    assert_eq!(others_left, 900, "the flood evicted other owners' entries");
    let flood_left = (0..10_000)
        .filter(|i| cache.contains_key(&format!("a{i}")))
        .count();
    assert_eq!(flood_left, 50);
    assert_eq!(cache.stats().refused_over_share, 9_950);
    assert_eq!(cache.stats().evictions, 0);
}

#[test]
fn the_share_bounds_weight_too() {
    let cache = cache(1_000, 1_000, 100);
    cache.insert("a".into(), 60, &owner("u"));
    cache.insert("b".into(), 60, &owner("u"));
    assert!(cache.contains_key("a"));
    assert!(!cache.contains_key("b"), "120 > the owner's 100");
    cache.insert("c".into(), 40, &owner("u"));
    assert!(cache.contains_key("c"));
    // Another owner has its own share.
    cache.insert("d".into(), 100, &owner("w"));
    assert!(cache.contains_key("d"));
}

#[test]
fn removal_and_invalidation_give_the_share_back() {
    let cache = cache(1_000, 2, u64::MAX);
    let u = owner("u");
    cache.insert("a".into(), 1, &u);
    cache.insert("b".into(), 1, &u);
    cache.insert("c".into(), 1, &u);
    assert!(!cache.contains_key("c"));
    assert_eq!(cache.remove("a"), Some(1));
    cache.insert("c".into(), 1, &u);
    assert!(cache.contains_key("c"), "a removal frees room at once");
    // After an invalidation the dead entries are still held, but no longer count.
    assert!(cache.invalidate_tag("u"));
    cache.insert("d".into(), 1, &u);
    cache.insert("e".into(), 1, &u);
    assert!(cache.contains_key("d") && cache.contains_key("e"));
    // Their lazy reclamation gives nothing back twice: the share is still full.
    cache.purge_expired();
    cache.insert("f".into(), 1, &u);
    assert!(!cache.contains_key("f"));
}

#[test]
fn a_refused_overwrite_drops_the_old_value() {
    let cache = cache(1_000, 1_000, 10);
    let u = owner("u");
    cache.insert("a".into(), 5, &u);
    cache.insert("a".into(), 8, &u);
    assert_eq!(cache.get("a"), Some(8), "replacing within the share");
    cache.insert("b".into(), 2, &u);
    cache.insert("a".into(), 9, &u);
    assert_eq!(
        cache.get("a"),
        None,
        "9 + 2 > 10: neither the new nor the old value stays"
    );
    assert_eq!(cache.get("b"), Some(2));
}

#[test]
fn untagged_entries_have_no_owner() {
    let cache = cache(1_000, 1, 1);
    for i in 0..10 {
        cache.insert(format!("k{i}"), 5, &[]);
    }
    assert_eq!(cache.len(), 10);
}

#[test]
fn a_zero_share_is_a_configuration_error() {
    let err = TtlCache::<u32, u32>::builder(10, Duration::from_secs(1))
        .per_owner_bound(0, 10)
        .build()
        .expect_err("a zero share is refused");
    assert_eq!(err, ConfigError::ZeroOwnerShare);
}

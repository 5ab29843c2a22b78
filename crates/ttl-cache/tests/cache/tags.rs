use std::sync::Arc;

use insights_ttl_cache::TtlCache;

use crate::support::{TTL, tag};

fn cache() -> TtlCache<u64, u64> {
    TtlCache::new(1_000, TTL).expect("valid configuration")
}

#[test]
fn invalidating_a_tag_drops_exactly_its_entries() {
    let cache = cache();
    let alice = tag("alice");
    let bob = tag("bob");
    for key in 0..10 {
        let owner = if key % 2 == 0 { &alice } else { &bob };
        cache.insert(key, key, std::slice::from_ref(owner));
    }
    cache.insert(100, 100, &[]);
    assert!(cache.invalidate_tag("alice"));
    for key in 0..10 {
        assert_eq!(cache.get(&key).is_some(), key % 2 == 1, "key {key}");
    }
    assert_eq!(cache.get(&100), Some(100));
}

#[test]
fn entry_with_several_tags_dies_with_any_of_them() {
    let cache = cache();
    cache.insert(1, 1, &[tag("user:1"), tag("route:/insights")]);
    cache.insert(2, 2, &[tag("user:2"), tag("route:/insights")]);
    cache.invalidate_tag("route:/insights");
    assert_eq!(cache.get(&1), None);
    assert_eq!(cache.get(&2), None);
}

#[test]
fn entries_stored_after_an_invalidation_are_live() {
    let cache = cache();
    cache.insert(1, 1, &[tag("u")]);
    cache.invalidate_tag("u");
    cache.insert(1, 2, &[tag("u")]);
    assert_eq!(cache.get(&1), Some(2));
    cache.invalidate_tag("u");
    assert_eq!(cache.get(&1), None);
}

#[test]
fn unknown_tag_is_reported() {
    let cache = cache();
    assert!(!cache.invalidate_tag("nobody"));
    assert_eq!(cache.stats().invalidations, 1);
}

#[test]
fn invalidated_entries_are_reclaimed_and_tag_counters_dropped() {
    let cache = cache();
    for key in 0..20 {
        cache.insert(key, key, &[tag(&format!("user:{key}"))]);
    }
    assert_eq!(cache.tag_count(), 20);
    for key in 0..10 {
        cache.invalidate_tag(format!("user:{key}").as_str());
    }
    assert_eq!(cache.purge_expired(), 10);
    assert_eq!(cache.stats().invalidated_entries, 10);
    assert_eq!(cache.tag_count(), 10, "counters of dead tags are gone");
    cache.clear();
    assert_eq!(cache.tag_count(), 0);
    assert!(cache.is_empty());
}

#[test]
fn remove_and_clear() {
    let cache = cache();
    cache.insert(1, 1, &[]);
    cache.insert(2, 2, &[]);
    assert_eq!(cache.remove(&1), Some(1));
    assert_eq!(cache.remove(&1), None);
    assert_eq!(cache.get(&2), Some(2));
    cache.clear();
    assert_eq!(cache.get(&2), None);
    assert_eq!(cache.len(), 0);
}

#[test]
fn string_keys_are_looked_up_by_str() {
    let cache: TtlCache<String, Arc<str>> = TtlCache::new(10, TTL).expect("valid configuration");
    cache.insert("/a".to_owned(), Arc::from("body"), &[tag("u1")]);
    assert_eq!(cache.get("/a").as_deref(), Some("body"));
    assert_eq!(cache.remove("/a").as_deref(), Some("body"));
}

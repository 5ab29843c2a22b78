use std::time::Duration;

use crate::support::{TTL, cache_with_clock};

#[test]
fn entry_lives_exactly_its_default_ttl() {
    let (cache, clock) = cache_with_clock(100);
    cache.insert(1, 10, &[]);
    clock.advance(TTL - Duration::from_nanos(1));
    assert_eq!(cache.get(&1), Some(10));
    clock.advance(Duration::from_nanos(1));
    assert_eq!(cache.get(&1), None);
    let stats = cache.stats();
    assert_eq!(stats.expirations, 1);
    assert_eq!(
        stats.entries, 0,
        "expired entry found by a read is reclaimed"
    );
}

#[test]
fn per_entry_ttl_overrides_default() {
    let (cache, clock) = cache_with_clock(100);
    cache.insert_with_ttl(1, 10, Duration::from_secs(1), &[]);
    cache.insert_with_ttl(2, 20, Duration::from_secs(600), &[]);
    cache.insert(3, 30, &[]);
    clock.advance(Duration::from_secs(2));
    assert_eq!(cache.get(&1), None);
    assert_eq!(cache.get(&2), Some(20));
    assert_eq!(cache.get(&3), Some(30));
    clock.advance(TTL);
    assert_eq!(cache.get(&2), Some(20));
    assert_eq!(cache.get(&3), None);
}

#[test]
fn zero_ttl_insert_stores_nothing_and_drops_old_value() {
    let (cache, _clock) = cache_with_clock(100);
    cache.insert(1, 10, &[]);
    cache.insert_with_ttl(1, 11, Duration::ZERO, &[]);
    assert_eq!(cache.get(&1), None);
    assert!(cache.is_empty());
}

#[test]
fn overwrite_restarts_the_ttl() {
    let (cache, clock) = cache_with_clock(100);
    cache.insert(1, 10, &[]);
    clock.advance(TTL / 2);
    cache.insert(1, 11, &[]);
    clock.advance(TTL / 2 + Duration::from_secs(1));
    assert_eq!(cache.get(&1), Some(11));
    assert_eq!(cache.len(), 1);
}

#[test]
fn writes_reclaim_expired_entries_without_reading_them() {
    let (cache, clock) = cache_with_clock(1_000);
    for key in 0..10 {
        cache.insert_with_ttl(key, key, Duration::from_secs(1), &[]);
    }
    clock.advance(Duration::from_secs(2));
    // Each write moves the hand over two slots: five writes pass the ten expired keys.
    for key in 100..105 {
        cache.insert(key, key, &[]);
    }
    assert_eq!(cache.len(), 5);
    assert_eq!(cache.stats().expirations, 10);
}

#[test]
fn purge_expired_reclaims_everything_dead_at_once() {
    let (cache, clock) = cache_with_clock(1_000);
    for key in 0..50 {
        cache.insert_with_ttl(key, key, Duration::from_secs(1), &[]);
    }
    cache.insert(99, 99, &[]);
    clock.advance(Duration::from_secs(1));
    assert_eq!(cache.purge_expired(), 50);
    assert_eq!(cache.len(), 1);
    assert_eq!(cache.get(&99), Some(99));
    assert_eq!(cache.stats().expirations, 50);
}

#[test]
fn contains_key_respects_expiry() {
    let (cache, clock) = cache_with_clock(10);
    cache.insert(1, 1, &[]);
    assert!(cache.contains_key(&1));
    clock.advance(TTL);
    assert!(!cache.contains_key(&1));
}

#[tokio::test]
async fn a_loader_limit_shortens_the_entry() {
    let (cache, clock) = cache_with_clock(100);
    let limit = Duration::from_secs(5);
    let loaded = cache
        .get_or_try_insert_with_limit(1, &[], || async {
            Ok::<_, std::convert::Infallible>((10, Some(limit)))
        })
        .await
        .expect("infallible");
    assert_eq!(loaded, 10);
    clock.advance(limit - Duration::from_nanos(1));
    assert_eq!(cache.get(&1), Some(10));
    clock.advance(Duration::from_nanos(1));
    assert_eq!(cache.get(&1), None, "the entry outlived its loader's limit");
    // A limit longer than the default TTL does not extend it; none keeps the default.
    for (key, limit) in [(2, Some(TTL * 10)), (3, None)] {
        cache
            .get_or_try_insert_with_limit(key, &[], || async {
                Ok::<_, std::convert::Infallible>((key, limit))
            })
            .await
            .expect("infallible");
    }
    clock.advance(TTL - limit);
    assert!(cache.contains_key(&2) && cache.contains_key(&3));
    clock.advance(limit);
    assert!(!cache.contains_key(&2) && !cache.contains_key(&3));
    // A zero limit returns the value without storing it.
    let value = cache
        .get_or_try_insert_with_limit(4, &[], || async {
            Ok::<_, std::convert::Infallible>((4, Some(Duration::ZERO)))
        })
        .await
        .expect("infallible");
    assert_eq!((value, cache.contains_key(&4)), (4, false));
}

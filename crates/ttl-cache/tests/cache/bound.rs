use std::sync::{Arc, Barrier};
use std::time::Duration;

use insights_ttl_cache::{ConfigError, TtlCache};

use crate::support::{TTL, cache_with_clock, shared_cache};

#[test]
fn sequential_inserts_never_exceed_capacity() {
    let (cache, _clock) = cache_with_clock(100);
    for key in 0..1_000 {
        cache.insert(key, key, &[]);
        assert!(cache.len() <= 100);
    }
    assert_eq!(cache.len(), 100);
    assert_eq!(cache.stats().evictions, 900);
    // The most recent insert always survives.
    assert_eq!(cache.get(&999), Some(999));
}

#[test]
fn referenced_entry_gets_a_second_chance() {
    let (cache, _clock) = cache_with_clock(3);
    cache.insert(1, 1, &[]);
    cache.insert(2, 2, &[]);
    cache.insert(3, 3, &[]);
    assert_eq!(cache.get(&1), Some(1));
    cache.insert(4, 4, &[]);
    assert_eq!(cache.get(&2), None, "oldest unreferenced key is the victim");
    assert_eq!(cache.get(&1), Some(1));
    assert_eq!(cache.get(&3), Some(3));
    assert_eq!(cache.get(&4), Some(4));
}

#[test]
fn expired_entries_are_reclaimed_before_live_ones_are_evicted() {
    let (cache, clock) = cache_with_clock(3);
    cache.insert(1, 1, &[]);
    cache.insert_with_ttl(2, 2, Duration::from_secs(1), &[]);
    cache.insert(3, 3, &[]);
    clock.advance(Duration::from_secs(2));
    cache.insert(4, 4, &[]);
    assert_eq!(cache.get(&1), Some(1));
    assert_eq!(cache.get(&3), Some(3));
    let stats = cache.stats();
    assert_eq!(stats.expirations, 1);
    assert_eq!(stats.evictions, 0);
}

#[test]
fn concurrent_inserts_settle_within_capacity() {
    const THREADS: u64 = 4;
    const PER_THREAD: u64 = 5_000;
    let (cache, _clock) = shared_cache(256);
    let barrier = Arc::new(Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let cache = Arc::clone(&cache);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                for i in 0..PER_THREAD {
                    let key = t * PER_THREAD + i;
                    cache.insert(key, key, &[]);
                    // Overwrites and removals interleave with inserts of other threads.
                    if i % 7 == 0 {
                        cache.insert(key, key + 1, &[]);
                    }
                    if i % 11 == 0 {
                        cache.remove(&key);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker thread");
    }
    assert!(cache.len() <= 256, "len {} above capacity", cache.len());
    let present = (0..THREADS * PER_THREAD)
        .filter(|k| cache.contains_key(k))
        .count();
    assert_eq!(present, cache.len(), "entry counter matches the map");
}

#[test]
fn weight_bound_is_respected() {
    let cache: TtlCache<u64, Vec<u8>> = TtlCache::builder(1_000, TTL)
        .weigher(100, |_, v: &Vec<u8>| v.len() as u64)
        .build()
        .expect("valid configuration");
    for key in 0..50 {
        cache.insert(key, vec![0; 30], &[]);
        assert!(cache.stats().weight <= 100);
    }
    assert_eq!(cache.len(), 3);
    cache.insert(1_000, vec![0; 101], &[]);
    assert_eq!(
        cache.get(&1_000),
        None,
        "an entry heavier than the bound is not stored"
    );
}

#[test]
fn invalid_configurations_are_rejected() {
    assert_eq!(
        TtlCache::<u64, u64>::new(0, TTL).err(),
        Some(ConfigError::ZeroCapacity)
    );
    assert_eq!(
        TtlCache::<u64, u64>::new(1, Duration::ZERO).err(),
        Some(ConfigError::ZeroTtl)
    );
    let zero_weight = TtlCache::<u64, u64>::builder(1, TTL)
        .weigher(0, |_, _| 1)
        .build();
    assert_eq!(zero_weight.err(), Some(ConfigError::ZeroWeight));
}

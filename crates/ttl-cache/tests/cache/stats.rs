use crate::support::cache_with_clock;

#[test]
fn hits_misses_and_ratio() {
    let (cache, _clock) = cache_with_clock(10);
    assert_eq!(cache.stats().hit_ratio(), 0.0);
    cache.insert(1, 1, &[]);
    assert_eq!(cache.get(&1), Some(1));
    assert_eq!(cache.get(&1), Some(1));
    assert_eq!(cache.get(&1), Some(1));
    assert_eq!(cache.get(&2), None);
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (3, 1));
    assert_eq!(stats.hit_ratio(), 0.75);
    assert_eq!((stats.inserts, stats.entries, stats.weight), (1, 1, 1));
}

#[test]
fn hits_from_many_threads_are_all_counted() {
    let (cache, _clock) = cache_with_clock(10);
    cache.insert(1, 1, &[]);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..10_000 {
                    assert_eq!(cache.get(&1), Some(1));
                }
            });
        }
    });
    assert_eq!(cache.stats().hits, 40_000);
}

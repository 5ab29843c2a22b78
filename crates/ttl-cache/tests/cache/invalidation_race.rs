//! A load in flight when its key, one of its tags, or the whole cache is invalidated:
//! the result goes to the callers already waiting, but is not stored, and later callers
//! start a fresh load.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use insights_ttl_cache::TtlCache;
use tokio::sync::Semaphore;

use crate::support::{TTL, tag, yield_until};

type Cache = TtlCache<u64, u64>;

/// Runs one load of key 1 tagged "u" that is held until released, with one waiter joined,
/// applies `invalidate` mid-flight, then checks what was returned and stored.
async fn invalidate_during_load(invalidate: impl FnOnce(&Cache)) {
    let cache = Arc::new(Cache::new(100, TTL).expect("valid configuration"));
    // Permits rather than a Notify: a loader not yet parked must not miss its release.
    let release = Arc::new(Semaphore::new(0));
    let version = Arc::new(AtomicU64::new(1));
    let call = |cache: &Arc<Cache>| {
        let cache = Arc::clone(cache);
        let release = Arc::clone(&release);
        let version = Arc::clone(&version);
        tokio::spawn(async move {
            cache
                .get_or_insert_with(1, &[tag("u")], || async move {
                    let seen = version.load(Ordering::SeqCst);
                    release.acquire().await.expect("semaphore open").forget();
                    seen
                })
                .await
        })
    };
    let leader = call(&cache);
    yield_until(&cache, |s| s.loads == 1).await;
    let early_waiter = call(&cache);
    yield_until(&cache, |s| s.coalesced_waits == 1).await;

    // The data changes and the cache is told so while the old load is still running.
    version.store(2, Ordering::SeqCst);
    invalidate(&cache);

    // A caller arriving now must not receive the old load's value: it starts its own.
    let late_caller = call(&cache);
    yield_until(&cache, |s| s.loads == 2).await;
    release.add_permits(2);

    assert_eq!(
        leader.await.expect("leader"),
        1,
        "the leader gets its own result"
    );
    assert_eq!(
        early_waiter.await.expect("waiter"),
        1,
        "earlier waiters share it"
    );
    assert_eq!(
        late_caller.await.expect("late caller"),
        2,
        "later callers load afresh"
    );
    assert_eq!(cache.get(&1), Some(2), "only the fresh load is stored");
    assert_eq!(cache.stats().discarded_loads, 1);
}

#[tokio::test(flavor = "current_thread")]
async fn tag_invalidated_during_load() {
    invalidate_during_load(|cache| {
        assert!(cache.invalidate_tag("u"));
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn key_removed_during_load() {
    invalidate_during_load(|cache| {
        assert_eq!(cache.remove(&1), None);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_cleared_during_load() {
    invalidate_during_load(Cache::clear).await;
}

#[tokio::test(flavor = "current_thread")]
async fn unrelated_tag_does_not_discard_the_load() {
    let cache = Cache::new(100, TTL).expect("valid configuration");
    cache.insert(2, 2, &[tag("other")]);
    let value = cache
        .get_or_insert_with(1, &[tag("u")], || async {
            cache.invalidate_tag("other");
            1
        })
        .await;
    assert_eq!(value, 1);
    assert_eq!(cache.get(&1), Some(1));
    assert_eq!(cache.stats().discarded_loads, 0);
}

#[test]
fn invalidation_racing_with_loads_never_leaves_stale_values() {
    // Many rounds of: a thread loads "version v" while another bumps the version and
    // invalidates. Whatever the interleaving, a value read back later must be the newest.
    let cache = Arc::new(Cache::new(100, TTL).expect("valid configuration"));
    let version = Arc::new(AtomicU64::new(0));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    for _ in 0..500 {
        let loader_cache = Arc::clone(&cache);
        let loader_version = Arc::clone(&version);
        let load = runtime.spawn(async move {
            loader_cache
                .get_or_insert_with(1, &[tag("u")], || async move {
                    let seen = loader_version.load(Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    seen
                })
                .await
        });
        let writer_cache = Arc::clone(&cache);
        let writer_version = Arc::clone(&version);
        let write = runtime.spawn(async move {
            tokio::task::yield_now().await;
            writer_version.fetch_add(1, Ordering::SeqCst);
            writer_cache.invalidate_tag("u");
        });
        runtime.block_on(async {
            load.await.expect("load");
            write.await.expect("write");
        });
        if let Some(cached) = cache.get(&1) {
            assert_eq!(cached, version.load(Ordering::SeqCst), "stale value cached");
        }
    }
}

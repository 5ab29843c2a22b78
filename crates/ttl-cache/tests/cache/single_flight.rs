use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::future::join_all;
use tokio::sync::Notify;

use crate::support::{shared_cache, yield_until};

#[derive(Debug, PartialEq, Eq)]
struct LoadFailed(u32);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_misses_run_one_load() {
    const CALLERS: usize = 1_000;
    let (cache, _clock) = shared_cache(100);
    let loader_calls = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(Notify::new());
    let tasks: Vec<_> = (0..CALLERS)
        .map(|_| {
            let cache = Arc::clone(&cache);
            let loader_calls = Arc::clone(&loader_calls);
            let release = Arc::clone(&release);
            tokio::spawn(async move {
                cache
                    .get_or_try_insert_with(7, &[], || async move {
                        loader_calls.fetch_add(1, Ordering::SeqCst);
                        release.notified().await;
                        Ok::<u64, LoadFailed>(42)
                    })
                    .await
            })
        })
        .collect();
    // Hold the loader until every other caller is waiting on it.
    yield_until(&cache, |s| s.coalesced_waits == (CALLERS - 1) as u64).await;
    release.notify_one();
    for task in tasks {
        assert_eq!(task.await.expect("task"), Ok(42));
    }
    assert_eq!(loader_calls.load(Ordering::SeqCst), 1);
    let stats = cache.stats();
    assert_eq!(stats.loads, 1);
    assert_eq!(stats.misses, CALLERS as u64);
    assert_eq!(cache.get(&7), Some(42));
}

#[tokio::test(flavor = "current_thread")]
async fn current_thread_runtime_coalesces_too() {
    let (cache, _clock) = shared_cache(100);
    let loader_calls = AtomicUsize::new(0);
    let callers = (0..50).map(|_| {
        cache.get_or_insert_with(1, &[], || async {
            loader_calls.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            5
        })
    });
    let values = join_all(callers).await;
    assert!(values.iter().all(|v| *v == 5));
    assert_eq!(loader_calls.load(Ordering::SeqCst), 1);
    assert_eq!(cache.stats().coalesced_waits, 49);
}

#[tokio::test(flavor = "current_thread")]
async fn errors_reach_every_waiter_and_are_not_cached() {
    let (cache, _clock) = shared_cache(100);
    let loader_calls = AtomicUsize::new(0);
    let callers = (0..10).map(|_| {
        cache.get_or_try_insert_with(1, &[], || async {
            loader_calls.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Err::<u64, _>(LoadFailed(503))
        })
    });
    let results = join_all(callers).await;
    let first = results[0].as_ref().expect_err("loader failed");
    for result in &results {
        let error = result.as_ref().expect_err("loader failed");
        assert!(Arc::ptr_eq(first, error), "one shared error");
    }
    assert_eq!(**first, LoadFailed(503));
    assert_eq!(loader_calls.load(Ordering::SeqCst), 1);
    assert_eq!(cache.get(&1), None);

    let retried = cache
        .get_or_try_insert_with(1, &[], || async { Ok::<u64, LoadFailed>(9) })
        .await;
    assert_eq!(retried, Ok(9));
    let stats = cache.stats();
    assert_eq!((stats.loads, stats.load_errors), (2, 1));
}

#[tokio::test(flavor = "current_thread")]
async fn hit_skips_the_loader() {
    let (cache, _clock) = shared_cache(100);
    cache.insert(1, 11, &[]);
    let value = cache
        .get_or_insert_with(1, &[], || async { unreachable!("value is cached") })
        .await;
    assert_eq!(value, 11);
    assert_eq!(cache.stats().hits, 1);
}

#[tokio::test(flavor = "current_thread")]
async fn waiter_with_another_error_type_loads_for_itself() {
    let (cache, _clock) = shared_cache(100);
    let release = Notify::new();
    let leader = cache.get_or_try_insert_with(1, &[], || async {
        release.notified().await;
        Err::<u64, _>(LoadFailed(1))
    });
    let other = async {
        yield_until(&cache, |s| s.loads == 1).await;
        let waiter = cache.get_or_try_insert_with(1, &[], || async { Ok::<u64, String>(3) });
        let (value, ()) = tokio::join!(waiter, async {
            yield_until(&cache, |s| s.coalesced_waits == 1).await;
            release.notify_one();
        });
        value
    };
    let (leader_result, other_result) = tokio::join!(leader, other);
    assert_eq!(leader_result, Err(Arc::new(LoadFailed(1))));
    assert_eq!(other_result, Ok(3));
}

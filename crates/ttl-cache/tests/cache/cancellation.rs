use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use crate::support::{shared_cache, yield_until};

type Cache = insights_ttl_cache::TtlCache<u64, u64>;

/// A caller whose loader counts its calls and waits for `release` before yielding `value`.
fn spawn_caller(
    cache: &Arc<Cache>,
    calls: &Arc<AtomicUsize>,
    release: &Arc<Notify>,
    value: u64,
) -> tokio::task::JoinHandle<Result<u64, Arc<std::io::Error>>> {
    let cache = Arc::clone(cache);
    let calls = Arc::clone(calls);
    let release = Arc::clone(release);
    tokio::spawn(async move {
        cache
            .get_or_try_insert_with(1, &[], || async move {
                calls.fetch_add(1, Ordering::SeqCst);
                release.notified().await;
                Ok(value)
            })
            .await
    })
}

async fn leader_dropped_waiter_takes_over() {
    let (cache, _clock) = shared_cache(10);
    let calls = Arc::new(AtomicUsize::new(0));
    let never = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let leader = spawn_caller(&cache, &calls, &never, 1);
    yield_until(&cache, |s| s.loads == 1).await;
    let waiter = spawn_caller(&cache, &calls, &release, 2);
    yield_until(&cache, |s| s.coalesced_waits == 1).await;

    leader.abort();
    assert!(leader.await.expect_err("aborted").is_cancelled());
    // The waiter becomes the leader and runs its own loader.
    yield_until(&cache, |s| s.loads == 2).await;
    release.notify_one();
    assert_eq!(waiter.await.expect("waiter task").expect("loaded"), 2);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(cache.get(&1), Some(2));
}

#[tokio::test(flavor = "current_thread")]
async fn leader_dropped_current_thread() {
    leader_dropped_waiter_takes_over().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_dropped_multi_thread() {
    leader_dropped_waiter_takes_over().await;
}

async fn waiter_dropped_others_unaffected() {
    let (cache, _clock) = shared_cache(10);
    let calls = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(Notify::new());
    let leader = spawn_caller(&cache, &calls, &release, 1);
    yield_until(&cache, |s| s.loads == 1).await;
    let dropped = spawn_caller(&cache, &calls, &release, 2);
    let kept = spawn_caller(&cache, &calls, &release, 3);
    yield_until(&cache, |s| s.coalesced_waits == 2).await;

    dropped.abort();
    assert!(dropped.await.expect_err("aborted").is_cancelled());
    release.notify_one();
    assert_eq!(leader.await.expect("leader task").expect("loaded"), 1);
    assert_eq!(kept.await.expect("waiter task").expect("loaded"), 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn waiter_dropped_current_thread() {
    waiter_dropped_others_unaffected().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waiter_dropped_multi_thread() {
    waiter_dropped_others_unaffected().await;
}

#[tokio::test(flavor = "current_thread")]
async fn leader_dropped_alone_leaves_no_flight_behind() {
    let (cache, _clock) = shared_cache(10);
    {
        let pending = cache.get_or_try_insert_with(1, &[], std::future::pending::<Result<u64, ()>>);
        // Poll once so the loader starts, then drop the future mid-load.
        let mut pending = Box::pin(pending);
        assert!(futures_util::poll!(pending.as_mut()).is_pending());
    }
    let value = cache
        .get_or_try_insert_with(1, &[], || async { Ok::<u64, ()>(5) })
        .await;
    assert_eq!(value, Ok(5));
    assert_eq!(cache.stats().loads, 2);
}

#[tokio::test(flavor = "current_thread")]
async fn many_leaders_dropped_in_turn() {
    // Every caller but the last is dropped while it leads: each drop hands over to the next.
    let (cache, _clock) = shared_cache(10);
    let calls = Arc::new(AtomicUsize::new(0));
    let never = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let mut doomed = Vec::new();
    for i in 0..5 {
        doomed.push(spawn_caller(&cache, &calls, &never, i));
        yield_until(&cache, |s| s.misses == i + 1).await;
    }
    let last = spawn_caller(&cache, &calls, &release, 99);
    yield_until(&cache, |s| s.coalesced_waits >= 5).await;
    // Whichever caller leads at each moment may be the next one dropped.
    for task in doomed {
        task.abort();
        assert!(task.await.expect_err("aborted").is_cancelled());
    }
    release.notify_one();
    assert_eq!(last.await.expect("task").expect("loaded"), 99);
    let calls = calls.load(Ordering::SeqCst);
    assert!((2..=6).contains(&calls), "{calls} loader calls");
    assert_eq!(cache.get(&1), Some(99));
}

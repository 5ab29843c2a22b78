//! The PostgreSQL pool split into shards, one per thread that serves requests, so that each
//! connection is used on the thread that drives it.
//!
//! A diesel-async PostgreSQL connection is a handle to a driver task that tokio-postgres spawns
//! on the runtime that opened it, and that task does the connection's socket I/O. An actix-web
//! worker is a single-threaded runtime: with one pool shared by every worker, a request on
//! worker A often runs its statements on a connection opened by worker B (or by the main
//! thread at startup), and every statement then wakes the other thread twice, to send and to
//! hand back the rows. On a 2-core machine that cross-thread traffic showed in profiles as the
//! main thread driving request connections and as context switches at the top of the server's
//! own samples (docs/performance.md, "Where the time goes").
//!
//! With shards, each thread that checks a connection out uses shard `t % shards`, where `t`
//! numbers the threads of the process in the order of their first checkout from any sharded
//! pool; bb8 opens a shard's connections on the runtime of the thread whose checkout needed
//! them, so a shard used by one thread is driven by that thread. Threads that start serving
//! together (a server's workers) take consecutive numbers and therefore distinct shards, in
//! every sharded pool alike (a primary and its read replica). The cost is that a thread can use
//! only its shard's connections, however idle the others are: give as many shards as threads
//! serving requests, and no more (see `StoreConfig::pool_shards`).

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;

use super::pipelined::PipelinedReader;
use crate::{PoolState, StoreError};

/// One shard: a plain bb8 pool.
pub(crate) type Shard = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;

/// Threads numbered so far.
static THREADS_NUMBERED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's number, taken at its first checkout from a sharded pool.
    static THREAD_NUMBER: Cell<Option<usize>> = const { Cell::new(None) };
}

/// The calling thread's number (see the module documentation).
fn thread_number() -> usize {
    THREAD_NUMBER.with(|number| {
        number.get().unwrap_or_else(|| {
            let taken = THREADS_NUMBERED.fetch_add(1, Ordering::Relaxed);
            number.set(Some(taken));
            taken
        })
    })
}

/// The PostgreSQL connections: one or more bb8 pools, each used by the threads assigned to it,
/// and, when reads are pipelined, one shared read connection per shard.
#[derive(Clone)]
pub(crate) struct PgPool {
    shards: Arc<[Shard]>,
    /// One per shard, or none when reads use the pool.
    readers: Arc<[PipelinedReader]>,
}

impl PgPool {
    /// The pool over `shards` (at least one), with a pipelined reader per shard if `pipelined`.
    pub(crate) fn new(shards: Vec<Shard>, pipelined: bool) -> Self {
        debug_assert!(!shards.is_empty(), "a pool has at least one shard");
        let readers = if pipelined {
            shards.iter().map(|_| PipelinedReader::default()).collect()
        } else {
            Arc::from([])
        };
        Self {
            shards: shards.into(),
            readers,
        }
    }

    /// The sizes of `shards` shards that share `total` connections as evenly as they can; never
    /// a shard without a connection (fewer shards instead).
    pub(crate) fn shard_sizes(total: u32, shards: u32) -> Vec<u32> {
        let shards = shards.clamp(1, total.max(1));
        (0..shards)
            .map(|i| total / shards + u32::from(i < total % shards))
            .collect()
    }

    /// The shard of the calling thread.
    pub(crate) fn local(&self) -> &Shard {
        &self.shards[self.local_index()]
    }

    /// The calling thread's shard and its pipelined reader, if reads are pipelined.
    pub(crate) fn local_reader(&self) -> Option<(&Shard, &PipelinedReader)> {
        let i = self.local_index();
        // `readers` is empty or as long as `shards`.
        self.readers.get(i).map(|reader| (&self.shards[i], reader))
    }

    fn local_index(&self) -> usize {
        match self.shards.len() {
            1 => 0,
            n => thread_number() % n,
        }
    }

    /// A connection outside the pool, for work off the request path (migrations, catalog
    /// reads): a pooled one opened there would stay driven by the calling thread, usually the
    /// main thread, while request threads use it.
    pub(crate) async fn dedicated_connection(&self) -> Result<AsyncPgConnection, StoreError> {
        // A pool has at least one shard (`shard_sizes` never returns none).
        self.shards[0]
            .dedicated_connection()
            .await
            .map_err(StoreError::from)
    }

    /// Connections open and idle, summed over the shards.
    pub(crate) fn state(&self) -> PoolState {
        let (connections, idle) =
            self.shards
                .iter()
                .map(Shard::state)
                .fold((0, 0), |(connections, idle), shard| {
                    (
                        connections + shard.connections,
                        idle + shard.idle_connections,
                    )
                });
        let readers: u32 = self.readers.iter().map(PipelinedReader::open).sum();
        PoolState {
            connections: connections + readers,
            idle,
        }
    }

    /// Every shard.
    #[cfg(test)]
    fn shards(&self) -> &[Shard] {
        &self.shards
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::{PgPool, Shard};
    use diesel_async::AsyncPgConnection;
    use diesel_async::pooled_connection::AsyncDieselConnectionManager;

    /// Shards that never connect (nothing here checks a connection out).
    fn pool(shards: usize) -> PgPool {
        PgPool::new(
            (0..shards)
                .map(|_| {
                    bb8::Pool::builder().max_size(1).build_unchecked(
                        AsyncDieselConnectionManager::<AsyncPgConnection>::new(
                            "postgres://127.0.0.1:1/none",
                        ),
                    )
                })
                .collect(),
            false,
        )
    }

    fn index_of(pool: &PgPool, shard: &Shard) -> usize {
        pool.shards()
            .iter()
            .position(|s| std::ptr::eq(s, shard))
            .unwrap()
    }

    #[tokio::test]
    async fn threads_keep_their_shard_and_consecutive_threads_get_distinct_ones() {
        let primary = pool(2);
        let replica = pool(2);
        // Two threads that start together, as a server's workers do; each uses both pools in
        // turn, and keeps one shard of each.
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
        let seen: Vec<(usize, usize)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..2)
                .map(|_| {
                    let (primary, replica, barrier) = (&primary, &replica, barrier.clone());
                    scope.spawn(move || {
                        barrier.wait();
                        let first = (
                            index_of(primary, primary.local()),
                            index_of(replica, replica.local()),
                        );
                        for _ in 0..10 {
                            assert_eq!(index_of(primary, primary.local()), first.0);
                            assert_eq!(index_of(replica, replica.local()), first.1);
                        }
                        first
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        // Only this test's threads check out from a pool of several shards in this binary, so
        // the two workers took consecutive numbers.
        assert_ne!(seen[0].0, seen[1].0, "two workers share a shard: {seen:?}");
        assert_eq!(
            seen[0].0, seen[0].1,
            "a thread's shard is the same in every pool"
        );
        assert_eq!(
            seen[1].0, seen[1].1,
            "a thread's shard is the same in every pool"
        );
        let one = pool(1);
        assert!(std::ptr::eq(one.local(), &one.shards()[0]));
    }

    #[test]
    fn connections_are_shared_out_evenly_and_no_shard_is_empty() {
        assert_eq!(PgPool::shard_sizes(4, 2), [2, 2]);
        assert_eq!(PgPool::shard_sizes(5, 2), [3, 2]);
        assert_eq!(PgPool::shard_sizes(10, 3), [4, 3, 3]);
        assert_eq!(PgPool::shard_sizes(2, 4), [1, 1]);
        assert_eq!(PgPool::shard_sizes(4, 0), [4]);
        assert_eq!(PgPool::shard_sizes(0, 2), [0]);
    }
}

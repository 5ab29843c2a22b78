//! Reads pipelined on one connection per shard, shared by every request of the shard's thread
//! (`StoreConfig::pipelined_reads`).
//!
//! A diesel-async PostgreSQL connection accepts statements from several futures at once
//! (`&AsyncPgConnection` runs queries): each is sent as soon as it is issued, and PostgreSQL
//! answers them in order. With a pool, a request holds its connection from its first statement
//! until its rows are decoded, and on a busy single-threaded worker that includes the time the
//! worker spends on other requests, while the backend idles and further requests queue for the
//! pool. One shared connection per worker instead keeps its backend busy with the statements of
//! every request in flight, and requests never wait for a checkout. Measured on 2 cores with
//! PostgreSQL beside the server: uncached p99 0.58–0.75× and throughput +7–33 % against a pool
//! of two connections per worker (docs/performance.md, "Pipelined reads").
//!
//! What it gives up, and why that is acceptable for these reads:
//! - A read waits for the statements sent before it on the same connection (head of line).
//!   The reads are the endpoints' bounded, indexed reads; writes and transactions keep using
//!   the pool.
//! - A read whose request is dropped (the request deadline) is not cancelled: a cancel request
//!   would stop whichever statement the backend runs at that moment, possibly another
//!   request's. The statement finishes or hits the connection's `statement_timeout`, and its
//!   rows are discarded.

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::shards::{PgPool, Shard};
use crate::error::OutageKind;
use crate::health::Health;
use crate::pool::Counted;
use crate::statements::{CheckoutCost, PoolWait, StatementCounter, record};
use crate::{PIPELINED_READ_STALL, StoreError};

/// One shard's shared read connection, opened on first use and replaced once it breaks.
#[derive(Default)]
pub(crate) struct PipelinedReader {
    /// A std mutex: held only to read or update [`Shared`], never across an await.
    shared: Mutex<Shared>,
    /// Taken while a connection is being opened, so that the requests arriving meanwhile wait
    /// for that one instead of each opening their own.
    opening: tokio::sync::Mutex<()>,
}

/// The shared connection and the reads running on it.
#[derive(Default)]
struct Shared {
    conn: Option<Arc<AsyncPgConnection>>,
    /// Counts the connections opened, so that a read that began on a replaced connection does
    /// not count as running on the new one.
    generation: u64,
    in_flight: u32,
    /// When a read last finished, or the connection last went from idle to busy.
    progress: Option<Instant>,
}

/// What the shared connection can do for a read about to start.
enum Begin {
    /// Run on it (the read is counted in flight).
    Run(Arc<AsyncPgConnection>, u64),
    /// None is open.
    Closed,
    /// It has finished no read for [`PIPELINED_READ_STALL`] while reads wait on it.
    Stalled,
}

impl PipelinedReader {
    /// Connections open (0 or 1), for the pool's state.
    pub(crate) fn open(&self) -> u32 {
        u32::from(self.lock().conn.is_some())
    }

    /// Registers a read about to start on the shared connection.
    fn begin(&self) -> Begin {
        let mut shared = self.lock();
        let Some(conn) = shared.conn.clone() else {
            return Begin::Closed;
        };
        let now = Instant::now();
        if shared.in_flight == 0 {
            shared.progress = Some(now);
        } else if shared
            .progress
            .is_some_and(|p| now.saturating_duration_since(p) >= PIPELINED_READ_STALL)
        {
            return Begin::Stalled;
        }
        shared.in_flight += 1;
        Begin::Run(conn, shared.generation)
    }

    /// Registers the end (finished, failed or dropped) of a read begun on `generation`.
    fn end(&self, generation: u64) {
        let mut shared = self.lock();
        if shared.generation == generation {
            shared.in_flight = shared.in_flight.saturating_sub(1);
            shared.progress = Some(Instant::now());
        }
    }

    /// The shared connection for a new read (counted in flight until [`Self::end`]), opened if
    /// none is; `None` if it is stalled. Refused at once while `health` knows the database is
    /// down; a wait for another request's connection attempt is given up as soon as it learns
    /// so.
    async fn connection(
        &self,
        shard: &Shard,
        health: &Health,
        total: &StatementCounter,
    ) -> Result<Option<(Arc<AsyncPgConnection>, u64)>, StoreError> {
        match self.begin() {
            Begin::Run(conn, generation) => return Ok(Some((conn, generation))),
            Begin::Stalled => return Ok(None),
            Begin::Closed => {}
        }
        health.admit()?;
        let _opening = tokio::select! {
            biased;
            guard = self.opening.lock() => guard,
            error = health.went_down() => return Err(error),
        };
        match self.begin() {
            Begin::Run(conn, generation) => return Ok(Some((conn, generation))),
            Begin::Stalled => return Ok(None),
            Begin::Closed => {}
        }
        // The shard's manager opens it: the same connect timeout, health reports and
        // statement timeout as pooled connections, on the calling thread's runtime.
        let mut conn = shard
            .dedicated_connection()
            .await
            .map_err(StoreError::from)?;
        conn.set_instrumentation(CountStatements(total.clone()));
        let conn = Arc::new(conn);
        let mut shared = self.lock();
        shared.generation += 1;
        shared.conn = Some(Arc::clone(&conn));
        shared.in_flight = 1;
        shared.progress = Some(Instant::now());
        Ok(Some((conn, shared.generation)))
    }

    /// Forgets `conn` if it is still the current connection (another request may have replaced
    /// it already); it closes when the last read using it ends.
    fn discard(&self, conn: &Arc<AsyncPgConnection>) {
        let mut shared = self.lock();
        if shared.conn.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            shared.conn = None;
            shared.in_flight = 0;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        // Every update of `Shared` leaves it consistent, so it stays usable after a panic.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The connection an endpoint's read runs on: the shard's pipelined reader, or a pooled
/// connection when reads are not pipelined. Either way it reports its cost when dropped.
// The pooled variant is large (bb8's guard holds the connection's state inline); the value
// lives in the read's future for one read, and boxing it would allocate on every read.
#[allow(clippy::large_enum_variant)]
pub(crate) enum ReadConnection<'a> {
    /// The shared connection of the calling thread's shard.
    Pipelined(SharedRead<'a>),
    /// A checked-out connection.
    Pooled(Counted<'a, AsyncDieselConnectionManager<AsyncPgConnection>>),
}

impl<'a> ReadConnection<'a> {
    /// The calling thread's read connection.
    pub(crate) async fn get(
        pool: &'a PgPool,
        total: &'a StatementCounter,
        health: &'a Health,
    ) -> Result<Self, StoreError> {
        if let Some((shard, reader)) = pool.local_reader() {
            let wait = PoolWait::starting(total, Instant::now());
            if let Some((conn, generation)) = reader.connection(shard, health, total).await? {
                return Ok(Self::Pipelined(SharedRead {
                    reader,
                    conn,
                    generation,
                    total,
                    waited: wait.connected(),
                    started: Instant::now(),
                }));
            }
            // Stalled: this read takes a pooled connection (`PIPELINED_READ_STALL`).
        }
        Ok(Self::Pooled(
            Counted::checkout(pool.local(), total, Some(health)).await?,
        ))
    }

    /// Whether a read that ended with `result` should run once more on a new connection: it
    /// lost the shared connection (the server restarted, the backend was terminated), which
    /// is then forgotten. Reads are idempotent, and a request should not fail for a connection
    /// that died while idle. (A pooled connection found broken is discarded by the pool.)
    pub(crate) fn lost<T>(&self, result: &Result<T, StoreError>) -> bool {
        match (self, result) {
            (Self::Pipelined(read), Err(StoreError::Unavailable(outage)))
                if *outage.kind() == OutageKind::ConnectionLost =>
            {
                read.reader.discard(&read.conn);
                true
            }
            _ => false,
        }
    }
}

impl Deref for ReadConnection<'_> {
    type Target = AsyncPgConnection;
    fn deref(&self) -> &AsyncPgConnection {
        match self {
            Self::Pipelined(read) => &read.conn,
            Self::Pooled(conn) => conn,
        }
    }
}

/// One read's use of a shared connection; reports its wait and duration when dropped, like a
/// checkout (its statements are counted as they start, by the connection's instrumentation).
pub(crate) struct SharedRead<'a> {
    reader: &'a PipelinedReader,
    conn: Arc<AsyncPgConnection>,
    generation: u64,
    total: &'a StatementCounter,
    waited: Duration,
    started: Instant,
}

impl Drop for SharedRead<'_> {
    fn drop(&mut self) {
        self.reader.end(self.generation);
        let cost = CheckoutCost {
            statements: 0,
            waited: self.waited,
            held: self.started.elapsed(),
        };
        record(self.total, cost);
    }
}

/// Counts each statement started on the shared connection for the store and for the request
/// that issued it: on PostgreSQL the instrumentation runs in the task that issues the
/// statement, inside that request's scope.
struct CountStatements(StatementCounter);

impl Instrumentation for CountStatements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            record(
                &self.0,
                CheckoutCost {
                    statements: 1,
                    ..CheckoutCost::default()
                },
            );
        }
    }
}

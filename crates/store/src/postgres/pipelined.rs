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
//! What it gives up, and how that is bounded:
//! - A read waits for the statements sent before it on the same connection (head of line).
//!   Once the connection has finished nothing for [`PIPELINED_READ_STALL`], or holds
//!   [`MAX_IN_FLIGHT`] reads, new reads take pooled connections. Writes and transactions always
//!   use the pool.
//! - A read whose request is dropped (the request deadline) is not cancelled: a cancel request
//!   would stop whichever statement the backend runs at that moment, possibly another
//!   request's. The statement finishes or hits the connection's `statement_timeout`, and its
//!   rows are discarded; a read dropped on a stalled connection retires the connection (see
//!   [`PipelinedReader::end`]), so that a lock or a server that stopped answering traps no
//!   read beyond one deadline.

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::shards::{PgPool, Shard};
use crate::health::Health;
use crate::pool::Counted;
use crate::statements::{CheckoutCost, PoolWait, StatementCounter, record};
use crate::{PIPELINED_READ_STALL, StoreError};

/// Most reads in flight on one shared connection; further reads take pooled connections, so
/// that an overloaded worker's reads meet the pool's checkout timeout (a quick 503) instead of
/// queueing on the connection until their deadline.
const MAX_IN_FLIGHT: u32 = 32;

/// A shared connection is replaced after this long, as bb8 replaces pooled ones: after a
/// failover that moved the database's address, reads do not stay on the old server.
const LIFETIME: Duration = Duration::from_secs(30 * 60);

/// After a failed attempt to open the shared connection (while the database is not known to be
/// down: too many connections, say), reads use the pool for this long before the next attempt.
const REOPEN_AFTER: Duration = Duration::from_secs(1);

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
    /// Counts the connections opened and retired, so that a read that began on a retired
    /// connection does not count as running on the current one.
    generation: u64,
    opened: Option<Instant>,
    in_flight: u32,
    /// When a read last finished, or the connection last went from idle to busy.
    progress: Option<Instant>,
    /// No attempt to open a connection before this instant.
    reopen_at: Option<Instant>,
}

impl Shared {
    fn stalled(&self, now: Instant) -> bool {
        self.in_flight > 0
            && self
                .progress
                .is_some_and(|p| now.saturating_duration_since(p) >= PIPELINED_READ_STALL)
    }

    /// Forgets the current connection: reads still running on it keep their `Arc`, and it
    /// closes when the last of them ends.
    fn retire(&mut self) {
        self.conn = None;
        self.generation += 1;
        self.in_flight = 0;
    }

    /// Makes `conn`, just opened for a read, the current connection with that read in flight;
    /// returns its generation.
    fn install(&mut self, conn: Arc<AsyncPgConnection>) -> u64 {
        let now = Instant::now();
        self.retire();
        self.conn = Some(conn);
        self.opened = Some(now);
        self.in_flight = 1;
        self.progress = Some(now);
        self.reopen_at = None;
        self.generation
    }
}

/// What the shared connection can do for a read about to start.
enum Begin {
    /// Run on it (the read is counted in flight).
    Run(Arc<AsyncPgConnection>, u64),
    /// Open one first.
    Open,
    /// Take a pooled connection: this one is stalled or full, or opening one failed a moment ago.
    UsePool,
}

impl Begin {
    /// What the read gets without opening a connection: the shared one, or `None` for the
    /// pool; `None` if a connection must be opened first.
    fn without_opening(self) -> Option<Option<(Arc<AsyncPgConnection>, u64)>> {
        match self {
            Self::Run(conn, generation) => Some(Some((conn, generation))),
            Self::UsePool => Some(None),
            Self::Open => None,
        }
    }
}

impl PipelinedReader {
    /// Connections open (0 or 1), for the pool's state.
    pub(crate) fn open(&self) -> u32 {
        u32::from(self.lock().conn.is_some())
    }

    /// Registers a read about to start on the shared connection.
    fn begin(&self) -> Begin {
        let now = Instant::now();
        let mut shared = self.lock();
        let Some(conn) = shared.conn.clone() else {
            return match shared.reopen_at {
                Some(at) if now < at => Begin::UsePool,
                _ => Begin::Open,
            };
        };
        if shared
            .opened
            .is_some_and(|opened| now.saturating_duration_since(opened) >= LIFETIME)
        {
            shared.retire();
            return Begin::Open;
        }
        if shared.stalled(now) || shared.in_flight >= MAX_IN_FLIGHT {
            return Begin::UsePool;
        }
        if shared.in_flight == 0 {
            shared.progress = Some(now);
        }
        shared.in_flight += 1;
        Begin::Run(conn, shared.generation)
    }

    /// Registers the end of a read begun on `generation`: `finished` (its statements answered,
    /// whatever the answer), or dropped before that (its request's deadline, a client gone).
    /// A read dropped unfinished on a stalled connection retires the connection: it is held up
    /// by something that outlasted a request (a lock, a server that stopped answering without
    /// closing the connection), and new reads should not join it.
    fn end(&self, generation: u64, finished: bool) {
        let now = Instant::now();
        let mut shared = self.lock();
        if shared.generation != generation {
            return;
        }
        if !finished && shared.stalled(now) {
            shared.retire();
            return;
        }
        shared.in_flight = shared.in_flight.saturating_sub(1);
        if finished {
            shared.progress = Some(now);
        }
    }

    /// The shared connection for a new read (counted in flight until [`Self::end`]), opened if
    /// none is; `None` if the read should take a pooled connection instead. A wait for another
    /// request's connection attempt is given up as soon as `health` learns the database is down.
    async fn connection(
        &self,
        shard: &Shard,
        health: &Health,
        total: &StatementCounter,
    ) -> Result<Option<(Arc<AsyncPgConnection>, u64)>, StoreError> {
        if let Some(ready) = self.begin().without_opening() {
            return Ok(ready);
        }
        let _opening = tokio::select! {
            biased;
            guard = self.opening.lock() => guard,
            error = health.went_down() => return Err(error),
        };
        // The database may have been found down while this read waited for the attempt of
        // another; it may also have opened the connection.
        health.admit()?;
        if let Some(ready) = self.begin().without_opening() {
            return Ok(ready);
        }
        // The shard's manager opens it: the same connect timeout, health reports and
        // statement timeout as pooled connections, on the calling thread's runtime.
        let mut conn = match shard.dedicated_connection().await {
            Ok(conn) => conn,
            Err(error) => {
                let error = StoreError::from(error);
                // Unreachable: the attempt marked the database down; fail as the pool would.
                health.admit()?;
                // Reachable but refused (too many connections, say): the pool may have
                // connections to spare.
                tracing::warn!(%error, "cannot open a pipelined read connection; reads use the pool");
                self.lock().reopen_at = Some(Instant::now() + REOPEN_AFTER);
                return Ok(None);
            }
        };
        conn.set_instrumentation(CountStatements(total.clone()));
        let conn = Arc::new(conn);
        let generation = self.lock().install(Arc::clone(&conn));
        Ok(Some((conn, generation)))
    }

    /// Forgets `conn` if it is still the current connection (another request may have replaced
    /// it already).
    fn discard(&self, conn: &Arc<AsyncPgConnection>) {
        let mut shared = self.lock();
        if shared.conn.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            shared.retire();
        }
    }

    /// Forgets the current connection, whatever it is: the database was found down, and the
    /// connection to use after it recovers is a new one.
    fn reset(&self) {
        let mut shared = self.lock();
        if shared.conn.is_some() {
            shared.retire();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        // Every update of `Shared` leaves it consistent, so it stays usable after a panic.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The connection an endpoint's read runs on: the shard's pipelined reader, or a pooled
/// connection when reads are not pipelined. Either way it reports its cost when dropped.
#[allow(
    clippy::large_enum_variant,
    reason = "bb8's guard holds the connection inline; the value lives in one read's future, \
              and boxing it would allocate on every read"
)]
pub(crate) enum ReadConnection<'a> {
    /// The shared connection of the calling thread's shard.
    Pipelined(SharedRead<'a>),
    /// A checked-out connection.
    Pooled(Counted<'a, AsyncDieselConnectionManager<AsyncPgConnection>>),
}

impl<'a> ReadConnection<'a> {
    /// The calling thread's read connection: its shard's shared one if `may_pipeline` and reads
    /// are pipelined, else a pooled one. Refused at once while `health` knows the database is
    /// down, as a pooled checkout is.
    pub(crate) async fn get(
        pool: &'a PgPool,
        total: &'a StatementCounter,
        health: &'a Health,
        may_pipeline: bool,
    ) -> Result<Self, StoreError> {
        if let Some((shard, reader)) = pool.local_reader().filter(|_| may_pipeline) {
            if let Err(down) = health.admit() {
                reader.reset();
                return Err(down);
            }
            let wait = PoolWait::starting(total, Instant::now());
            if let Some((conn, generation)) = reader.connection(shard, health, total).await? {
                return Ok(Self::Pipelined(SharedRead {
                    reader,
                    conn,
                    generation,
                    finished: false,
                    total,
                    waited: wait.connected(),
                    started: Instant::now(),
                }));
            }
        }
        Ok(Self::Pooled(
            Counted::checkout(pool.local(), total, Some(health)).await?,
        ))
    }

    /// Records that the read's statements were answered with `result`; true if it should run
    /// once more, on a new connection: it lost its connection (the server restarted, the
    /// backend was terminated, even under the running statement). Reads are idempotent, and a
    /// request should not fail for one connection that died. A lost shared connection is
    /// forgotten here; a lost pooled one is marked broken, so that the pool drops it when it
    /// comes back (the driver may not have seen the socket close yet, and the pool would hand
    /// it out again, to this read's second run among others).
    pub(crate) fn finish<T>(&mut self, result: &Result<T, StoreError>) -> bool {
        let lost = super::lost_connection(result);
        match self {
            Self::Pipelined(read) => {
                read.finished = true;
                if lost {
                    read.reader.discard(&read.conn);
                }
            }
            Self::Pooled(conn) if lost => super::mark_broken(conn),
            Self::Pooled(_) => {}
        }
        lost
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
    /// Its statements were answered (see [`PipelinedReader::end`]).
    finished: bool,
    total: &'a StatementCounter,
    waited: Duration,
    started: Instant,
}

impl Drop for SharedRead<'_> {
    fn drop(&mut self) {
        self.reader.end(self.generation, self.finished);
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

//! Reads pipelined on a shared connection (`StoreConfig::pipelined_reads`): what happens when
//! that connection dies or is held up; beside them, the same faults on pooled reads and
//! writes, which share these helpers. (The conformance tests run on the shared connection too,
//! as `<test>::postgres_pipelined`.)

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use insights_model::{PatternType, TimelinePattern};
use insights_recommender::engine::INPUT_LIMITS;
use insights_store::{
    DatabaseUrl, EffectivenessInputs, OutageKind, PIPELINED_READ_STALL, RecommendationInputs,
    Store, StoreConfig, StoreError,
};
use insights_testkit::TestDb;

use crate::fixtures::*;

/// A store on `db` whose connections carry an application name of their own, so that the
/// test can find their backends in `pg_stat_activity` among those of tests running beside it.
async fn pipelined_store(db: &TestDb) -> (Store, String) {
    named_store(db, true).await
}

/// [`pipelined_store`], with reads pipelined or pooled.
async fn named_store(db: &TestDb, pipelined_reads: bool) -> (Store, String) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "pipelined_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let url = format!("{}&application_name={name}", db.url);
    let store = Store::connect(&StoreConfig {
        pipelined_reads,
        ..StoreConfig::new(DatabaseUrl::parse(&url).expect("url"))
    })
    .await
    .expect("connect");
    (store, name)
}

/// Asserts that the store's only connection is its shared read connection: open, and never
/// idle (`pool_state` counts it as busy), with no pooled connection opened.
#[track_caller]
fn assert_on_shared_connection_only(store: &Store) {
    let state = store.pool_state();
    assert!(state.connections == 1 && state.idle == 0, "{state:?}");
}

/// Holds `LOCK TABLE table IN ACCESS EXCLUSIVE MODE` in an open transaction on a connection of
/// its own, until `COMMIT`.
async fn lock_table(db: &TestDb, table: &str) -> AsyncPgConnection {
    let mut locker = AsyncPgConnection::establish(&db.url).await.expect("locker");
    locker
        .batch_execute(&format!(
            "BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"
        ))
        .await
        .expect("lock");
    locker
}

/// An evolution read (of `behavioral_patterns`).
async fn evolution_read(store: &Store) -> Result<Vec<TimelinePattern>, StoreError> {
    store
        .patterns_overlapping("nobody", at(NOW - 84 * DAY), at(NOW), None)
        .await
}

/// An effectiveness read (of `personalization_configs` and `personalization_effectiveness`).
async fn effectiveness_read(store: &Store) -> Result<EffectivenessInputs, StoreError> {
    store
        .effectiveness_inputs("nobody", at(NOW - 14 * DAY), at(NOW))
        .await
}

/// Polls until one of the backends named `name` waits for a lock.
async fn until_waiting_for_a_lock(admin: &mut AsyncPgConnection, name: &str) {
    let since = Instant::now();
    while backends(admin, name, "wait_event_type = 'Lock'").await == 0 {
        assert!(
            since.elapsed() < Duration::from_secs(10),
            "no read waited for the lock"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many of the backends named `name` match `condition` (SQL over `pg_stat_activity`).
async fn backends(conn: &mut AsyncPgConnection, name: &str, condition: &str) -> i64 {
    diesel::sql_query(format!(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = '{name}' AND {condition}"
    ))
    .get_result::<Count>(conn)
    .await
    .expect("pg_stat_activity")
    .n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_that_lost_the_shared_connection_runs_again_on_a_new_one() {
    let db = TestDb::postgres().await;
    let (store, name) = pipelined_store(&db).await;
    let read = || effectiveness_read(&store);
    read()
        .await
        .expect("first read opens the shared connection");
    assert_on_shared_connection_only(&store);
    let mut admin = AsyncPgConnection::establish(&db.url).await.expect("admin");
    // Waits (up to 5 s) until the backend has exited, as a server restart or an
    // administrator would leave it.
    admin
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
             WHERE application_name = '{name}'"
        ))
        .await
        .expect("terminate");
    assert_eq!(backends(&mut admin, &name, "true").await, 0);
    // The read finds the connection dead, forgets it and runs again on a new one.
    read().await.expect("read after the backend was terminated");
    assert_eq!(backends(&mut admin, &name, "true").await, 1);
    assert_on_shared_connection_only(&store);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_do_not_queue_for_long_behind_a_stalled_statement() {
    let db = TestDb::postgres().await;
    let (store, name) = pipelined_store(&db).await;
    let evolution = || evolution_read(&store);
    evolution().await.expect("opens the shared connection");
    assert_on_shared_connection_only(&store);

    let mut locker = lock_table(&db, "personalization_effectiveness").await;
    let blocked = effectiveness_read(&store);
    let meanwhile = async {
        let mut admin = AsyncPgConnection::establish(&db.url).await.expect("admin");
        until_waiting_for_a_lock(&mut admin, &name).await;
        // The shared connection has finished nothing since the blocked read began; once that
        // has lasted the stall time (a duration is the condition: nothing to poll for), a read
        // of an unlocked table takes a pooled connection instead of queueing behind it.
        tokio::time::sleep(PIPELINED_READ_STALL).await;
        tokio::time::timeout(Duration::from_secs(5), evolution())
            .await
            .expect("the read queued behind the blocked one")
            .expect("read on a pooled connection");
        let state = store.pool_state();
        assert_eq!((state.connections, state.idle), (2, 1), "{state:?}");
        locker.batch_execute("COMMIT").await.expect("unlock");
    };
    let (blocked, ()) = tokio::join!(blocked, meanwhile);
    blocked.expect("the blocked read ends once the lock is released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_dropped_on_a_stalled_connection_retires_it() {
    let db = TestDb::postgres().await;
    let (store, name) = pipelined_store(&db).await;
    let evolution = || evolution_read(&store);
    evolution().await.expect("opens the shared connection");

    let mut locker = lock_table(&db, "personalization_effectiveness").await;
    let blocked = effectiveness_read(&store);
    let mut admin = AsyncPgConnection::establish(&db.url).await.expect("admin");
    // The blocked read is dropped once it has waited past the stall time, as a request's
    // deadline drops it, while the lock is still held (a server that stops answering without
    // closing the connection looks the same from here).
    let past_the_stall = async {
        until_waiting_for_a_lock(&mut admin, &name).await;
        tokio::time::sleep(PIPELINED_READ_STALL).await;
    };
    tokio::select! {
        biased;
        () = past_the_stall => {}
        result = blocked => panic!("the read ended under the lock: {result:?}"),
    }
    // No read is in flight now; had the connection not been retired, the next read would join
    // it and queue behind the abandoned statement.
    tokio::time::timeout(Duration::from_secs(5), evolution())
        .await
        .expect("the read joined the stalled connection")
        .expect("read on a new shared connection");
    assert_on_shared_connection_only(&store);
    locker.batch_execute("COMMIT").await.expect("unlock");
}

/// A recommendations read (of `behavioral_patterns` among others), always on a pooled connection.
async fn recommendations_read(store: &Store) -> Result<RecommendationInputs, StoreError> {
    store
        .recommendation_inputs("nobody", at(NOW - 14 * DAY), &INPUT_LIMITS)
        .await
}

#[track_caller]
fn assert_lost_connection(read: Result<(), StoreError>) {
    match read {
        Err(StoreError::Unavailable(outage)) => {
            assert_eq!(outage.kind(), &OutageKind::ConnectionLost);
        }
        other => panic!("{other:?}"),
    }
}

/// Terminates the backend named `name` that waits for a lock, as a fast shutdown or an
/// administrator ends a session under a running statement (SQLSTATE 57P01).
async fn terminate_the_waiting_backend(admin: &mut AsyncPgConnection, name: &str) {
    until_waiting_for_a_lock(admin, name).await;
    admin
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity \
             WHERE application_name = '{name}' AND wait_event_type = 'Lock'"
        ))
        .await
        .expect("terminate");
}

/// [`terminate_the_waiting_backend`] twice: a read that ran once more is ended again.
async fn terminate_twice(admin: &mut AsyncPgConnection, name: &str) {
    terminate_the_waiting_backend(admin, name).await;
    terminate_the_waiting_backend(admin, name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_whose_session_the_server_ends_runs_once_more_then_is_unavailable() {
    let db = TestDb::postgres().await;
    let (pooled, pooled_name) = named_store(&db, false).await;
    let (pipelined, name) = pipelined_store(&db).await;
    let mut admin = AsyncPgConnection::establish(&db.url).await.expect("admin");
    let mut locker = lock_table(&db, "personalization_effectiveness, behavioral_patterns").await;

    // Pooled: the read runs once more on another connection; when that session is ended too,
    // it fails as unavailable (a 503), not as a failed query (a 500). The recommendations
    // read, always pooled, too.
    let (read, ()) = tokio::join!(
        effectiveness_read(&pooled),
        terminate_twice(&mut admin, &pooled_name)
    );
    assert_lost_connection(read.map(drop));
    let (read, ()) = tokio::join!(
        recommendations_read(&pooled),
        terminate_twice(&mut admin, &pooled_name)
    );
    assert_lost_connection(read.map(drop));

    // Pipelined: the read runs again on a new shared connection, and ends once unlocked.
    let ended_once = async {
        terminate_the_waiting_backend(&mut admin, &name).await;
        // The read is back, waiting on a new backend.
        until_waiting_for_a_lock(&mut admin, &name).await;
        locker.batch_execute("COMMIT").await.expect("unlock");
    };
    let (read, ()) = tokio::join!(effectiveness_read(&pipelined), ended_once);
    read.expect("the read ran again after its backend was terminated");
    assert_on_shared_connection_only(&pipelined);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_session_the_server_ends_is_unavailable_and_its_connection_is_dropped() {
    let db = TestDb::postgres().await;
    let (store, name) = named_store(&db, false).await;
    let write = || async {
        let written = [pattern(
            "u1",
            PatternType::OptimalStudyTime,
            0.8,
            NOW - DAY,
            NOW,
        )];
        store.insert_patterns(&written).await
    };
    write().await.expect("a first write");
    let before = store.pool_state();
    assert_eq!(before.connections, before.idle, "{before:?}");
    let mut admin = AsyncPgConnection::establish(&db.url).await.expect("admin");
    let mut locker = lock_table(&db, "behavioral_patterns").await;

    let (written, ()) = tokio::join!(write(), terminate_the_waiting_backend(&mut admin, &name));
    assert_lost_connection(written.map(drop));
    // The pool closed the dead connection when it came back, at once: it did not keep it for
    // the next write, which the driver, not yet aware the socket closed, would have failed.
    let after = store.pool_state();
    assert_eq!(after.connections, before.connections - 1, "{after:?}");
    locker.batch_execute("COMMIT").await.expect("unlock");
    write().await.expect("the next write");
}

//! A real streaming replica: a hot standby (`pg_basebackup -R`) of a private primary, whose
//! replay the tests pause to give it as much lag as they need, behind instances that share a
//! private Redis.

use std::time::{Duration, Instant};

use insights_model::{PatternType, Timestamp};
use insights_server::AppState;
use insights_server::auth::JwtKeys;
use insights_service::{Backends, Insights, ServiceConfig, SharedTier, SharedTierConfig};
use insights_store::{DatabaseUrl, Store, StoreConfig};
use insights_testkit::{TempPostgres, TestDb};
use serde_json::json;

use crate::processes::RedisProcess;
use crate::support::*;

const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";
const PATTERNS: &str = "/api/analytics/behavioral-insights/patterns";

async fn store(url: &str) -> Store {
    let mut config = StoreConfig::new(DatabaseUrl::parse(url).expect("url"));
    // Long enough that a 503 which waited for a checkout cannot pass for a fast one.
    config.checkout_timeout = Duration::from_secs(5);
    Store::connect(&config).await.expect("connect")
}

/// The shared Redis tier of the instances under `prefix`.
fn tier(redis: &str, prefix: &str) -> SharedTier {
    SharedTier::new(
        redis,
        SharedTierConfig {
            key_prefix: prefix.to_owned(),
            ..SharedTierConfig::default()
        },
    )
    .expect("tier")
}

/// One instance: the primary, the standby as its read replica, and the shared tier if any.
async fn instance(
    primary: &TempPostgres,
    standby: &TempPostgres,
    shared_tier: Option<SharedTier>,
    local_cache: bool,
) -> TestApp {
    let insights = Insights::with_backends(
        Backends {
            primary: store(&primary.url()).await,
            read_replica: Some(store(&standby.url()).await),
            shared_tier,
        },
        ServiceConfig {
            cache_capacity: if local_cache { 10_000 } else { 0 },
            ..ServiceConfig::default()
        },
    )
    .expect("service");
    let mut state = AppState::new(insights, JwtKeys::new(SECRET)).expect("state");
    state.deadline = Some(Duration::from_secs(30));
    // The TestDb only gives the helpers a database; every request goes to the stores above.
    TestApp {
        db: TestDb::sqlite().await,
        state,
    }
}

/// A private primary with our schema, the store of an administrator on it, and its standby.
async fn primary_and_standby() -> (TempPostgres, Store, TempPostgres) {
    let primary = TempPostgres::start().expect("primary");
    let admin = store(&primary.url()).await;
    admin.migrate().await.expect("migrate");
    let standby = primary.start_standby().expect("standby");
    (primary, admin, standby)
}

/// Waits until the standby has replayed everything the primary wrote so far.
fn wait_caught_up(primary: &TempPostgres, standby: &TempPostgres) {
    let lsn = primary.psql("SELECT pg_current_wal_lsn()").expect("lsn");
    let query = format!("SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn");
    let deadline = Instant::now() + Duration::from_secs(30);
    while standby.psql(&query).expect("replay lsn") != "t" {
        assert!(Instant::now() < deadline, "the standby never caught up");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn patterns_on(pg: &TempPostgres, user: &str) -> String {
    pg.psql(&format!(
        "SELECT count(*) FROM behavioral_patterns WHERE \"userId\" = '{user}'"
    ))
    .expect("count")
}

async fn seed(primary: &Store, user: &str) {
    let now = Timestamp::now().unix_millis();
    primary
        .insert_patterns(&[pattern(
            user,
            PatternType::OptimalStudyTime,
            0.85,
            now - 20 * DAY,
            now - DAY,
        )])
        .await
        .expect("seed");
}

fn total(res: &Resp) -> u64 {
    assert_eq!(res.status, 200, "{}", res.text);
    res.data()["meta"]["totalPatterns"].as_u64().expect("total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_your_writes_holds_on_the_writer_and_on_another_instance_with_real_lag() {
    let (primary, admin, standby) = primary_and_standby().await;
    let redis = RedisProcess::start();
    let prefix = format!("insights-it-{}", cuid2::create_id());
    seed(&admin, "u1").await;
    wait_caught_up(&primary, &standby);
    // A writes; B has no local tier, so every read of B goes through the shared tier.
    let a = instance(&primary, &standby, Some(tier(&redis.url(), &prefix)), true).await;
    let b = instance(&primary, &standby, Some(tier(&redis.url(), &prefix)), false).await;
    assert_eq!(total(&a.get_as(EVO, "u1").await), 1);
    assert_eq!(total(&b.get_as(EVO, "u1").await), 1);

    standby.pause_replay().expect("pause");
    let res = a
        .post_as(
            PATTERNS,
            "u1",
            json!([{"patternType": "FORGETTING_CURVE", "confidence": 0.8}]),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(patterns_on(&primary, "u1"), "2");
    assert_eq!(patterns_on(&standby, "u1"), "1", "the replica lags");

    // B first: had the writer read first, its answer (from the primary) would already be in
    // the shared tier for B to find.
    assert_eq!(total(&b.get_as(EVO, "u1").await), 2, "another instance");
    // Nor did B store the replica's older answer in the shared tier for everyone.
    assert_eq!(
        total(&a.get_as(EVO, "u1").await),
        2,
        "the writer's instance"
    );
    assert_eq!(total(&b.get_as(EVO, "u1").await), 2);
    standby.resume_replay().expect("resume");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_goes_down_sends_reads_to_the_primary_and_they_come_back() {
    let (primary, admin, standby) = primary_and_standby().await;
    let redis = RedisProcess::start();
    let prefix = format!("insights-it-{}", cuid2::create_id());
    seed(&admin, "u2").await;
    wait_caught_up(&primary, &standby);
    let app = instance(&primary, &standby, Some(tier(&redis.url(), &prefix)), false).await;
    assert_eq!(total(&app.get_as(EVO, "u2").await), 1);
    let readyz = app.get("/readyz", None).await;
    assert_eq!(readyz.status, 200, "{}", readyz.text);
    assert_eq!(readyz.data()["readReplica"], "ok");

    standby.stop().expect("stop standby");
    let stopped = Instant::now();
    // Readiness notices within about a second and stays 200: the primary serves reads.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let readyz = app.get("/readyz", None).await;
        assert_eq!(readyz.status, 200, "{}", readyz.text);
        if readyz.data()["readReplica"] == "unavailable" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replica outage was never noticed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let noticed = stopped.elapsed();
    // Every read answers from the primary, none waits for the replica (distinct `weeks`: no
    // cached answer).
    let mut slowest = Duration::ZERO;
    for weeks in 1..=10 {
        let started = Instant::now();
        assert_eq!(
            total(&app.get_as(&format!("{EVO}?weeks={weeks}"), "u2").await),
            1
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a read took {:?} with the replica down",
            started.elapsed()
        );
        slowest = slowest.max(started.elapsed());
    }

    standby.resume().expect("start standby");
    let resumed = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.get("/readyz", None).await.data()["readReplica"] != "ok" {
        assert!(Instant::now() < deadline, "the replica never came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "replica down: /readyz said so after {noticed:?}; slowest of 10 reads meanwhile \
         {slowest:?}; replica back in /readyz {:?} after it accepted connections",
        resumed.elapsed()
    );
    // Back on the replica: with its replay paused, a write made directly on the primary (no
    // invalidation, so no read-your-writes routing) is not seen yet.
    wait_caught_up(&primary, &standby);
    standby.pause_replay().expect("pause");
    seed(&admin, "u2").await;
    assert_eq!(patterns_on(&primary, "u2"), "2");
    assert_eq!(
        total(&app.get_as(&format!("{EVO}?weeks=11"), "u2").await),
        1,
        "reads went back to the replica"
    );
    standby.resume_replay().expect("resume");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_the_standby_cancels_in_a_recovery_conflict_is_answered_by_the_primary() {
    use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

    let (primary, admin, standby) = primary_and_standby().await;
    // Cancel a query in the replay's way at once, instead of after 30 s (the default).
    standby
        .psql("ALTER SYSTEM SET max_standby_streaming_delay = 0")
        .expect("set the delay");
    standby.psql("SELECT pg_reload_conf()").expect("reload");
    seed(&admin, "u3").await;
    wait_caught_up(&primary, &standby);
    let app = instance(&primary, &standby, None, false).await;

    // A deterministic conflict. The primary rebuilds an index of the patterns in a transaction
    // left open; the standby replays its lock on the index. The read then takes its lock on
    // the table and waits for the index's (the planner locks every index of the table).
    let mut locker = AsyncPgConnection::establish(&primary.url())
        .await
        .expect("locker");
    let mut flusher = AsyncPgConnection::establish(&primary.url())
        .await
        .expect("flusher");
    let mut observer = AsyncPgConnection::establish(&standby.url())
        .await
        .expect("observer");
    // A commit on the primary flushes the WAL before it, the open transaction's too: the
    // standby receives only flushed WAL.
    const FLUSH: &str = "SELECT txid_current()::text AS n";
    locker
        .batch_execute("BEGIN; REINDEX INDEX behavioral_patterns_pkey")
        .await
        .expect("reindex");
    text_of(&mut flusher, FLUSH).await;
    poll_until(
        &mut observer,
        "SELECT count(*)::text AS n FROM pg_locks WHERE granted \
         AND mode = 'AccessExclusiveLock' AND relation = 'behavioral_patterns_pkey'::regclass",
        "1",
    )
    .await;
    let conflict = tokio::spawn(async move {
        poll_until(
            &mut observer,
            "SELECT count(*)::text AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
            "1",
        )
        .await;
        // The primary now locks the table, which the waiting read holds on the standby: the
        // replay cancels the read (SQLSTATE 40001, "canceling statement due to conflict with
        // recovery").
        locker
            .batch_execute("LOCK TABLE behavioral_patterns IN ACCESS EXCLUSIVE MODE")
            .await
            .expect("lock");
        text_of(&mut flusher, FLUSH).await;
        // The read runs again on the primary, where the locker's locks hold it: the only
        // backend they can block there.
        let waiting = blocked_by(&text_of(&mut locker, "SELECT pg_backend_pid()::text AS n").await);
        poll_until(&mut flusher, &waiting, "1").await;
        locker.batch_execute("ROLLBACK").await.expect("rollback");
    });
    let res = app.get_as(EVO, "u3").await;
    conflict.await.expect("the conflict happened");
    assert_eq!(total(&res), 1, "answered by the primary");
}

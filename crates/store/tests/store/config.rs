//! Connecting, migrating and checking schemas.

#[cfg(feature = "postgres")]
use std::time::{Duration, Instant};

use insights_store::{DatabaseUrl, StoreError};
#[cfg(feature = "postgres")]
use insights_store::{Store, StoreConfig};
use insights_testkit::TestDb;

#[cfg(feature = "postgres")]
#[tokio::test]
async fn an_unreachable_postgres_is_a_typed_unavailable_error_quickly() {
    let started = Instant::now();
    let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/none").expect("url");
    let err = Store::connect(&StoreConfig::new(url))
        .await
        .err()
        .expect("must fail");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    // Correctness, not speed: the point is that it does not wait for a pool timeout loop.
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn connection_errors_do_not_show_the_password() {
    for url in [
        "postgres://u:hunter2@127.0.0.1:1/none",
        "postgres://u:hunter2@127.0.0.1:notaport/none",
        "postgres://u:hunter2@/none?host=/nonexistent-socket-dir",
    ] {
        let parsed = DatabaseUrl::parse(url).expect("url");
        let err = Store::connect(&StoreConfig::new(parsed))
            .await
            .err()
            .expect("must fail");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("hunter2"), "{url}: {shown}");
        }
    }
}

#[tokio::test]
async fn unknown_schemes_are_rejected() {
    for url in ["mysql://x/y", "insights.db", "sqlite://", "sqlite::memory:"] {
        assert!(
            matches!(DatabaseUrl::parse(url), Err(StoreError::Config(_))),
            "{url}"
        );
    }
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn migrations_yield_the_shape_the_schema_check_expects_on_postgres() {
    let db = TestDb::postgres_empty().await;
    assert!(db.store.is_uninitialised().await.expect("catalog"));
    match db.store.check_schema().await {
        Err(StoreError::Schema(problems)) => {
            assert!(
                problems
                    .iter()
                    .any(|p| p.contains("\"recommendations\" is missing")),
                "{problems:?}"
            )
        }
        other => panic!("expected a schema error, got {other:?}"),
    }
    let applied = db.store.migrate().await.expect("migrate");
    // Original schema, our indexes, the drop of an index an earlier 000002 created, the drop
    // of the withdrawn covering index, and the original's `insight_patterns` and
    // `lastResetAt`.
    assert_eq!(applied.len(), 6);
    db.store
        .check_schema()
        .await
        .expect("schema matches after migrating");
    assert!(db.store.migrate().await.expect("idempotent").is_empty());
    assert!(!db.store.is_uninitialised().await.expect("catalog"));
    assert_eq!(
        db.store.missing_indexes().await.expect("indexes"),
        Vec::<&str>::new(),
        "every index of the list is one our migrations create"
    );
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn a_database_without_our_indexes_is_reported_not_refused() {
    let db = TestDb::postgres().await;
    db.execute(r#"DROP INDEX "insights_recommendations_active_unique_idx"; DROP INDEX "insights_sessions_user_started_idx""#)
        .await;
    db.store.check_schema().await.expect("still a valid schema");
    assert_eq!(
        db.store.missing_indexes().await.expect("indexes"),
        [
            "insights_recommendations_active_unique_idx",
            "insights_sessions_user_started_idx"
        ]
    );
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn the_schema_check_names_a_wrong_column_type() {
    let db = TestDb::postgres().await;
    db.execute(r#"ALTER TABLE "behavioral_patterns" ALTER COLUMN "evidence" TYPE jsonb USING to_jsonb("evidence")"#).await;
    db.execute(r#"ALTER TABLE "recommendations" DROP COLUMN "dismissedAt""#)
        .await;
    match db.store.check_schema().await {
        Err(StoreError::Schema(problems)) => assert_eq!(
            problems,
            vec![
                "column \"behavioral_patterns\".\"evidence\" has type jsonb, expected _text",
                "column \"recommendations\".\"dismissedAt\" is missing",
            ]
        ),
        other => panic!("expected a schema error, got {other:?}"),
    }
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_migrations_pass_the_schema_check() {
    let db = TestDb::sqlite_empty().await;
    assert!(db.store.is_uninitialised().await.expect("catalog"));
    // Original schema, our indexes, the per-user indexes SQLite's planner needs, the drop
    // of an index an earlier 000002 created, the evolution query's covering index, and the
    // original's `insight_patterns` and `lastResetAt`.
    assert_eq!(db.store.migrate().await.expect("migrate").len(), 7);
    db.store.check_schema().await.expect("schema matches");
}

#[tokio::test]
async fn ping_works_on_both_backends() {
    #[cfg(feature = "postgres")]
    TestDb::postgres()
        .await
        .store
        .ping()
        .await
        .expect("pg ping");
    #[cfg(feature = "sqlite")]
    TestDb::sqlite()
        .await
        .store
        .ping()
        .await
        .expect("sqlite ping");
}

/// A `DatabaseUrl` built by hand for a backend this build lacks (`parse` already refuses one)
/// is refused by `connect` as a configuration error, without the password.
#[cfg(not(all(feature = "postgres", feature = "sqlite")))]
#[tokio::test]
async fn connecting_to_a_backend_compiled_out_is_a_config_error() {
    let url = if cfg!(feature = "postgres") {
        DatabaseUrl::Sqlite("data/never-created.db".into())
    } else {
        DatabaseUrl::Postgres("postgres://u:hunter2@127.0.0.1:1/none".into())
    };
    assert!(!url.is_compiled_in());
    let err = insights_store::Store::connect(&insights_store::StoreConfig::new(url))
        .await
        .err()
        .expect("refused");
    assert!(matches!(err, StoreError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("feature"), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

/// `pool_shards`: each thread checks out from its own shard, so a thread that comes after
/// another opens a connection of its own instead of reusing the first thread's (which its
/// thread drives). With one shared pool the second thread would reuse the idle connection.
#[cfg(feature = "postgres")]
#[test]
fn a_sharded_pool_gives_each_thread_connections_of_its_own() {
    let db = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(TestDb::postgres());
    let mut config = StoreConfig::new(DatabaseUrl::parse(&db.url).expect("url"));
    config.pool_size = 2;
    config.pool_shards = 2;
    // Each thread is a single-threaded runtime, as an actix-web worker is.
    let on_own_runtime = |store: Store| {
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(async {
                    store
                        .patterns_overlapping(
                            "nobody",
                            insights_model::Timestamp::from_unix_millis(0).expect("t"),
                            insights_model::Timestamp::now(),
                            None,
                        )
                        .await
                        .expect("read");
                    store.pool_state()
                })
        })
        .join()
        .expect("thread")
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let store = runtime.block_on(Store::connect(&config)).expect("connect");
    // One thread after the other: the second never sees the first's connection busy.
    assert_eq!(on_own_runtime(store.clone()).connections, 1);
    let state = on_own_runtime(store.clone());
    assert_eq!(
        (state.connections, state.idle),
        (2, 2),
        "the second thread opened its own shard's connection"
    );
    drop(store);
    drop(db);
}

//! SQLite: a write that cannot get the database's write lock within the checkout timeout is
//! `Unavailable` (503 at the edge), not a query error (500), and the next one succeeds.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use insights_model::ApplicationType;
use insights_store::{ApplyRequest, DatabaseUrl, Store, StoreConfig, StoreError};
use insights_testkit::TestDb;

use crate::fixtures::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_lock_held_past_the_checkout_timeout_is_unavailable_then_recovers() {
    let db = TestDb::sqlite().await;
    let rec = user_with_recommendation(&db.store, "u1").await;
    let mut config = StoreConfig::new(DatabaseUrl::parse(&db.url).expect("url"));
    config.checkout_timeout = Duration::from_millis(200);
    let store = Store::connect(&config).await.expect("store");
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    let mut blocker = SqliteConnection::establish(&path).expect("second connection");
    blocker
        .batch_execute("BEGIN IMMEDIATE")
        .expect("take the write lock");

    let apply = || {
        store.apply_recommendation(
            ApplyRequest {
                recommendation_id: rec.id.clone(),
                acting_user: Some("u1".into()),
                application_type: ApplicationType::Manual,
                now: at(NOW),
            },
            |_, _| Default::default(),
        )
    };
    let blocked = apply().await;
    assert!(
        matches!(blocked, Err(StoreError::Unavailable(_))),
        "{blocked:?}"
    );
    blocker.batch_execute("ROLLBACK").expect("release the lock");
    let applied = apply().await.expect("applies once the lock is free");
    assert!(applied.recommendation.applied_at.is_some());
}

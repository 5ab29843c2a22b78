//! A database outage is a typed, quick `Unavailable`, and the store recovers by itself.

use std::time::{Duration, Instant};

use insights_store::{DatabaseUrl, Store, StoreConfig, StoreError};
use insights_testkit::TempPostgres;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_unavailable_within_the_checkout_timeout_then_recovers() {
    let pg = TempPostgres::start().expect("own PostgreSQL");
    let mut config = StoreConfig::new(DatabaseUrl::parse(&pg.url()).expect("url"));
    config.checkout_timeout = Duration::from_millis(500);
    let store = Store::connect(&config).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.ping().await.expect("up");

    pg.stop().expect("stop");
    let started = Instant::now();
    let err = store.ping().await.expect_err("down");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    // Bounded by the checkout timeout, not by TCP or query timeouts (generous margin for CI).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let err = store
        .recommendation_inputs(
            "u1",
            insights_model::Timestamp::MIN,
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect_err("down");
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");

    pg.resume().expect("start again");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match store.ping().await {
            Ok(()) => break,
            Err(e) if Instant::now() < deadline => {
                assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
                tokio::task::yield_now().await;
            }
            Err(e) => panic!("did not recover: {e:?}"),
        }
    }
    store
        .recommendation_inputs(
            "u1",
            insights_model::Timestamp::MIN,
            &insights_recommender::engine::INPUT_LIMITS,
        )
        .await
        .expect("recovered");
}

//! Each repository call issues a fixed number of statements, whatever the data size.

use insights_model::*;
use insights_store::{StatementCounter, Store};
use insights_testkit::{TestDb, both_backends};

use crate::fixtures::*;

async fn count<F: std::future::Future>(fut: F) -> u64 {
    let counter = StatementCounter::new();
    counter.scope(fut).await;
    counter.get()
}

async fn reads(store: &Store, user: &str) -> [u64; 3] {
    [
        count(async {
            store
                .recommendation_inputs(
                    user,
                    at(NOW - 30 * DAY),
                    &insights_recommender::engine::INPUT_LIMITS,
                )
                .await
                .expect("inputs")
        })
        .await,
        count(async {
            store
                .effectiveness_inputs(user, at(NOW - 14 * DAY), at(NOW))
                .await
                .expect("eff")
        })
        .await,
        count(async {
            store
                .patterns_overlapping(user, at(NOW - 84 * DAY), at(NOW), None)
                .await
                .expect("evo")
        })
        .await,
    ]
}

both_backends!(statement_counts_do_not_grow_with_data);

async fn statement_counts_do_not_grow_with_data(db: TestDb) {
    let store = &db.store;
    store
        .insert_patterns(&[pattern(
            "small",
            PatternType::OptimalStudyTime,
            0.9,
            NOW - DAY,
            NOW,
        )])
        .await
        .expect("small");
    let many: Vec<_> = (0..2_500)
        .map(|i| {
            pattern(
                "big",
                PatternType::ALL[i % 6],
                0.5 + (i % 50) as f64 / 100.0,
                NOW - (i as i64 % 80) * DAY,
                NOW,
            )
        })
        .collect();
    store.insert_patterns(&many).await.expect("big");
    let small = reads(store, "small").await;
    let big = reads(store, "big").await;
    assert_eq!(small, big);
    assert_eq!(small, [4, 2, 1]);
    let c = candidate("big", RecommendationType::RetentionStrategy, "x", 0.5);
    let d = candidate("big", RecommendationType::ContentTypeBalance, "y", 0.5);
    assert_eq!(
        count(async {
            store
                .insert_recommendations(&[c, d], at(NOW))
                .await
                .expect("insert")
        })
        .await,
        1
    );
    assert!(store.statements().get() > 0);
}

both_backends!(checkouts_report_their_wait_for_the_pool_and_their_connection_time);

/// Two reads at once on a pool of one connection: the second waits for the first's connection,
/// and both hold it for a while; the request's tally and the store's total both see it.
async fn checkouts_report_their_wait_for_the_pool_and_their_connection_time(db: TestDb) {
    let url = insights_store::DatabaseUrl::parse(&db.url).expect("url");
    let store = Store::connect(&insights_store::StoreConfig {
        pool_size: 1,
        ..insights_store::StoreConfig::new(url)
    })
    .await
    .expect("one-connection store");
    let read = || store.patterns_overlapping("nobody", at(NOW - 84 * DAY), at(NOW), None);
    let (held_before, waited_before) = (store.statements().held(), store.statements().waited());
    let request = StatementCounter::new();
    let (a, b) = request.scope(async { tokio::join!(read(), read()) }).await;
    a.expect("first read");
    b.expect("second read");
    assert_eq!(request.get(), 2);
    assert!(request.held() > std::time::Duration::ZERO, "{request:?}");
    assert!(request.waited() > std::time::Duration::ZERO, "{request:?}");
    assert_eq!(store.statements().held() - held_before, request.held());
    assert_eq!(
        store.statements().waited() - waited_before,
        request.waited()
    );
}

//! The apply transaction.

use insights_model::*;
use insights_store::{ApplyRequest, StoreError};
use insights_testkit::{TestDb, both_backends};
use serde_json::json;

use crate::fixtures::*;

fn request(id: &str, user: Option<&str>) -> ApplyRequest {
    ApplyRequest {
        recommendation_id: id.into(),
        acting_user: user.map(str::to_owned),
        application_type: ApplicationType::Auto,
        now: at(NOW + 5_000),
    }
}

fn set_duration(_: &Recommendation, profile: Option<&LearningProfile>) -> ProfileUpdate {
    ProfileUpdate {
        optimal_session_duration: profile.map(|_| 50),
        ..ProfileUpdate::default()
    }
}

both_backends!(
    apply_marks_applied_snapshots_baseline_and_updates_the_profile,
    applying_twice_is_a_conflict,
    another_users_recommendation_is_forbidden_and_unknown_ids_not_found,
    a_service_caller_applies_for_the_owner,
    a_failure_inside_the_transaction_writes_nothing,
    fifty_concurrent_applies_succeed_exactly_once
);

async fn apply_marks_applied_snapshots_baseline_and_updates_the_profile(db: TestDb) {
    let store = &db.store;
    let rec = user_with_recommendation(store, "u1").await;
    store
        .insert_learning_profile(&profile("u1"))
        .await
        .expect("profile");
    store
        .insert_patterns(&[
            pattern("u1", PatternType::OptimalStudyTime, 0.8, NOW - DAY, NOW),
            pattern("u1", PatternType::ForgettingCurve, 0.6, NOW - DAY, NOW),
        ])
        .await
        .expect("patterns");
    store
        .insert_sessions(&[
            NewStudySession {
                user_id: "u1".into(),
                started_at: at(NOW - DAY),
                completed_at: None,
                duration_ms: None,
                reviews_completed: 3,
                new_cards_studied: 1,
            },
            NewStudySession {
                user_id: "u1".into(),
                started_at: at(NOW - 8 * DAY),
                completed_at: None,
                duration_ms: None,
                reviews_completed: 3,
                new_cards_studied: 1,
            },
        ])
        .await
        .expect("sessions");

    let outcome = store
        .apply_recommendation(request(&rec.id, Some("u1")), set_duration)
        .await
        .expect("apply");
    assert_eq!(outcome.recommendation.applied_at, Some(at(NOW + 5_000)));
    assert_eq!(outcome.applied.recommendation_id, rec.id);
    assert_eq!(outcome.applied.application_type, ApplicationType::Auto);
    let baseline = &outcome.applied.baseline_metrics;
    assert!((baseline.avg_confidence - 0.7).abs() < 1e-9, "{baseline:?}");
    assert_eq!(baseline.behavioral_score, 0.85);
    assert_eq!(baseline.session_count, 1, "only the last 7 days");
    assert_eq!(outcome.profile_update.optimal_session_duration, Some(50));
    let profile = store
        .learning_profile("u1")
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(profile.optimal_session_duration, 50);
    assert_eq!(
        profile.preferred_study_times,
        json!([]),
        "untouched fields stay"
    );
    let stored = store
        .recommendation(&rec.id)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(stored.applied_at, Some(at(NOW + 5_000)));
}

async fn applying_twice_is_a_conflict(db: TestDb) {
    let store = &db.store;
    let rec = user_with_recommendation(store, "u1").await;
    store
        .apply_recommendation(request(&rec.id, Some("u1")), set_duration)
        .await
        .expect("first");
    let err = store
        .apply_recommendation(request(&rec.id, Some("u1")), set_duration)
        .await
        .expect_err("second fails");
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn another_users_recommendation_is_forbidden_and_unknown_ids_not_found(db: TestDb) {
    let store = &db.store;
    let rec = user_with_recommendation(store, "u1").await;
    let err = store
        .apply_recommendation(request(&rec.id, Some("u2")), set_duration)
        .await
        .expect_err("forbidden");
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    assert!(
        store
            .recommendation(&rec.id)
            .await
            .expect("read")
            .expect("exists")
            .applied_at
            .is_none()
    );
    let err = store
        .apply_recommendation(request("no-such-id", Some("u1")), set_duration)
        .await
        .expect_err("missing");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
    let err = store
        .apply_recommendation(request("no-such-id", None), set_duration)
        .await
        .expect_err("missing");
    assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
}

async fn a_service_caller_applies_for_the_owner(db: TestDb) {
    let store = &db.store;
    let rec = user_with_recommendation(store, "u1").await;
    let outcome = store
        .apply_recommendation(request(&rec.id, None), set_duration)
        .await
        .expect("apply");
    assert_eq!(outcome.applied.user_id, "u1");
    assert!(
        outcome.profile_update.is_empty(),
        "no profile, nothing to change"
    );
}

async fn a_failure_inside_the_transaction_writes_nothing(db: TestDb) {
    let store = &db.store;
    let rec = user_with_recommendation(store, "u1").await;
    // Break the second write of the transaction on purpose.
    db.execute(r#"DROP TABLE "applied_recommendations""#).await;
    let err = store
        .apply_recommendation(request(&rec.id, Some("u1")), set_duration)
        .await
        .expect_err("fails");
    assert!(matches!(err, StoreError::Query(_)), "{err:?}");
    let stored = store
        .recommendation(&rec.id)
        .await
        .expect("read")
        .expect("exists");
    assert!(
        stored.applied_at.is_none(),
        "the appliedAt update was rolled back"
    );
}

async fn fifty_concurrent_applies_succeed_exactly_once(db: TestDb) {
    let store = db.store.clone();
    let rec = user_with_recommendation(&store, "u1").await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let store = store.clone();
            let id = rec.id.clone();
            tokio::spawn(async move {
                store
                    .apply_recommendation(request(&id, Some("u1")), set_duration)
                    .await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(ok, 1);
}

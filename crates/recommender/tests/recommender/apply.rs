//! Apply-settings derivation and the client `settings` allow-list.

use insights_model::{
    ApplicationType, LearningProfile, ProfileUpdate, Recommendation, RecommendationType,
};
use insights_recommender::RecommenderError;
use insights_recommender::apply::{derive_profile_update, updated_settings};
use serde_json::{Map, Value, json};

use crate::fixtures::*;

fn profile() -> LearningProfile {
    LearningProfile {
        id: "lp1".to_owned(),
        user_id: USER.to_owned(),
        preferred_study_times: json!([{"dayOfWeek": 1, "startHour": 7, "endHour": 9, "effectiveness": 0.8}]),
        average_session_duration: 40,
        optimal_session_duration: 45,
        content_preferences: json!({"preferredTypes": ["video"], "difficultyPreference": "hard"}),
        learning_style_profile: json!({}),
        personalized_forgetting_curve: json!({"initialRetention": 0.9, "decayRate": 0.2, "stabilityFactor": 4}),
        last_analyzed_at: days_ago(1),
        data_quality_score: 0.85,
    }
}

fn empty_profile() -> LearningProfile {
    LearningProfile {
        preferred_study_times: Value::Null,
        content_preferences: Value::Null,
        personalized_forgetting_curve: Value::Null,
        ..profile()
    }
}

fn rec(recommendation_type: RecommendationType, title: &str) -> Recommendation {
    recommendation("r1", recommendation_type, title, 0.7, days_ago(1))
}

fn auto(r: &Recommendation, p: &LearningProfile) -> ProfileUpdate {
    derive_profile_update(r, ApplicationType::Auto, Some(p), None).expect("no settings, no error")
}

fn settings(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("test settings must be an object, got {other}"),
    }
}

#[test]
fn study_time_appends_the_hour_range_like_contract_a4() {
    let r = rec(
        RecommendationType::StudyTimeOptimization,
        "Study during your peak hours (9:00-10:00)",
    );
    let update = auto(&r, &profile());
    let json = Value::Object(updated_settings(&update).expect("changed"));
    assert_eq!(
        json,
        json!({"preferredStudyTimes": [
            { "dayOfWeek": 1, "startHour": 7, "endHour": 9, "effectiveness": 0.8 },
            { "startHour": 9, "endHour": 10, "dayOfWeek": -1, "effectiveness": 0.8 }
        ]})
    );
    let fresh = auto(&r, &empty_profile());
    assert_eq!(
        fresh.preferred_study_times,
        Some(json!([{ "startHour": 9, "endHour": 10, "dayOfWeek": -1, "effectiveness": 0.8 }]))
    );
}

#[test]
fn session_duration_sets_the_optimal_duration() {
    let r = rec(
        RecommendationType::SessionDurationAdjustment,
        "Optimize session length to 50 minutes",
    );
    let update = auto(&r, &profile());
    assert_eq!(
        update,
        ProfileUpdate {
            optimal_session_duration: Some(50),
            ..ProfileUpdate::default()
        }
    );
    assert_eq!(
        Value::Object(updated_settings(&update).expect("changed")),
        json!({"optimalSessionDuration": 50})
    );
}

#[test]
fn content_balance_merges_the_share_into_content_preferences() {
    let r = rec(
        RecommendationType::ContentTypeBalance,
        "Increase video content to 72%",
    );
    assert_eq!(
        auto(&r, &profile()).content_preferences,
        Some(json!({"preferredTypes": ["video"], "difficultyPreference": "hard", "video": 0.72}))
    );
    let full = rec(
        RecommendationType::ContentTypeBalance,
        "Increase flashcards content to 100%",
    );
    assert_eq!(
        auto(&full, &empty_profile()).content_preferences,
        Some(json!({
            "preferredTypes": [], "difficultyPreference": "balanced",
            "interactivityLevel": "medium", "flashcards": 1
        }))
    );
}

#[test]
fn retention_sets_the_review_interval_on_the_forgetting_curve() {
    let r = rec(
        RecommendationType::RetentionStrategy,
        "Review every 4 days for optimal retention",
    );
    assert_eq!(
        auto(&r, &profile()).personalized_forgetting_curve,
        Some(
            json!({"initialRetention": 0.9, "decayRate": 0.2, "stabilityFactor": 4, "recommendedReviewInterval": 4})
        )
    );
    assert_eq!(
        auto(&r, &empty_profile()).personalized_forgetting_curve,
        Some(
            json!({"initialRetention": 1, "decayRate": 0.14, "stabilityFactor": 5, "recommendedReviewInterval": 4})
        )
    );
}

#[test]
fn a_title_that_does_not_match_changes_nothing() {
    let cases = [
        (
            RecommendationType::StudyTimeOptimization,
            "Morning sessions work best",
        ),
        (
            RecommendationType::SessionDurationAdjustment,
            "Intervention: cognitive load reduce",
        ),
        (
            RecommendationType::ContentTypeBalance,
            "Increase video-lectures content to 60%",
        ),
        (
            RecommendationType::RetentionStrategy,
            "Intervention: prerequisite review",
        ),
        (
            RecommendationType::SessionDurationAdjustment,
            "Optimize session length to 99999999999 minutes",
        ),
    ];
    for (t, title) in cases {
        let update = auto(&rec(t, title), &profile());
        assert!(update.is_empty(), "{t}: {title}");
        assert_eq!(updated_settings(&update), None);
    }
}

#[test]
fn only_auto_with_a_profile_changes_anything() {
    let r = rec(
        RecommendationType::SessionDurationAdjustment,
        "Optimize session length to 50 minutes",
    );
    for t in [
        ApplicationType::Manual,
        ApplicationType::Reminder,
        ApplicationType::Goal,
    ] {
        let update = derive_profile_update(&r, t, Some(&profile()), None).expect("ok");
        assert!(update.is_empty(), "{t}");
    }
    let update = derive_profile_update(&r, ApplicationType::Auto, None, None).expect("ok");
    assert!(update.is_empty());
}

#[test]
fn types_without_a_regex_take_the_validated_client_settings() {
    let s = settings(json!({
        "optimalSessionDuration": 30,
        "preferredStudyTimes": [{"dayOfWeek": 2, "startHour": 18, "endHour": 19}],
        "contentPreferences": {"video": 0.5},
        "personalizedForgettingCurve": {"decayRate": 0.1}
    }));
    for t in [
        RecommendationType::ConsistencyBuilding,
        RecommendationType::ExperimentalSuggestion,
    ] {
        let update = derive_profile_update(
            &rec(t, "Try it"),
            ApplicationType::Auto,
            Some(&profile()),
            Some(&s),
        )
        .expect("valid settings");
        assert_eq!(update.optimal_session_duration, Some(30));
        assert_eq!(update.content_preferences, Some(json!({"video": 0.5})));
        assert_eq!(
            Value::Object(updated_settings(&update).expect("changed")),
            Value::Object(s.clone())
        );
    }
    // A type with a regex ignores the client's settings, as in the original.
    let r = rec(
        RecommendationType::SessionDurationAdjustment,
        "Optimize session length to 50 minutes",
    );
    let update =
        derive_profile_update(&r, ApplicationType::Auto, Some(&profile()), Some(&s)).expect("ok");
    assert_eq!(
        update,
        ProfileUpdate {
            optimal_session_duration: Some(50),
            ..ProfileUpdate::default()
        }
    );
}

#[test]
fn unknown_or_badly_typed_client_keys_are_rejected_naming_the_key() {
    let r = rec(RecommendationType::ExperimentalSuggestion, "Try it");
    let cases = [
        (json!({"userId": "someone-else"}), "settings.userId"),
        (json!({"dataQualityScore": 1}), "settings.dataQualityScore"),
        (
            json!({"optimalSessionDuration": 0}),
            "settings.optimalSessionDuration",
        ),
        (
            json!({"optimalSessionDuration": 601}),
            "settings.optimalSessionDuration",
        ),
        (
            json!({"optimalSessionDuration": "45"}),
            "settings.optimalSessionDuration",
        ),
        (
            json!({"optimalSessionDuration": 45.5}),
            "settings.optimalSessionDuration",
        ),
        (
            json!({"preferredStudyTimes": [1, 2]}),
            "settings.preferredStudyTimes",
        ),
        (
            json!({"preferredStudyTimes": {}}),
            "settings.preferredStudyTimes",
        ),
        (
            json!({"contentPreferences": []}),
            "settings.contentPreferences",
        ),
        (
            json!({"personalizedForgettingCurve": null}),
            "settings.personalizedForgettingCurve",
        ),
    ];
    for (value, field) in cases {
        let s = settings(value.clone());
        // Rejected whatever the application type, before anything is written.
        for t in [ApplicationType::Auto, ApplicationType::Manual] {
            let err = derive_profile_update(&r, t, Some(&profile()), Some(&s))
                .expect_err("must be rejected");
            assert_eq!(err.field(), field, "{value}");
            assert!(err.to_string().contains(field), "{err}");
        }
    }
    let err = derive_profile_update(
        &r,
        ApplicationType::Auto,
        None,
        Some(&settings(json!({"isAdmin": true}))),
    )
    .expect_err("rejected without a profile too");
    assert_eq!(
        err,
        RecommenderError::UnknownSetting {
            key: "isAdmin".to_owned()
        }
    );
    // Integral floats and the range ends are fine.
    let ok = settings(json!({"optimalSessionDuration": 600.0}));
    let update =
        derive_profile_update(&r, ApplicationType::Auto, Some(&profile()), Some(&ok)).expect("ok");
    assert_eq!(update.optimal_session_duration, Some(600));
}

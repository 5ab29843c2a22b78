//! The recommendation rules on in-memory rows, with no database: plan a user's
//! recommendations from their behavioral patterns, list them as the front end reads them, and
//! derive what applying the top one changes in the learning profile.
//!
//! Run: `cargo run -p insights-recommender --example plan_and_apply`

use insights_model::{
    ApplicationType, BehavioralPattern, LearningProfile, NewRecommendation, PatternType,
    Recommendation, RecommendationStatus, RecommendationType, Timestamp,
};
use insights_recommender::apply::{derive_profile_update, updated_settings};
use insights_recommender::engine::{EngineConfig, EngineInput, plan_recommendations};
use insights_recommender::view::{ListQuery, select_recommendations};
use serde_json::{Value, json};

const USER: &str = "user-1";

fn pattern(
    id: &str,
    pattern_type: PatternType,
    data: Value,
    confidence: f64,
    occurrences: i32,
    now: Timestamp,
) -> BehavioralPattern {
    BehavioralPattern {
        id: id.to_owned(),
        user_id: USER.to_owned(),
        pattern_type,
        pattern_data: data,
        confidence,
        first_detected_at: now,
        last_seen_at: now,
        pattern_name: None,
        evidence: json!([format!("{} sessions observed", occurrences * 3)]),
        occurrence_count: occurrences,
        detected_at: now,
    }
}

/// The row the store would insert for a planned recommendation.
fn stored(id: String, new: NewRecommendation, now: Timestamp) -> Recommendation {
    Recommendation {
        id,
        user_id: new.user_id,
        recommendation_type: new.recommendation_type,
        title: new.title,
        description: new.description,
        actionable_text: new.actionable_text,
        confidence: new.confidence,
        estimated_impact: new.estimated_impact,
        ease_of_implementation: new.ease_of_implementation,
        user_readiness: new.user_readiness,
        priority_score: new.priority_score,
        status: RecommendationStatus::Pending,
        source_pattern_ids: new.source_pattern_ids,
        source_insight_ids: new.source_insight_ids,
        created_at: now,
        applied_at: None,
        dismissed_at: None,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = Timestamp::parse("2025-11-01T17:00:00Z")?;
    let patterns = [
        pattern(
            "p1",
            PatternType::OptimalStudyTime,
            json!({"hourOfDay": 7, "timeOfDayScore": 90, "sessionCount": 15}),
            0.85,
            5,
            now,
        ),
        pattern(
            "p2",
            PatternType::SessionDurationPreference,
            json!({"recommendedDuration": 35}),
            0.8,
            3,
            now,
        ),
        pattern(
            "p3",
            PatternType::ForgettingCurve,
            json!({"halfLife": 4, "k": 0.2}),
            0.9,
            4,
            now,
        ),
        pattern(
            "p4",
            PatternType::ContentTypePreference,
            json!({"topContentType": "diagrams", "effectiveness": 0.6}),
            0.75,
            2,
            now,
        ),
        // Below the engine's 0.7 confidence threshold: ignored.
        pattern(
            "p5",
            PatternType::OptimalStudyTime,
            json!({"hourOfDay": 21}),
            0.55,
            8,
            now,
        ),
    ];

    // The user applied the session-length advice last week: it is in its 30-day cooldown.
    let applied_last_week = Recommendation {
        applied_at: Some(Timestamp::parse("2025-10-25T09:00:00Z")?),
        ..stored(
            "r0".to_owned(),
            NewRecommendation {
                user_id: USER.to_owned(),
                recommendation_type: RecommendationType::SessionDurationAdjustment,
                title: "Optimize session length to 35 minutes".to_owned(),
                description: String::new(),
                actionable_text: String::new(),
                confidence: 0.8,
                estimated_impact: 0.6,
                ease_of_implementation: 0.9,
                user_readiness: 0.7,
                priority_score: 0.73,
                source_pattern_ids: vec!["p2".to_owned()],
                source_insight_ids: Vec::new(),
            },
            Timestamp::parse("2025-10-20T09:00:00Z")?,
        )
    };

    let input = EngineInput {
        user_id: USER,
        patterns: &patterns,
        insights: &[],
        interventions: &[],
        active: &[],
        recently_closed: std::slice::from_ref(&applied_last_week),
        now,
    };
    let plan = plan_recommendations(&input, &EngineConfig::default());
    println!(
        "plan: {} to create (short-circuited: {})",
        plan.to_create.len(),
        plan.short_circuited
    );
    for new in &plan.to_create {
        println!(
            "  {:.4}  {:<28} {}",
            new.priority_score,
            new.recommendation_type.as_str(),
            new.title
        );
    }

    let cooling_down = !plan
        .to_create
        .iter()
        .any(|new| new.title == applied_last_week.title);
    println!(
        "  (not planned: \"{}\", applied on {}, in its cooldown: {cooling_down})",
        applied_last_week.title,
        applied_last_week.applied_at.unwrap_or(now)
    );

    // What the store would hold after inserting the plan, listed as the front end reads it.
    let rows: Vec<Recommendation> = plan
        .to_create
        .into_iter()
        .enumerate()
        .map(|(i, new)| stored(format!("r{}", i + 1), new, now))
        .collect();
    let list = select_recommendations(
        rows.clone(),
        &patterns,
        ListQuery {
            include_applied: false,
            limit: 2,
        },
    );
    println!("list (limit 2): count {}, total {}", list.count, list.total);
    for item in &list.recommendations {
        println!(
            "  {} {:?} priority {:.4} actionable {} evidence {:?}",
            item.row.id, item.category, item.priority, item.actionable, item.evidence
        );
    }

    // Applying the top recommendation automatically changes the learning profile.
    let profile = LearningProfile {
        id: "lp1".to_owned(),
        user_id: USER.to_owned(),
        preferred_study_times: json!([]),
        average_session_duration: 40,
        optimal_session_duration: 45,
        content_preferences: json!({}),
        learning_style_profile: json!({}),
        personalized_forgetting_curve: Value::Null,
        last_analyzed_at: now,
        data_quality_score: 0.8,
    };
    let top = rows.first().ok_or("the plan created nothing")?;
    let update = derive_profile_update(top, ApplicationType::Auto, Some(&profile), None)?;
    let settings = updated_settings(&update).map(Value::Object);
    println!(
        "apply {} ({}): updatedSettings = {}",
        top.id,
        top.title,
        settings.map_or_else(|| "none".to_owned(), |s| s.to_string())
    );

    // A client `settings` key that is not a profile field is refused before anything is written.
    let bad = json!({"theme": "dark"});
    let refused =
        derive_profile_update(top, ApplicationType::Auto, Some(&profile), bad.as_object());
    if let Err(why) = refused {
        println!("apply with settings {bad}: refused: {why}");
    }
    Ok(())
}

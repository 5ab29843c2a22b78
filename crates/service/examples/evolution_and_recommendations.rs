//! The service as a library, without HTTP: connect, migrate, ingest a user's patterns and an
//! insight, then read that user's pattern evolution and recommendations as typed values.
//!
//! ```text
//! cargo run -p insights-service --example evolution_and_recommendations
//! DATABASE_URL=postgres://user@host/db cargo run -p insights-service --example evolution_and_recommendations
//! ```
//!
//! Without `DATABASE_URL` it uses an embedded SQLite file in a new temporary directory (left
//! there for inspection). With one, it migrates that database and adds rows for `example-user`.

use std::error::Error;

use insights_service::{
    EvolutionParams, IngestBatch, InsightInput, InsightType, Insights, PatternInput, PatternType,
    RecommendationParams, ServiceConfig, Timestamp,
};
use insights_store::{DatabaseUrl, Store, StoreConfig};
use serde_json::json;
use time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let url = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            let dir = std::env::temp_dir().join(format!(
                "insights-example-{}-{}",
                std::process::id(),
                Timestamp::now().unix_millis()
            ));
            format!("sqlite://{}", dir.join("insights.db").display())
        }
    };
    let url = DatabaseUrl::parse(&url)?;
    println!("database: {url}");
    let store = Store::connect(&StoreConfig::new(url)).await?;
    store.migrate().await?;
    let insights = Insights::new(store, ServiceConfig::default())?;

    let user = "example-user";
    let days_ago = |days: i64| Some(Timestamp::now().saturating_add(-Duration::days(days)));
    let patterns = IngestBatch::new(vec![
        PatternInput {
            pattern_data: Some(json!({"hourOfDay": 7, "timeOfDayScore": 90, "sessionCount": 15})),
            evidence: vec!["15 sessions analyzed".into()],
            occurrence_count: Some(5),
            detected_at: days_ago(20),
            last_seen_at: days_ago(1),
            ..PatternInput::new(PatternType::OptimalStudyTime, 0.85)
        },
        PatternInput {
            pattern_data: Some(json!({"recommendedDuration": 45})),
            detected_at: days_ago(12),
            last_seen_at: days_ago(9),
            ..PatternInput::new(PatternType::SessionDurationPreference, 0.8)
        },
        PatternInput {
            pattern_data: Some(json!({"halfLife": 4.6})),
            evidence: vec!["Half-life: 4.6 days".into()],
            ..PatternInput::new(PatternType::ForgettingCurve, 0.78)
        },
    ])?;
    let added = insights.ingest_patterns(user, patterns).await?;
    println!("ingested {} patterns", added.created);
    let insight = IngestBatch::new(vec![InsightInput {
        insight_type: InsightType::RetentionStrategy,
        title: "Space your reviews".into(),
        description: "Cards reviewed after 3-5 days stick best.".into(),
        actionable_recommendation: "Schedule reviews every 4 days.".into(),
        confidence: 0.8,
    }])?;
    println!(
        "ingested {} insight",
        insights.ingest_insights(user, insight).await?.created
    );

    let evolution = insights
        .pattern_evolution(user, &EvolutionParams::new(4, None)?)
        .await?;
    println!(
        "\nevolution over {} weeks, {} patterns:",
        evolution.meta.total_weeks, evolution.meta.total_patterns
    );
    for week in &evolution.evolution {
        let patterns: Vec<String> = week
            .patterns
            .iter()
            .map(|p| format!("{} ({})", p.pattern_type, p.status.as_str()))
            .collect();
        println!(
            "  week {} from {}: {}",
            week.week_number,
            week.week_start,
            if patterns.is_empty() {
                "-".to_owned()
            } else {
                patterns.join(", ")
            }
        );
    }

    let list = insights
        .recommendations(user, &RecommendationParams::new(3, false)?)
        .await?;
    println!("\n{} of {} recommendations:", list.count, list.total);
    for item in &list.recommendations {
        println!(
            "  [{:.2}] {:?} {}: {}",
            item.priority, item.category, item.row.title, item.row.actionable_text
        );
    }
    Ok(())
}

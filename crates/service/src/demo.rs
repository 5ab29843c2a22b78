//! Demo data for the embedded mode: one user with a plausible few months of history, so every
//! endpoint has something real to show on a fresh machine.

use insights_model::*;
use serde_json::json;
use time::Duration;

use crate::{Insights, ServiceError};

impl Insights {
    /// Creates `user_id` with demo data unless that user already exists, and drops the user's
    /// cached answers. Returns whether it seeded anything.
    pub async fn seed_demo(&self, user_id: &str) -> Result<bool, ServiceError> {
        let seeded = self.write_demo_rows(user_id).await;
        // A seed that failed part-way may still have written rows.
        if !matches!(seeded, Ok(false)) {
            self.invalidate_user(user_id).await;
        }
        seeded
    }

    /// The demo rows, written unless the user exists; whether they were.
    async fn write_demo_rows(&self, user_id: &str) -> Result<bool, ServiceError> {
        let now = Timestamp::now();
        let ago = |days: i64| now.saturating_add(-Duration::days(days));
        if !self
            .primary()
            .ensure_user(user_id, Some("demo@insights.local"), Some("Demo"), now)
            .await?
        {
            return Ok(false);
        }
        let pattern = |t: PatternType,
                       conf: f64,
                       data: serde_json::Value,
                       evidence: &[&str],
                       from: i64,
                       to: i64| NewPattern {
            user_id: user_id.to_owned(),
            pattern_type: t,
            pattern_data: data,
            confidence: conf,
            pattern_name: None,
            evidence: evidence.iter().map(|s| s.to_string()).collect(),
            occurrence_count: 4,
            detected_at: ago(from),
            last_seen_at: ago(to),
        };
        self.primary()
            .insert_patterns(&[
                pattern(
                    PatternType::OptimalStudyTime,
                    0.87,
                    json!({"hourOfDay": 7, "timeOfDayScore": 88, "sessionCount": 42}),
                    &["42 sessions analyzed", "Performance score: 88%"],
                    70,
                    1,
                ),
                pattern(
                    PatternType::SessionDurationPreference,
                    0.79,
                    json!({"recommendedDuration": 50}),
                    &["Completion rate 85% at 50 minutes"],
                    60,
                    3,
                ),
                pattern(
                    PatternType::ContentTypePreference,
                    0.74,
                    json!({"topContentType": "flashcards", "effectiveness": 0.62}),
                    &["Flashcards outperform reading by 18%"],
                    45,
                    20,
                ),
                pattern(
                    PatternType::ForgettingCurve,
                    0.82,
                    json!({"halfLife": 4.6, "k": 0.15}),
                    &["Half-life: 4.6 days", "Decay rate (k): 0.150"],
                    30,
                    2,
                ),
                pattern(
                    PatternType::PerformancePeak,
                    0.68,
                    json!({}),
                    &["Tuesdays are strongest"],
                    20,
                    12,
                ),
                pattern(
                    PatternType::AttentionCycle,
                    0.71,
                    json!({}),
                    &["Focus dips after 35 minutes"],
                    9,
                    9,
                ),
            ])
            .await?;
        self.primary()
            .insert_insights(
                &[NewInsight {
                    user_id: user_id.to_owned(),
                    insight_type: InsightType::RetentionStrategy,
                    title: "Space your reviews".into(),
                    description: "Cards reviewed after 3-5 days stick best for you.".into(),
                    actionable_recommendation: "Schedule reviews every 4 days.".into(),
                    confidence: 0.78,
                }],
                now,
            )
            .await?;
        self.primary()
            .insert_interventions(
                &[NewIntervention {
                    user_id: user_id.to_owned(),
                    intervention_type: InterventionType::CognitiveLoadReduce,
                    description: "Recent sessions show high cognitive load.".into(),
                    reasoning: "Shorter sessions with breaks reduce load.".into(),
                    priority: 8,
                    status: InterventionStatus::Pending,
                }],
                now,
            )
            .await?;
        let sessions: Vec<NewStudySession> = (0..30)
            .map(|i| NewStudySession {
                user_id: user_id.to_owned(),
                started_at: ago(i * 2),
                completed_at: Some(ago(i * 2).saturating_add(Duration::minutes(45))),
                duration_ms: Some(45 * 60_000),
                reviews_completed: 30,
                new_cards_studied: 10,
            })
            .collect();
        self.primary().insert_sessions(&sessions).await?;
        self.primary()
            .insert_learning_profile(&LearningProfile {
                id: format!("profile-{user_id}"),
                user_id: user_id.to_owned(),
                preferred_study_times: json!([{"dayOfWeek": 1, "startHour": 7, "endHour": 9, "effectiveness": 0.8}]),
                average_session_duration: 45,
                optimal_session_duration: 45,
                content_preferences: json!({"preferredTypes": [], "difficultyPreference": "balanced", "interactivityLevel": "medium"}),
                learning_style_profile: json!({"visual": 0.4, "auditory": 0.2, "kinesthetic": 0.2, "reading": 0.2}),
                personalized_forgetting_curve: json!({"initialRetention": 1.0, "decayRate": 0.14, "stabilityFactor": 5}),
                last_analyzed_at: now,
                data_quality_score: 0.85,
            })
            .await?;
        let config = self
            .primary()
            .insert_config(
                user_id,
                PersonalizationContext::Mission,
                "Balanced",
                0.7,
                true,
                ago(90),
            )
            .await?;
        self.primary()
            .insert_config(
                user_id,
                PersonalizationContext::Content,
                "Pattern-heavy",
                0.65,
                false,
                ago(90),
            )
            .await?;
        let rows: Vec<NewEffectiveness> = (0..12)
            .map(|week: i64| NewEffectiveness {
                user_id: user_id.to_owned(),
                config_id: config.clone(),
                row: EffectivenessRow {
                    start_date: ago(7 * (12 - week)),
                    end_date: ago(7 * (11 - week)),
                    retention_improvement: Some(6.0 + week as f64 * 0.8),
                    performance_improvement: Some(4.0 + week as f64 * 0.5),
                    completion_rate_change: if week % 4 == 0 {
                        None
                    } else {
                        Some(3.0 + week as f64 * 0.3)
                    },
                    engagement_change: Some(2.0 + week as f64 * 0.25),
                    composite_score: 55.0 + week as f64 * 1.5,
                    is_statistically_significant: week > 3,
                    sample_size: 18 + week as i32,
                    correlation: Some(0.45 + week as f64 * 0.02),
                    p_value: Some(0.08 - week as f64 * 0.005),
                },
            })
            .collect();
        self.primary().insert_effectiveness(&rows, now).await?;
        Ok(true)
    }
}

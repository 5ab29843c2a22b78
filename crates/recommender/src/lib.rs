//! Pure rules of the behavioral-insights API, free of database and HTTP so any service can use
//! them and every rule is testable in microseconds:
//!
//! - [`engine`]: which study recommendations to create;
//! - [`apply`]: what applying a recommendation changes in the learning profile;
//! - [`view`]: the recommendation list the front end reads;
//! - [`effectiveness`]: the personalization-effectiveness payload.
//! - [`js`]: the JavaScript number semantics the original's output depends on.
//!
//! ```
//! use insights_model::{BehavioralPattern, PatternType, RecommendationType, Timestamp};
//! use insights_recommender::engine::{EngineConfig, EngineInput, plan_recommendations};
//! use serde_json::json;
//!
//! let now = Timestamp::parse("2025-11-01T17:00:00Z")?;
//! let pattern = BehavioralPattern {
//!     id: "p1".into(),
//!     user_id: "u1".into(),
//!     pattern_type: PatternType::OptimalStudyTime,
//!     pattern_data: json!({"hourOfDay": 7, "timeOfDayScore": 90, "sessionCount": 15}),
//!     confidence: 0.85,
//!     first_detected_at: now,
//!     last_seen_at: now,
//!     pattern_name: None,
//!     evidence: json!([]),
//!     occurrence_count: 5,
//!     detected_at: now,
//! };
//! let input = EngineInput {
//!     user_id: "u1",
//!     patterns: &[pattern],
//!     insights: &[],
//!     interventions: &[],
//!     active: &[],
//!     recently_closed: &[],
//!     now,
//! };
//! let plan = plan_recommendations(&input, &EngineConfig::default());
//! let rec = &plan.to_create[0];
//! assert_eq!(rec.recommendation_type, RecommendationType::StudyTimeOptimization);
//! assert_eq!(rec.title, "Study during your peak hours (7:00-8:00)");
//! assert_eq!(rec.priority_score, 0.7765000000000001);
//! # Ok::<(), insights_model::ModelError>(())
//! ```

pub mod apply;
pub mod effectiveness;
pub mod engine;
mod error;
pub mod js;
pub mod view;

pub use error::RecommenderError;

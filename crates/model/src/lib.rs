//! Domain types of the behavioral-insights API, shared by every other crate of the workspace.
//!
//! The enums carry the original's exact wire names (Postgres enum labels and JSON strings), the
//! row structs serialise with the original's camelCase column names, and [`Timestamp`] prints
//! instants the way the original's JavaScript did. Nothing here performs I/O.
//!
//! ```
//! use insights_model::{PatternType, RecommendationType, RecommendationCategory};
//! assert_eq!(PatternType::ForgettingCurve.as_str(), "FORGETTING_CURVE");
//! assert_eq!("CONTENT_TYPE_BALANCE".parse::<RecommendationType>().unwrap().category(),
//!            RecommendationCategory::Content);
//! ```
//!
//! Dependencies: `serde`/`serde_json` for the wire format, `time` for instants (the same crate
//! diesel maps timestamps to), `thiserror` for the one error type.

mod engine_limits;
mod enums;
mod rows;
mod timestamp;

pub use engine_limits::EngineInputLimits;
pub use enums::{
    ApplicationType, InsightType, InterventionStatus, InterventionType, PatternType,
    PersonalizationContext, RecommendationCategory, RecommendationStatus, RecommendationType,
};
pub use rows::{
    AppliedRecommendation, BaselineMetrics, BehavioralInsight, BehavioralPattern, EffectivenessRow,
    Intervention, LearningProfile, NewEffectiveness, NewInsight, NewIntervention, NewPattern,
    NewRecommendation, NewStudySession, PersonalizationConfig, ProfileUpdate, Recommendation,
    TimelinePattern,
};
pub use timestamp::Timestamp;

/// Errors from parsing wire values into domain types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// A string that is not one of an enum's wire names.
    #[error("{value:?} is not a valid {kind}")]
    UnknownVariant {
        /// The enum's name.
        kind: &'static str,
        /// The rejected input.
        value: String,
    },
    /// A date string that is neither RFC 3339 nor `YYYY-MM-DD`.
    #[error("{0:?} is not an ISO-8601 date or date-time")]
    InvalidTimestamp(String),
    /// Milliseconds outside the representable range.
    #[error("{0} ms since the epoch is out of range")]
    TimestampOutOfRange(i64),
}

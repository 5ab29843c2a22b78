//! The recommendations engine, the original's rules: which new study recommendations to create for
//! a user from their patterns, insights and interventions.
//!
//! - [`templates`]: the six recommendation templates and the `{{key}}` filler;
//! - [`placeholders`]: the numbers a pattern puts into its template;
//! - [`scoring`]: weights, thresholds, readiness and the prioritise-and-diversify step;
//! - [`candidates`]: input selection and the pattern/insight/intervention mappings;
//! - [`plan`]: one run, with the 24-hour short-circuit and de-duplication.

pub mod candidates;
pub mod placeholders;
pub mod plan;
pub mod scoring;
pub mod templates;

pub use candidates::INPUT_LIMITS;
pub use plan::{EngineConfig, EngineInput, RecommendationPlan, plan_recommendations};

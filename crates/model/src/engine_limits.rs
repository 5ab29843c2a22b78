//! How much of a user's data one run of the recommendation engine reads.

/// The recommendation engine's input limits. The values are the engine's own
/// (`insights_recommender::engine::INPUT_LIMITS`); the store's read of the engine's inputs takes
/// them as a parameter, so each threshold is defined once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineInputLimits {
    /// Patterns and unacknowledged insights below this confidence are not read.
    pub min_confidence: f64,
    /// Most patterns read, highest confidence first.
    pub patterns: usize,
    /// Most unacknowledged insights read, highest confidence first.
    pub insights: usize,
    /// Most pending interventions read, highest priority first.
    pub interventions: usize,
}

//! The repository functions, one module per endpoint's data needs. Each public method issues a
//! fixed number of statements, independent of how many rows the user has.

mod apply;
mod effectiveness;
mod evolution;
mod ingest;
mod recommendations;

pub use apply::{ApplyOutcome, ApplyRequest};
pub use effectiveness::EffectivenessInputs;
pub use recommendations::RecommendationInputs;

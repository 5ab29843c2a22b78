//! The personalization-effectiveness payload (the original's, plus the chart points of
//! docs/compatibility.md, section 7):
//!
//! - [`metric`]: the `metric` selector;
//! - [`aggregate`](mod@aggregate): averages, sample size, correlation, p-value and significance;
//! - [`payload`]: the response structs and [`personalization_effectiveness`], which builds them.

pub mod aggregate;
pub mod metric;
pub mod payload;

pub use aggregate::{Aggregate, aggregate};
pub use metric::EffectivenessMetric;
pub use payload::{
    ActiveConfig, ActiveSummary, Baseline, ChartPoint, EffectivenessPayload, EffectivenessSummary,
    InactiveSummary, Metrics, NO_PERSONALIZATION_MESSAGE, Period, Statistical, TimelineEntry,
    personalization_effectiveness,
};

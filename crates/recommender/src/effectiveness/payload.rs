//! The `data` payload of GET /api/personalization/effectiveness, as serde
//! structs that serialise to exactly its JSON shapes. Numbers print like `JSON.stringify`
//! (`5`, not `5.0`).

use insights_model::{EffectivenessRow, PersonalizationConfig, PersonalizationContext, Timestamp};
use serde::{Deserialize, Serialize};

use super::aggregate::{Aggregate, aggregate};
use super::metric::EffectivenessMetric;
use crate::js::{serialize_js_number, serialize_js_number_opt};

/// Message of the no-personalization shape.
pub const NO_PERSONALIZATION_MESSAGE: &str =
    "No active personalization. Enable personalization to track effectiveness.";

const MS_PER_DAY: i64 = 86_400_000;

/// `data` of the response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectivenessPayload {
    /// The summary: active or no-personalization shape.
    pub effectiveness: EffectivenessSummary,
    /// The requested window.
    pub period: Period,
    /// Every row in the window, ascending `startDate`; absent without active configs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry>>,
}

/// `data.effectiveness`: one of the two shapes (distinguished by `hasPersonalization`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EffectivenessSummary {
    /// At least one active config.
    Active(ActiveSummary),
    /// No active config.
    Inactive(InactiveSummary),
}

/// The summary when personalization is active.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveSummary {
    /// Always `true`.
    pub has_personalization: bool,
    /// The selected metric averages.
    pub metrics: Metrics,
    /// Sample size, correlation, p-value, significance.
    pub statistical: Statistical,
    /// The user's active configs, in the order given.
    pub active_configs: Vec<ActiveConfig>,
    /// Chart points for the original front end (our addition, docs/compatibility.md): one per row,
    /// ascending `startDate`.
    pub timeline: Vec<ChartPoint>,
}

/// `metrics`: only the selected key for a single metric, all four for `all`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    /// Mean retention improvement.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_js_number_opt"
    )]
    pub retention_improvement: Option<f64>,
    /// Mean performance improvement.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_js_number_opt"
    )]
    pub performance_improvement: Option<f64>,
    /// Mean completion-rate change.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_js_number_opt"
    )]
    pub completion_rate_change: Option<f64>,
    /// Mean engagement change (only with `all`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_js_number_opt"
    )]
    pub engagement_change: Option<f64>,
}

impl Metrics {
    /// The keys `metric` selects from `aggregate`.
    pub fn select(aggregate: &Aggregate, metric: EffectivenessMetric) -> Self {
        let all = metric == EffectivenessMetric::All;
        let pick = |selected: bool, value: f64| (all || selected).then_some(value);
        Metrics {
            retention_improvement: pick(
                metric == EffectivenessMetric::Retention,
                aggregate.retention_improvement,
            ),
            performance_improvement: pick(
                metric == EffectivenessMetric::Performance,
                aggregate.performance_improvement,
            ),
            completion_rate_change: pick(
                metric == EffectivenessMetric::Completion,
                aggregate.completion_rate_change,
            ),
            engagement_change: pick(false, aggregate.engagement_change),
        }
    }
}

/// `statistical`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statistical {
    /// Σ sampleSize over valid rows.
    pub sample_size: i64,
    /// Mean correlation (0 when none).
    #[serde(serialize_with = "serialize_js_number")]
    pub correlation: f64,
    /// Mean p-value (1 when none).
    #[serde(serialize_with = "serialize_js_number")]
    pub p_value: f64,
    /// Mean p-value < 0.05 with at least one p-value.
    pub is_statistically_significant: bool,
}

/// One of `activeConfigs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveConfig {
    /// Where it applies.
    pub context: PersonalizationContext,
    /// `strategyVariant`.
    pub strategy: String,
    /// `confidenceScore`.
    #[serde(serialize_with = "serialize_js_number")]
    pub confidence: f64,
}

/// One point of `effectiveness.timeline` (the shape the original chart reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartPoint {
    /// The row's `startDate`.
    pub date: Timestamp,
    /// Retention improvement or `null`.
    #[serde(serialize_with = "serialize_js_number_opt")]
    pub retention_improvement: Option<f64>,
    /// Performance improvement or `null`.
    #[serde(serialize_with = "serialize_js_number_opt")]
    pub performance_improvement: Option<f64>,
    /// Completion-rate change or `null`.
    #[serde(serialize_with = "serialize_js_number_opt")]
    pub completion_rate_change: Option<f64>,
    /// Engagement change or `null`.
    #[serde(serialize_with = "serialize_js_number_opt")]
    pub engagement_change: Option<f64>,
}

/// The summary without active personalization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InactiveSummary {
    /// Always `false`.
    pub has_personalization: bool,
    /// [`NO_PERSONALIZATION_MESSAGE`].
    pub message: String,
    /// All four metrics at 0.
    pub baseline: Baseline,
}

/// `baseline`: four zeros.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Baseline {
    /// 0.
    #[serde(serialize_with = "serialize_js_number")]
    pub retention_improvement: f64,
    /// 0.
    #[serde(serialize_with = "serialize_js_number")]
    pub performance_improvement: f64,
    /// 0.
    #[serde(serialize_with = "serialize_js_number")]
    pub completion_rate_change: f64,
    /// 0.
    #[serde(serialize_with = "serialize_js_number")]
    pub engagement_change: f64,
}

/// `period`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// Window start.
    pub start_date: Timestamp,
    /// Window end.
    pub end_date: Timestamp,
    /// `ceil((end − start) / 1 day)`.
    pub days: i64,
}

impl Period {
    /// The window with its length in days rounded up, as `Math.ceil(ms / 86_400_000)`.
    pub fn new(start_date: Timestamp, end_date: Timestamp) -> Self {
        let ms = end_date.unix_millis() - start_date.unix_millis();
        // Ceiling division on i64: exact, where the JS went through a float.
        let days = if ms > 0 {
            (ms + MS_PER_DAY - 1) / MS_PER_DAY
        } else {
            -((-ms) / MS_PER_DAY)
        };
        Period {
            start_date,
            end_date,
            days,
        }
    }
}

/// One entry of `data.timeline` (the original's shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEntry {
    /// Row start.
    pub start_date: Timestamp,
    /// Row end.
    pub end_date: Timestamp,
    /// Retention improvement or `null`.
    #[serde(serialize_with = "serialize_js_number_opt")]
    pub retention_improvement: Option<f64>,
    /// Performance improvement or `null`.
    #[serde(serialize_with = "serialize_js_number_opt")]
    pub performance_improvement: Option<f64>,
    /// Completion-rate change or `null`.
    #[serde(serialize_with = "serialize_js_number_opt")]
    pub completion_rate_change: Option<f64>,
    /// 0..100.
    #[serde(serialize_with = "serialize_js_number")]
    pub composite_score: f64,
    /// The row's stored flag.
    pub is_statistically_significant: bool,
}

impl From<&EffectivenessRow> for TimelineEntry {
    fn from(row: &EffectivenessRow) -> Self {
        TimelineEntry {
            start_date: row.start_date,
            end_date: row.end_date,
            retention_improvement: row.retention_improvement,
            performance_improvement: row.performance_improvement,
            completion_rate_change: row.completion_rate_change,
            composite_score: row.composite_score,
            is_statistically_significant: row.is_statistically_significant,
        }
    }
}

impl From<&EffectivenessRow> for ChartPoint {
    fn from(row: &EffectivenessRow) -> Self {
        ChartPoint {
            date: row.start_date,
            retention_improvement: row.retention_improvement,
            performance_improvement: row.performance_improvement,
            completion_rate_change: row.completion_rate_change,
            engagement_change: row.engagement_change,
        }
    }
}

/// Builds the payload from the user's **active** configs and effectiveness rows.
///
/// Rows outside the window (`startDate ≥ start` and `endDate ≤ end`) are dropped and the rest
/// sorted by ascending `startDate` (stable), re-applying the store's query so any superset of
/// the right rows gives the same answer. Without configs the rows are ignored and the
/// no-personalization shape (no `timeline` key) is returned.
pub fn personalization_effectiveness(
    active_configs: &[PersonalizationConfig],
    rows: &[EffectivenessRow],
    metric: EffectivenessMetric,
    start: Timestamp,
    end: Timestamp,
) -> EffectivenessPayload {
    let period = Period::new(start, end);
    if active_configs.is_empty() {
        return EffectivenessPayload {
            effectiveness: EffectivenessSummary::Inactive(InactiveSummary {
                has_personalization: false,
                message: NO_PERSONALIZATION_MESSAGE.to_owned(),
                baseline: Baseline::default(),
            }),
            period,
            timeline: None,
        };
    }
    let mut in_window: Vec<&EffectivenessRow> = rows
        .iter()
        .filter(|r| r.start_date >= start && r.end_date <= end)
        .collect();
    in_window.sort_by_key(|r| r.start_date);
    let totals = aggregate(&in_window);
    EffectivenessPayload {
        effectiveness: EffectivenessSummary::Active(ActiveSummary {
            has_personalization: true,
            metrics: Metrics::select(&totals, metric),
            statistical: Statistical {
                sample_size: totals.sample_size,
                correlation: totals.correlation,
                p_value: totals.p_value,
                is_statistically_significant: totals.is_statistically_significant,
            },
            active_configs: active_configs
                .iter()
                .map(|c| ActiveConfig {
                    context: c.context,
                    strategy: c.strategy_variant.clone(),
                    confidence: c.confidence_score,
                })
                .collect(),
            timeline: in_window.iter().map(|r| ChartPoint::from(*r)).collect(),
        }),
        period,
        timeline: Some(in_window.iter().map(|r| TimelineEntry::from(*r)).collect()),
    }
}

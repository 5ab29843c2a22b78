//! The aggregate over effectiveness rows, with the original's formulas, null handling and
//! summation order, so results are bit-identical to the JavaScript (e.g. `0.6100000000000001`).

use insights_model::EffectivenessRow;

/// p-value below which the aggregate is significant.
pub const SIGNIFICANCE_LEVEL: f64 = 0.05;

/// Means and totals over the valid rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aggregate {
    /// Mean retention improvement (nulls count as 0).
    pub retention_improvement: f64,
    /// Mean performance improvement (nulls count as 0).
    pub performance_improvement: f64,
    /// Mean completion-rate change (nulls count as 0).
    pub completion_rate_change: f64,
    /// Mean engagement change (nulls count as 0).
    pub engagement_change: f64,
    /// Sum of the valid rows' sample sizes.
    pub sample_size: i64,
    /// Mean of the non-null correlations; 0 when there are none.
    pub correlation: f64,
    /// Mean of the non-null p-values; 1.0 when there are none.
    pub p_value: f64,
    /// Mean p-value < 0.05, and at least one p-value present.
    pub is_statistically_significant: bool,
}

impl Aggregate {
    /// The aggregate of no valid rows: zeros, p-value 1, not significant.
    pub const EMPTY: Aggregate = Aggregate {
        retention_improvement: 0.0,
        performance_improvement: 0.0,
        completion_rate_change: 0.0,
        engagement_change: 0.0,
        sample_size: 0,
        correlation: 0.0,
        p_value: 1.0,
        is_statistically_significant: false,
    };
}

/// A row counts when it has a retention or a performance value.
pub fn is_valid(row: &EffectivenessRow) -> bool {
    row.retention_improvement.is_some() || row.performance_improvement.is_some()
}

/// `Σ(value ?? 0) / n`, summed from 0 in row order like `reduce((s, m) => s + (m.x || 0), 0)`.
fn mean_nulls_as_zero(
    valid: &[&EffectivenessRow],
    value: impl Fn(&EffectivenessRow) -> Option<f64>,
) -> f64 {
    let sum = valid
        .iter()
        .fold(0.0, |sum, row| sum + value(row).unwrap_or(0.0));
    sum / valid.len() as f64
}

/// Mean of the present values, or `None` when there are none.
fn mean_present(
    valid: &[&EffectivenessRow],
    value: impl Fn(&EffectivenessRow) -> Option<f64>,
) -> Option<f64> {
    let present: Vec<f64> = valid.iter().filter_map(|row| value(row)).collect();
    if present.is_empty() {
        return None;
    }
    let sum = present.iter().fold(0.0, |sum, v| sum + v);
    Some(sum / present.len() as f64)
}

/// Aggregates `rows` (in the order given; the payload passes them by ascending `startDate`).
pub fn aggregate(rows: &[&EffectivenessRow]) -> Aggregate {
    let valid: Vec<&EffectivenessRow> = rows.iter().copied().filter(|r| is_valid(r)).collect();
    if valid.is_empty() {
        return Aggregate::EMPTY;
    }
    let p_value = mean_present(&valid, |r| r.p_value);
    Aggregate {
        retention_improvement: mean_nulls_as_zero(&valid, |r| r.retention_improvement),
        performance_improvement: mean_nulls_as_zero(&valid, |r| r.performance_improvement),
        completion_rate_change: mean_nulls_as_zero(&valid, |r| r.completion_rate_change),
        engagement_change: mean_nulls_as_zero(&valid, |r| r.engagement_change),
        sample_size: valid.iter().map(|r| i64::from(r.sample_size)).sum(),
        correlation: mean_present(&valid, |r| r.correlation).unwrap_or(0.0),
        p_value: p_value.unwrap_or(1.0),
        is_statistically_significant: p_value.is_some_and(|p| p < SIGNIFICANCE_LEVEL),
    }
}

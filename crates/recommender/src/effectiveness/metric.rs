//! The `metric` query parameter: which aggregate keys the response carries.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::RecommenderError;

/// `retention | performance | completion | all` (exact and case-sensitive, as in the original).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EffectivenessMetric {
    /// Only `retentionImprovement`.
    Retention,
    /// Only `performanceImprovement`.
    Performance,
    /// Only `completionRateChange`.
    Completion,
    /// All four metrics, `engagementChange` included (the default).
    #[default]
    All,
}

impl EffectivenessMetric {
    /// The query-string value.
    pub const fn as_str(self) -> &'static str {
        match self {
            EffectivenessMetric::Retention => "retention",
            EffectivenessMetric::Performance => "performance",
            EffectivenessMetric::Completion => "completion",
            EffectivenessMetric::All => "all",
        }
    }
}

impl fmt::Display for EffectivenessMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EffectivenessMetric {
    type Err = RecommenderError;

    /// Parses a non-empty value; the caller maps an absent or empty parameter to
    /// [`EffectivenessMetric::All`] as the original did.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "retention" => Ok(EffectivenessMetric::Retention),
            "performance" => Ok(EffectivenessMetric::Performance),
            "completion" => Ok(EffectivenessMetric::Completion),
            "all" => Ok(EffectivenessMetric::All),
            other => Err(RecommenderError::InvalidMetric {
                value: other.to_owned(),
            }),
        }
    }
}

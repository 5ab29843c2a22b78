//! The crate's one error type.

/// Why a rule refused its input. Every variant is a client error (the server maps each to 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecommenderError {
    /// `metric` is not one of the four selector values (checked after the dates, as the
    /// original did).
    #[error("Invalid metric. Must be one of: retention, performance, completion, all")]
    InvalidMetric {
        /// The rejected input.
        value: String,
    },
    /// A key in the apply request's `settings` that is not a changeable profile field.
    #[error(
        "settings.{key} is not a changeable setting; allowed: preferredStudyTimes, optimalSessionDuration, contentPreferences, personalizedForgettingCurve"
    )]
    UnknownSetting {
        /// The offending key.
        key: String,
    },
    /// A known `settings` key whose value has the wrong JSON type or range.
    #[error("settings.{key} must be {expected}")]
    InvalidSetting {
        /// The offending key.
        key: String,
        /// What the value must be.
        expected: &'static str,
    },
}

impl RecommenderError {
    /// The request field the error is about (`metric` or `settings.<key>`), for an error
    /// response's `details`.
    pub fn field(&self) -> String {
        match self {
            RecommenderError::InvalidMetric { .. } => "metric".to_owned(),
            RecommenderError::UnknownSetting { key }
            | RecommenderError::InvalidSetting { key, .. } => format!("settings.{key}"),
        }
    }
}

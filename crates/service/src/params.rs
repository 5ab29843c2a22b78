//! Validated parameters of the read operations. Each type can only hold values the operations
//! accept: its constructor checks them with the original API's rules and messages. The wire
//! forms (query strings as sent) convert into them with `TryFrom` ([`crate::wire`]).

use insights_model::{PatternType, Timestamp};
use insights_recommender::effectiveness::EffectivenessMetric;
use time::Duration;

use crate::ServiceError;

/// The parameters of [`Insights::effectiveness`](crate::Insights::effectiveness): a window and
/// which metrics to report.
///
/// ```
/// use insights_service::{EffectivenessMetric, EffectivenessParams, Timestamp};
/// let start = Timestamp::parse("2025-10-01").unwrap();
/// let end = Timestamp::parse("2025-10-15").unwrap();
/// let params = EffectivenessParams::new(start, end, EffectivenessMetric::Retention).unwrap();
/// assert!(params.is_explicit());
/// assert!(EffectivenessParams::new(end, start, EffectivenessMetric::All).is_err());
/// let recent = EffectivenessParams::recent(EffectivenessMetric::All);
/// assert_eq!(recent.end().unix_millis() - recent.start().unix_millis(), 14 * 86_400_000);
/// assert!(!recent.is_explicit());
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectivenessParams {
    start: Timestamp,
    end: Timestamp,
    metric: EffectivenessMetric,
    /// Both ends were given: the answer depends only on the parameters, not on "now".
    explicit: bool,
}

impl EffectivenessParams {
    /// Length of the default window, ending now.
    pub const DEFAULT_DAYS: i64 = 14;

    /// An explicit window; `start` must be before `end`.
    pub fn new(
        start: Timestamp,
        end: Timestamp,
        metric: EffectivenessMetric,
    ) -> Result<Self, ServiceError> {
        Self::window(start, end, metric, true)
    }

    /// The default window: the [`DEFAULT_DAYS`](Self::DEFAULT_DAYS) up to now.
    pub fn recent(metric: EffectivenessMetric) -> Self {
        let end = Timestamp::now();
        Self {
            start: Self::default_start(end),
            end,
            metric,
            explicit: false,
        }
    }

    /// `now` − [`DEFAULT_DAYS`](Self::DEFAULT_DAYS).
    pub(crate) fn default_start(now: Timestamp) -> Timestamp {
        now.saturating_add(-Duration::days(Self::DEFAULT_DAYS))
    }

    /// A window whose ends were given (`explicit`) or defaulted; `start` must be before `end`.
    pub(crate) fn window(
        start: Timestamp,
        end: Timestamp,
        metric: EffectivenessMetric,
        explicit: bool,
    ) -> Result<Self, ServiceError> {
        if start >= end {
            return Err(ServiceError::bad_request(
                "startDate",
                "startDate must be before endDate",
            ));
        }
        Ok(Self {
            start,
            end,
            metric,
            explicit,
        })
    }

    /// The same window with `metric`.
    pub fn with_metric(self, metric: EffectivenessMetric) -> Self {
        Self { metric, ..self }
    }

    /// The window's first instant.
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// The window's last instant.
    pub fn end(&self) -> Timestamp {
        self.end
    }

    /// Which metrics the answer carries.
    pub fn metric(&self) -> EffectivenessMetric {
        self.metric
    }

    /// Whether both ends were given, rather than one of them defaulted from "now".
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }
}

/// The parameters of [`Insights::pattern_evolution`](crate::Insights::pattern_evolution): how
/// many rolling weeks, and optionally one pattern type.
///
/// ```
/// use insights_service::{EvolutionParams, PatternType};
/// let params = EvolutionParams::new(4, Some(PatternType::ForgettingCurve)).unwrap();
/// assert_eq!(params.weeks(), 4);
/// assert_eq!(EvolutionParams::default().weeks(), 12);
/// let err = EvolutionParams::new(53, None).unwrap_err();
/// assert_eq!(err.to_string(), "weeks must be between 1 and 52");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EvolutionParams {
    weeks: u32,
    pattern_type: Option<PatternType>,
}

impl EvolutionParams {
    /// Fewest weeks.
    pub const MIN_WEEKS: u32 = 1;
    /// Most weeks.
    pub const MAX_WEEKS: u32 = 52;
    /// Weeks when none are asked for.
    pub const DEFAULT_WEEKS: u32 = 12;
    pub(crate) const WEEKS_MESSAGE: &'static str = "weeks must be between 1 and 52";

    /// `weeks` in 1..=52; `pattern_type` `None` for all types.
    pub fn new(weeks: u32, pattern_type: Option<PatternType>) -> Result<Self, ServiceError> {
        if !(Self::MIN_WEEKS..=Self::MAX_WEEKS).contains(&weeks) {
            return Err(ServiceError::validation("weeks", Self::WEEKS_MESSAGE));
        }
        Ok(Self {
            weeks,
            pattern_type,
        })
    }

    /// How many rolling weeks, the last one ending now.
    pub fn weeks(&self) -> u32 {
        self.weeks
    }

    /// The one pattern type shown, or `None` for all.
    pub fn pattern_type(&self) -> Option<PatternType> {
        self.pattern_type
    }
}

impl Default for EvolutionParams {
    /// 12 weeks, every pattern type.
    fn default() -> Self {
        Self {
            weeks: Self::DEFAULT_WEEKS,
            pattern_type: None,
        }
    }
}

/// The parameters of [`Insights::recommendations`](crate::Insights::recommendations): how many
/// to list, and whether applied ones are listed too.
///
/// ```
/// use insights_service::RecommendationParams;
/// let params = RecommendationParams::new(10, true).unwrap();
/// assert_eq!((params.limit(), params.include_applied()), (10, true));
/// assert_eq!(RecommendationParams::default().limit(), 5);
/// assert!(RecommendationParams::new(0, false).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecommendationParams {
    limit: usize,
    include_applied: bool,
}

impl RecommendationParams {
    /// Most items one list may hold.
    pub const MAX_LIMIT: usize = 20;
    /// Items when no limit is asked for.
    pub const DEFAULT_LIMIT: usize = 5;
    pub(crate) const LIMIT_MESSAGE: &'static str = "limit must be between 1 and 20";

    /// `limit` in 1..=20.
    pub fn new(limit: usize, include_applied: bool) -> Result<Self, ServiceError> {
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(ServiceError::validation("limit", Self::LIMIT_MESSAGE));
        }
        Ok(Self {
            limit,
            include_applied,
        })
    }

    /// At most this many items.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Whether applied (not dismissed) recommendations are listed too.
    pub fn include_applied(&self) -> bool {
        self.include_applied
    }
}

impl Default for RecommendationParams {
    /// 5 items, active ones only.
    fn default() -> Self {
        Self {
            limit: Self::DEFAULT_LIMIT,
            include_applied: false,
        }
    }
}

//! The typed evolution answer: [`PatternEvolution`]. Serialised with serde it is the API's
//! `data` payload, byte for byte the text the rendered path joins by hand (a test checks).

use insights_model::{PatternType, TimelinePattern, Timestamp};
use insights_week_buckets::{Span, Status, StatusRule, Timeline, WeekWindow};
use serde::{Deserialize, Serialize};

use crate::{EvolutionParams, ServiceError};

/// A user's patterns week by week ([`Insights::pattern_evolution`](crate::Insights::pattern_evolution)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatternEvolution {
    /// The weeks, oldest first; the last one ends at the request instant.
    pub evolution: Vec<EvolutionWeek>,
    /// The window and counts.
    pub meta: EvolutionMeta,
}

/// One week of a [`PatternEvolution`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvolutionWeek {
    /// 1 for the oldest week.
    pub week_number: u32,
    /// The week's first instant.
    pub week_start: Timestamp,
    /// The week's last instant.
    pub week_end: Timestamp,
    /// The patterns present in the week, in detection order.
    pub patterns: Vec<WeekPattern>,
}

/// A pattern as shown in one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeekPattern {
    /// The pattern's id.
    pub id: String,
    /// What it describes.
    pub pattern_type: PatternType,
    /// Its confidence, 0..=1.
    pub confidence: f64,
    /// Its evidence.
    pub metadata: Vec<String>,
    /// `new` in the week it was detected, `disappeared` in the week it was last seen (unless
    /// that is the final week), `existing` otherwise.
    pub status: Status,
}

/// The window and counts of a [`PatternEvolution`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvolutionMeta {
    /// How many weeks.
    pub total_weeks: u32,
    /// The first week's start.
    pub start_date: Timestamp,
    /// The request instant.
    pub end_date: Timestamp,
    /// Patterns overlapping the window.
    pub total_patterns: usize,
    /// The requested pattern type's name, or `"all"`.
    pub pattern_type_filter: String,
}

impl EvolutionMeta {
    pub(crate) fn new(
        start: Timestamp,
        now: Timestamp,
        total_patterns: usize,
        params: EvolutionParams,
    ) -> Self {
        Self {
            total_weeks: params.weeks(),
            start_date: start,
            end_date: now,
            total_patterns,
            pattern_type_filter: params
                .pattern_type()
                .map_or_else(|| "all".to_owned(), |t| t.as_str().to_owned()),
        }
    }
}

/// The weeks of `window` with the patterns each one lists: a pattern spans its detection to
/// its last sighting, and one last seen in the final week counts as active there.
pub(crate) fn timeline<'p>(
    window: &WeekWindow,
    patterns: &'p [TimelinePattern],
) -> Result<Timeline<'p, TimelinePattern>, ServiceError> {
    Ok(Timeline::build(window, StatusRule::Fixed, patterns, |p| {
        Span::new(p.detected_at.unix_millis(), p.last_seen_at.unix_millis())
    })?)
}

impl PatternEvolution {
    /// The answer for `patterns` over `window`, which starts at `start` and ends at `now`.
    pub(crate) fn build(
        window: &WeekWindow,
        start: Timestamp,
        now: Timestamp,
        patterns: &[TimelinePattern],
        params: EvolutionParams,
    ) -> Result<Self, ServiceError> {
        let evolution = timeline(window, patterns)?
            .weeks()
            .map(|bucket| {
                Ok(EvolutionWeek {
                    week_number: bucket.number(),
                    week_start: Timestamp::from_unix_millis(bucket.start_ms())?,
                    week_end: Timestamp::from_unix_millis(bucket.end_ms())?,
                    patterns: bucket
                        .entries()
                        .map(|(p, status)| WeekPattern {
                            id: p.id.clone(),
                            pattern_type: p.pattern_type,
                            confidence: p.confidence,
                            metadata: p.evidence.clone(),
                            status,
                        })
                        .collect(),
                })
            })
            .collect::<Result<_, ServiceError>>()?;
        Ok(Self {
            evolution,
            meta: EvolutionMeta::new(start, now, patterns.len(), params),
        })
    }
}

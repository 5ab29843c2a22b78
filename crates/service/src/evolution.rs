//! GET pattern evolution.

use std::sync::Arc;

use insights_model::{BehavioralPattern, Timestamp};
use insights_week_buckets::{Span, StatusRule, Timeline, WeekWindow};
use serde::Serialize;
use serde_json::Value;

use crate::cache::{CacheKey, CacheValue};
use crate::params::EvolutionParams;
use crate::{EvolutionQuery, Insights, Json, ServiceError, to_json};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Evolution<'a> {
    evolution: Vec<Week<'a>>,
    meta: Meta,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Week<'a> {
    week_number: u32,
    week_start: Timestamp,
    week_end: Timestamp,
    patterns: Vec<Entry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    id: &'a str,
    pattern_type: insights_model::PatternType,
    confidence: f64,
    metadata: &'a Value,
    status: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    total_weeks: u32,
    start_date: Timestamp,
    end_date: Timestamp,
    total_patterns: usize,
    pattern_type_filter: String,
}

impl Insights {
    /// The user's patterns week by week over the last `weeks` rolling weeks (contract A2 + D,
    /// with the fixed overlap predicate and "disappeared" rule of decisions.md §4). Cached per
    /// (user, weeks, type); a hit keeps the week boundaries of the miss, as the original did.
    pub async fn pattern_evolution(
        &self,
        user: &str,
        query: EvolutionQuery,
    ) -> Result<Json, ServiceError> {
        let params = query.validate()?;
        let key = CacheKey::Evolution {
            user: Arc::from(user),
            weeks: params.weeks,
            pattern_type: params.pattern_type,
        };
        let value = self
            .cache
            .get_or_load(key, user, || async {
                let now = Timestamp::now();
                let window = WeekWindow::rolling(now.unix_millis(), params.weeks)
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                let start = Timestamp::from_unix_millis(window.start_ms())
                    .map_err(|e| ServiceError::Internal(e.to_string()))?;
                let patterns = self
                    .routing
                    .reader(user)
                    .patterns_overlapping(user, start, now, params.pattern_type)
                    .await?;
                render(&window, start, now, &patterns, params).map(CacheValue::Json)
            })
            .await?;
        value.into_json()
    }
}

fn render(
    window: &WeekWindow,
    start: Timestamp,
    now: Timestamp,
    patterns: &[BehavioralPattern],
    params: EvolutionParams,
) -> Result<Json, ServiceError> {
    let internal = |e: insights_model::ModelError| ServiceError::Internal(e.to_string());
    let timeline = Timeline::build(window, StatusRule::Fixed, patterns, |p| {
        Span::new(p.detected_at.unix_millis(), p.last_seen_at.unix_millis())
    })
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let mut weeks = Vec::with_capacity(params.weeks as usize);
    for bucket in timeline.weeks() {
        weeks.push(Week {
            week_number: bucket.number(),
            week_start: Timestamp::from_unix_millis(bucket.start_ms()).map_err(internal)?,
            week_end: Timestamp::from_unix_millis(bucket.end_ms()).map_err(internal)?,
            patterns: bucket
                .entries()
                .map(|(p, status)| Entry {
                    id: &p.id,
                    pattern_type: p.pattern_type,
                    confidence: p.confidence,
                    metadata: &p.evidence,
                    status: status.as_str(),
                })
                .collect(),
        });
    }
    to_json(&Evolution {
        evolution: weeks,
        meta: Meta {
            total_weeks: params.weeks,
            start_date: start,
            end_date: now,
            total_patterns: patterns.len(),
            pattern_type_filter: params
                .pattern_type
                .map_or_else(|| "all".to_owned(), |t| t.as_str().to_owned()),
        },
    })
}

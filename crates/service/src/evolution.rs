//! GET pattern evolution.
//!
//! A pattern is listed in every week it spans (about four of twelve on the workloads of
//! decisions.md §7), so the answer repeats each pattern's JSON several times. Each pattern is
//! serialised once, as the fields before its status, and that text is reused in every week;
//! the rest of the document (week headers, meta) is serialised with serde as usual. A test
//! checks the result byte for byte against plain serde serialisation of the same document.

use std::sync::Arc;

use insights_model::{PatternType, TimelinePattern, Timestamp};
use insights_week_buckets::{Span, StatusRule, Timeline, WeekWindow};
use serde::Serialize;

use crate::cache::{CacheKey, CacheValue};
use crate::params::EvolutionParams;
use crate::{EvolutionQuery, Insights, Json, ServiceError};

/// A pattern's fields as shown in a week, status excepted (it varies by week).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryFields<'a> {
    id: &'a str,
    pattern_type: PatternType,
    confidence: f64,
    metadata: &'a [String],
}

/// A week's fields before its pattern list.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WeekFields {
    week_number: u32,
    week_start: Timestamp,
    week_end: Timestamp,
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

impl Meta {
    fn new(
        start: Timestamp,
        now: Timestamp,
        total_patterns: usize,
        params: EvolutionParams,
    ) -> Self {
        Self {
            total_weeks: params.weeks,
            start_date: start,
            end_date: now,
            total_patterns,
            pattern_type_filter: params
                .pattern_type
                .map_or_else(|| "all".to_owned(), |t| t.as_str().to_owned()),
        }
    }
}

/// A pattern with its pre-rendered JSON object, still open: `{"id":…,"metadata":[…]`.
struct RenderedPattern {
    open_object: String,
    span: Span,
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
    patterns: &[TimelinePattern],
    params: EvolutionParams,
) -> Result<Json, ServiceError> {
    let internal = |e: &dyn std::fmt::Display| ServiceError::Internal(e.to_string());
    let rendered = patterns
        .iter()
        .map(|p| {
            let fields = EntryFields {
                id: &p.id,
                pattern_type: p.pattern_type,
                confidence: p.confidence,
                metadata: &p.evidence,
            };
            Ok(RenderedPattern {
                open_object: open_object(&fields)?,
                span: Span::new(p.detected_at.unix_millis(), p.last_seen_at.unix_millis()),
            })
        })
        .collect::<Result<Vec<_>, ServiceError>>()?;
    let timeline = Timeline::build(window, StatusRule::Fixed, &rendered, |p| p.span)
        .map_err(|e| internal(&e))?;
    let meta = Meta::new(start, now, patterns.len(), params);
    // Week headers and meta are ~100 bytes each; an entry adds `,"status":"disappeared"},`.
    let expected_len = 200
        + timeline
            .weeks()
            .map(|week| {
                120 + week
                    .entries()
                    .map(|(p, _)| p.open_object.len() + 26)
                    .sum::<usize>()
            })
            .sum::<usize>();
    Json::build(expected_len, |out| {
        out.push_str(r#"{"evolution":["#);
        for (i, bucket) in timeline.weeks().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let fields = WeekFields {
                week_number: bucket.number(),
                week_start: Timestamp::from_unix_millis(bucket.start_ms())
                    .map_err(|e| internal(&e))?,
                week_end: Timestamp::from_unix_millis(bucket.end_ms()).map_err(|e| internal(&e))?,
            };
            out.push_str(&open_object(&fields)?);
            out.push_str(r#","patterns":["#);
            for (j, (pattern, status)) in bucket.entries().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push_str(&pattern.open_object);
                out.push_str(r#","status":""#);
                // Status names are fixed ASCII words: nothing to escape.
                out.push_str(status.as_str());
                out.push_str(r#""}"#);
            }
            out.push_str("]}");
        }
        out.push_str(r#"],"meta":"#);
        out.push_str(&serde_json::to_string(&meta).map_err(|e| internal(&e))?);
        out.push('}');
        Ok(())
    })
}

/// The JSON object of `fields` without its closing brace, so more members can follow.
fn open_object<T: Serialize>(fields: &T) -> Result<String, ServiceError> {
    let mut text = serde_json::to_string(fields)
        .map_err(|e| ServiceError::Internal(format!("cannot encode response: {e}")))?;
    // A struct with at least one field serialises as `{…}`; dropping the `}` leaves `{…`.
    if text.pop() != Some('}') {
        return Err(ServiceError::Internal(
            "a struct did not serialise as a JSON object".into(),
        ));
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use insights_model::PatternType;

    /// The document as plain serde structs: the oracle for the hand-joined text.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Document<'a> {
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
        pattern_type: PatternType,
        confidence: f64,
        metadata: &'a [String],
        status: &'static str,
    }

    fn oracle(
        window: &WeekWindow,
        start: Timestamp,
        now: Timestamp,
        patterns: &[TimelinePattern],
        params: EvolutionParams,
    ) -> String {
        let timeline = Timeline::build(window, StatusRule::Fixed, patterns, |p| {
            Span::new(p.detected_at.unix_millis(), p.last_seen_at.unix_millis())
        })
        .unwrap();
        let evolution = timeline
            .weeks()
            .map(|b| Week {
                week_number: b.number(),
                week_start: Timestamp::from_unix_millis(b.start_ms()).unwrap(),
                week_end: Timestamp::from_unix_millis(b.end_ms()).unwrap(),
                patterns: b
                    .entries()
                    .map(|(p, status)| Entry {
                        id: &p.id,
                        pattern_type: p.pattern_type,
                        confidence: p.confidence,
                        metadata: &p.evidence,
                        status: status.as_str(),
                    })
                    .collect(),
            })
            .collect();
        let meta = Meta::new(start, now, patterns.len(), params);
        serde_json::to_string(&Document { evolution, meta }).unwrap()
    }

    #[test]
    fn hand_joined_text_equals_serde_output() {
        const DAY: i64 = 86_400_000;
        let now = Timestamp::from_unix_millis(1_764_000_000_123).unwrap();
        let at = |ms: i64| Timestamp::from_unix_millis(ms).unwrap();
        let n = now.unix_millis();
        let pattern =
            |id: &str, t: PatternType, c: f64, from: i64, to: i64, ev: &[&str]| TimelinePattern {
                id: id.to_owned(),
                pattern_type: t,
                confidence: c,
                evidence: ev.iter().map(|s| (*s).to_owned()).collect(),
                detected_at: at(from),
                last_seen_at: at(to),
            };
        let patterns = vec![
            pattern(
                "a",
                PatternType::OptimalStudyTime,
                0.42,
                n - 40 * DAY,
                n - DAY,
                &["89 sessions"],
            ),
            pattern(
                "b\"q",
                PatternType::ForgettingCurve,
                1.0,
                n - 80 * DAY,
                n - 60 * DAY,
                &[],
            ),
            pattern(
                "c",
                PatternType::AttentionCycle,
                0.1,
                n - 3 * DAY,
                n - 3 * DAY,
                &["é \n \u{1}", "</x>"],
            ),
            pattern(
                "d",
                PatternType::PerformancePeak,
                0.000_1,
                n - 200 * DAY,
                n,
                &["x"],
            ),
            pattern(
                "reversed",
                PatternType::SessionDurationPreference,
                0.5,
                n - DAY,
                n - 9 * DAY,
                &[],
            ),
        ];
        for weeks in [1, 4, 12, 52] {
            let params = EvolutionParams {
                weeks,
                pattern_type: None,
            };
            let window = WeekWindow::rolling(n, weeks).unwrap();
            let start = at(window.start_ms());
            let ours = render(&window, start, now, &patterns, params).unwrap();
            assert_eq!(
                ours.payload(),
                oracle(&window, start, now, &patterns, params),
                "{weeks} weeks"
            );
            if weeks == 12 {
                // The comparison covers escaping and every status, not just empty weeks.
                for needle in [
                    r#""id":"b\"q""#,
                    r#""status":"new""#,
                    r#""status":"disappeared""#,
                    r#""status":"existing""#,
                    r#"\n \u0001"#,
                ] {
                    assert!(
                        ours.payload().contains(needle),
                        "{needle} in {}",
                        ours.payload()
                    );
                }
            }
        }
        let params = EvolutionParams {
            weeks: 12,
            pattern_type: Some(PatternType::AttentionCycle),
        };
        let window = WeekWindow::rolling(n, 12).unwrap();
        let start = at(window.start_ms());
        let ours = render(&window, start, now, &[], params).unwrap();
        assert_eq!(ours.payload(), oracle(&window, start, now, &[], params));
    }
}

//! GET pattern evolution: the typed answer ([`PatternEvolution`]) and the rendered one (laid out
//! once by [`plan`], cached whole or streamed in chunks).

mod plan;
mod report;

use std::sync::Arc;

use insights_model::{TimelinePattern, Timestamp};
use insights_week_buckets::WeekWindow;

pub(crate) use plan::EvolutionPlan;
pub use report::{EvolutionMeta, EvolutionWeek, PatternEvolution, WeekPattern};

use crate::answer::Answer;
use crate::cache::{CacheKey, CacheValue};
use crate::{EvolutionParams, Insights, Rendered, ServiceError};

/// Where an answer's weeks lie: `weeks` rolling weeks ending at `now`.
struct Anchor {
    now: Timestamp,
    window: WeekWindow,
    start: Timestamp,
}

impl Insights {
    /// The user's patterns week by week over the last `weeks` rolling weeks, with the overlap
    /// predicate `detectedAt <= end AND lastSeenAt >= start` and a pattern last seen in the
    /// final week counted as active (see docs/compatibility.md).
    ///
    /// Read from the database on every call, anchored at the call's instant; the cached form
    /// is [`Rendered::pattern_evolution`].
    pub async fn pattern_evolution(
        &self,
        user: &str,
        params: &EvolutionParams,
    ) -> Result<PatternEvolution, ServiceError> {
        let (anchor, patterns) = self.evolution_rows(user, *params).await?;
        PatternEvolution::build(&anchor.window, anchor.start, anchor.now, &patterns, *params)
    }

    /// The patterns overlapping the window of `params` ending now.
    async fn evolution_rows(
        &self,
        user: &str,
        params: EvolutionParams,
    ) -> Result<(Anchor, Vec<TimelinePattern>), ServiceError> {
        let now = Timestamp::now();
        let window = WeekWindow::rolling(now.unix_millis(), params.weeks())?;
        let start = Timestamp::from_unix_millis(window.start_ms())?;
        let patterns = self
            .routing
            .read(user, |store| {
                store.patterns_overlapping(user, start, now, params.pattern_type())
            })
            .await?;
        Ok((Anchor { now, window, start }, patterns))
    }
}

impl Rendered<'_> {
    /// [`Insights::pattern_evolution`] rendered: whole (and cached) up to the cache's
    /// per-entry cap, and chunked beyond it, so that a user whose patterns span many weeks
    /// with long evidence never makes the server hold the answer whole. Cached per (user,
    /// weeks, type); a hit keeps the week boundaries of the miss, as the original did.
    pub async fn pattern_evolution(
        &self,
        user: &str,
        params: &EvolutionParams,
    ) -> Result<Answer, ServiceError> {
        let params = *params;
        let envelope = self.envelope;
        let key = CacheKey::Evolution {
            user: Arc::from(user),
            weeks: params.weeks(),
            pattern_type: params.pattern_type(),
            envelope,
        };
        let insights = self.insights;
        let max_whole = insights.cache.max_entry_bytes();
        let value = insights
            .cache
            .get_or_load(key, user, || async {
                let (anchor, patterns) = insights.evolution_rows(user, params).await?;
                let plan = EvolutionPlan::new(
                    &anchor.window,
                    anchor.start,
                    anchor.now,
                    &patterns,
                    params,
                )?;
                // The rows are no longer needed: only the rendered patterns stay.
                drop(patterns);
                if envelope.len() + plan.len() <= max_whole {
                    plan.to_json(envelope).map(CacheValue::Json)
                } else {
                    // Too large to cache: concurrent callers of this key share the plan, and
                    // each response walks it.
                    Ok(CacheValue::Evolution(Arc::new(plan)))
                }
            })
            .await?;
        value.into_answer(envelope)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use crate::{Envelope, RenderedJson};
    use bytes::Bytes;
    use insights_model::PatternType;
    use insights_week_buckets::Status;

    const SUCCESS: Envelope = Envelope::new(r#"{"success":true,"data":"#, "}");

    /// The typed answer serialised by serde: the oracle for the hand-joined text.
    fn oracle(
        window: &WeekWindow,
        start: Timestamp,
        now: Timestamp,
        patterns: &[TimelinePattern],
        params: EvolutionParams,
    ) -> String {
        let report = PatternEvolution::build(window, start, now, patterns, params).unwrap();
        serde_json::to_string(&report).unwrap()
    }

    /// The plan's whole text, after checking that its chunked body is the same bytes.
    fn whole_and_chunked(
        window: &WeekWindow,
        start: Timestamp,
        now: Timestamp,
        patterns: &[TimelinePattern],
        params: EvolutionParams,
    ) -> RenderedJson {
        let plan = Arc::new(EvolutionPlan::new(window, start, now, patterns, params).unwrap());
        let whole = plan.to_json(SUCCESS).unwrap();
        let body = plan.clone().chunked(SUCCESS);
        assert_eq!(body.len(), whole.enveloped().len());
        let chunks: Vec<Bytes> = body.collect();
        assert_eq!(chunks.concat(), whole.enveloped(), "chunked != whole");
        whole
    }

    #[test]
    fn large_evidence_is_sent_without_copies_in_bounded_chunks() {
        const DAY: i64 = 86_400_000;
        let now = Timestamp::from_unix_millis(1_764_000_000_123).unwrap();
        let n = now.unix_millis();
        let evidence = vec!["x".repeat(100_000)];
        let patterns: Vec<TimelinePattern> = (0..3)
            .map(|i| TimelinePattern {
                id: format!("p{i}"),
                pattern_type: PatternType::AttentionCycle,
                confidence: 0.5,
                evidence: evidence.clone(),
                detected_at: Timestamp::from_unix_millis(n - 400 * DAY).unwrap(),
                last_seen_at: now,
            })
            .collect();
        let params = EvolutionParams::new(52, None).unwrap();
        let window = WeekWindow::rolling(n, 52).unwrap();
        let start = Timestamp::from_unix_millis(window.start_ms()).unwrap();
        let whole = whole_and_chunked(&window, start, now, &patterns, params);
        // 3 patterns x 52 weeks x 100 kB: the body is ~15.6 MB, but its chunks either share a
        // pattern's rendered object or stay near the chunk size.
        assert!(whole.enveloped().len() > 15_000_000);
        let plan = Arc::new(EvolutionPlan::new(&window, start, now, &patterns, params).unwrap());
        let rendered: Vec<*const u8> = plan
            .rendered_patterns()
            .iter()
            .map(|p| p.as_str().as_ptr())
            .collect();
        for chunk in plan.clone().chunked(Envelope::NONE) {
            assert!(
                rendered.contains(&chunk.as_ptr()) || chunk.len() <= 64 * 1024,
                "a copied chunk of {} bytes",
                chunk.len()
            );
        }
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
            let params = EvolutionParams::new(weeks, None).unwrap();
            let window = WeekWindow::rolling(n, weeks).unwrap();
            let start = at(window.start_ms());
            let ours = whole_and_chunked(&window, start, now, &patterns, params);
            assert_eq!(
                ours.payload(),
                oracle(&window, start, now, &patterns, params),
                "{weeks} weeks"
            );
            let typed: PatternEvolution = serde_json::from_str(ours.payload()).unwrap();
            assert_eq!(
                typed,
                PatternEvolution::build(&window, start, now, &patterns, params).unwrap(),
                "the payload reads back as the typed answer"
            );
            if weeks == 12 {
                let last = typed.evolution.last().unwrap();
                assert_eq!(last.week_number, 12);
                assert!(last.patterns.iter().any(|p| p.status == Status::New));
            }
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
        let params = EvolutionParams::new(12, Some(PatternType::AttentionCycle)).unwrap();
        let window = WeekWindow::rolling(n, 12).unwrap();
        let start = at(window.start_ms());
        let ours = whole_and_chunked(&window, start, now, &[], params);
        assert_eq!(ours.payload(), oracle(&window, start, now, &[], params));
    }
}

//! GET pattern evolution.
//!
//! A pattern is listed in every week it spans (about four of twelve on the benchmark workloads
//! of docs/performance.md), so the answer repeats each pattern's JSON several times. Each
//! pattern is serialised once, as the fields before its status, and that text is reused in
//! every week; the rest of the document (week headers, meta) is serialised with serde as
//! usual. A test checks the result byte for byte against plain serde serialisation of the same
//! document, and the chunked form (for answers over the cache's entry cap) against the whole.

use std::sync::Arc;

use insights_model::{PatternType, TimelinePattern, Timestamp};
use insights_week_buckets::{Span, StatusRule, Timeline, WeekWindow};
use serde::Serialize;

use insights_week_buckets::Status;

use crate::answer::{Answer, ChunkedBody, Piece, PieceSource, SharedText};
use crate::cache::{CacheKey, CacheValue};
use crate::{EvolutionParams, Insights, Json, ServiceError, json};

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

/// An evolution payload laid out once: each pattern's JSON object rendered once (it appears in
/// every week it spans), and per week the patterns it lists with their status. The text is
/// produced piece by piece ([`PieceSource`]), either into one [`Json`] (small answers, cached)
/// or as a [`ChunkedBody`] (large ones): the memory an answer needs is then the rendered
/// patterns once, however many weeks repeat them. Both are the same bytes.
pub(crate) struct EvolutionPlan {
    /// `{"id":…,"metadata":[…]` per pattern (open: the status follows).
    patterns: Vec<SharedText>,
    weeks: Vec<PlannedWeek>,
    /// `],"meta":{…}}`: the end of the payload.
    close: String,
    /// Exact payload length in bytes.
    len: usize,
}

struct PlannedWeek {
    /// `{"weekNumber":…,"weekEnd":"…","patterns":[`, with a leading `,` after the first week.
    open: String,
    /// (pattern index, status) in input order.
    entries: Vec<(u32, Status)>,
}

/// Where a walk over an [`EvolutionPlan`]'s pieces stands.
#[derive(Default)]
pub(crate) struct PlanCursor {
    started: bool,
    week: usize,
    in_week: bool,
    entry: usize,
    step: EntryStep,
    done: bool,
}

/// The three pieces of a week's entry: separator, pattern object, status tail.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
enum EntryStep {
    #[default]
    Separator,
    Object,
    Status,
}

const OPEN: &str = r#"{"evolution":["#;
const WEEK_CLOSE: &str = "]}";

/// `,"status":"…"}` closes a pattern's object in a week.
fn status_tail(status: Status) -> &'static str {
    match status {
        Status::New => r#","status":"new"}"#,
        Status::Existing => r#","status":"existing"}"#,
        Status::Disappeared => r#","status":"disappeared"}"#,
    }
}

impl PieceSource for EvolutionPlan {
    type Cursor = PlanCursor;

    fn next_piece<'s>(&'s self, c: &mut PlanCursor) -> Option<Piece<'s>> {
        if c.done {
            return None;
        }
        if !c.started {
            c.started = true;
            return Some(Piece::Text(OPEN));
        }
        loop {
            let Some(week) = self.weeks.get(c.week) else {
                c.done = true;
                return Some(Piece::Text(&self.close));
            };
            if !c.in_week {
                c.in_week = true;
                c.entry = 0;
                c.step = EntryStep::Separator;
                return Some(Piece::Text(&week.open));
            }
            let Some(&(pattern, status)) = week.entries.get(c.entry) else {
                c.in_week = false;
                c.week += 1;
                return Some(Piece::Text(WEEK_CLOSE));
            };
            match c.step {
                EntryStep::Separator => {
                    c.step = EntryStep::Object;
                    if c.entry > 0 {
                        return Some(Piece::Text(","));
                    }
                }
                EntryStep::Object => {
                    c.step = EntryStep::Status;
                    // Indices come from the timeline built over the same patterns, so the
                    // lookup always succeeds.
                    if let Some(object) = self.patterns.get(pattern as usize) {
                        return Some(Piece::Shared(object));
                    }
                }
                EntryStep::Status => {
                    c.step = EntryStep::Separator;
                    c.entry += 1;
                    return Some(Piece::Text(status_tail(status)));
                }
            }
        }
    }
}

impl EvolutionPlan {
    /// Lays out the answer for `patterns` over `window` (the rows can be dropped afterwards).
    fn new(
        window: &WeekWindow,
        start: Timestamp,
        now: Timestamp,
        patterns: &[TimelinePattern],
        params: EvolutionParams,
    ) -> Result<Self, ServiceError> {
        let rendered = patterns
            .iter()
            .map(|p| {
                open_object(&EntryFields {
                    id: &p.id,
                    pattern_type: p.pattern_type,
                    confidence: p.confidence,
                    metadata: &p.evidence,
                })
                .map(SharedText::from)
            })
            .collect::<Result<Vec<_>, ServiceError>>()?;
        let timeline = Timeline::build(window, StatusRule::Fixed, patterns, |p| {
            Span::new(p.detected_at.unix_millis(), p.last_seen_at.unix_millis())
        })?;
        let mut weeks = Vec::with_capacity(timeline.weeks().len());
        for (i, bucket) in timeline.weeks().enumerate() {
            let fields = WeekFields {
                week_number: bucket.number(),
                week_start: Timestamp::from_unix_millis(bucket.start_ms())?,
                week_end: Timestamp::from_unix_millis(bucket.end_ms())?,
            };
            let mut open = String::with_capacity(120);
            if i > 0 {
                open.push(',');
            }
            open.push_str(&open_object(&fields)?);
            open.push_str(r#","patterns":["#);
            let entries = bucket
                .presences()
                .map(|p| {
                    u32::try_from(p.item_index())
                        .map(|index| (index, p.status()))
                        .map_err(|_| ServiceError::Internal("more patterns than u32 indexes"))
                })
                .collect::<Result<Vec<_>, ServiceError>>()?;
            weeks.push(PlannedWeek { open, entries });
        }
        let meta = Meta::new(start, now, patterns.len(), params);
        let close = format!(
            r#"],"meta":{}}}"#,
            serde_json::to_string(&meta).map_err(ServiceError::encode)?
        );
        let mut plan = Self {
            patterns: rendered,
            weeks,
            close,
            len: 0,
        };
        plan.len = plan.measure();
        Ok(plan)
    }

    /// The payload's length, summed over its pieces.
    fn measure(&self) -> usize {
        let mut cursor = PlanCursor::default();
        let mut len = 0;
        while let Some(piece) = self.next_piece(&mut cursor) {
            len += match piece {
                Piece::Text(text) => text.len(),
                Piece::Shared(text) => text.as_str().len(),
            };
        }
        len
    }

    /// The enveloped body's length.
    fn enveloped_len(&self) -> usize {
        json::HEAD.len() + self.len + json::TAIL.len()
    }

    /// The whole answer as one value.
    fn to_json(&self) -> Result<Json, ServiceError> {
        Json::build(self.len, |out| {
            let mut cursor = PlanCursor::default();
            while let Some(piece) = self.next_piece(&mut cursor) {
                match piece {
                    Piece::Text(text) => out.push_str(text),
                    Piece::Shared(text) => out.push_str(text.as_str()),
                }
            }
            Ok(())
        })
    }

    /// The answer as a chunked body.
    pub(crate) fn chunked(self: Arc<Self>) -> ChunkedBody {
        let len = self.enveloped_len();
        ChunkedBody::new(self, json::HEAD, json::TAIL, len)
    }
}

impl Insights {
    /// The user's patterns week by week over the last `weeks` rolling weeks, with the overlap
    /// predicate `detectedAt <= end AND lastSeenAt >= start` and a pattern last seen in the
    /// final week counted as active (see docs/compatibility.md). Cached per (user, weeks,
    /// type); a hit keeps the week boundaries of the miss, as the original did.
    ///
    /// Always the whole value; a server should prefer [`Insights::pattern_evolution_answer`],
    /// which streams answers too large to cache.
    pub async fn pattern_evolution(
        &self,
        user: &str,
        params: &EvolutionParams,
    ) -> Result<Json, ServiceError> {
        Ok(self
            .pattern_evolution_answer(user, params)
            .await?
            .into_json())
    }

    /// [`Insights::pattern_evolution`] as an [`Answer`]: whole (and cached) up to the cache's
    /// per-entry cap, and chunked beyond it, so that a user whose patterns span many weeks
    /// with long evidence never makes the server hold the answer whole.
    pub async fn pattern_evolution_answer(
        &self,
        user: &str,
        params: &EvolutionParams,
    ) -> Result<Answer, ServiceError> {
        let params = *params;
        let key = CacheKey::Evolution {
            user: Arc::from(user),
            weeks: params.weeks(),
            pattern_type: params.pattern_type(),
        };
        let max_whole = self.cache.max_entry_bytes();
        let value = self
            .cache
            .get_or_load(key, user, || async {
                let now = Timestamp::now();
                let window = WeekWindow::rolling(now.unix_millis(), params.weeks())?;
                let start = Timestamp::from_unix_millis(window.start_ms())?;
                let patterns = self
                    .routing
                    .reader(user)
                    .patterns_overlapping(user, start, now, params.pattern_type())
                    .await?;
                let plan = EvolutionPlan::new(&window, start, now, &patterns, params)?;
                // The rows are no longer needed: only the rendered patterns stay.
                drop(patterns);
                if plan.enveloped_len() <= max_whole {
                    plan.to_json().map(CacheValue::Json)
                } else {
                    // Too large to cache: concurrent callers of this key share the plan, and
                    // each response walks it.
                    Ok(CacheValue::Evolution(Arc::new(plan)))
                }
            })
            .await?;
        value.into_answer()
    }
}

/// The JSON object of `fields` without its closing brace, so more members can follow.
fn open_object<T: Serialize>(fields: &T) -> Result<String, ServiceError> {
    let mut text = serde_json::to_string(fields).map_err(ServiceError::encode)?;
    // A struct with at least one field serialises as `{…}`; dropping the `}` leaves `{…`.
    if text.pop() != Some('}') {
        return Err(ServiceError::Internal(
            "a struct did not serialise as a JSON object",
        ));
    }
    Ok(text)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use bytes::Bytes;
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

    /// The plan's whole text, after checking that its chunked body is the same bytes.
    fn whole_and_chunked(
        window: &WeekWindow,
        start: Timestamp,
        now: Timestamp,
        patterns: &[TimelinePattern],
        params: EvolutionParams,
    ) -> Json {
        let plan = Arc::new(EvolutionPlan::new(window, start, now, patterns, params).unwrap());
        let whole = plan.to_json().unwrap();
        let body = plan.clone().chunked();
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
        let rendered: Vec<*const u8> = plan.patterns.iter().map(|p| p.as_str().as_ptr()).collect();
        for chunk in plan.clone().chunked() {
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

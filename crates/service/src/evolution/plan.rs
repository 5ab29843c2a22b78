//! The rendered evolution answer, laid out once: [`EvolutionPlan`].
//!
//! A pattern is listed in every week it spans (about four of twelve on the benchmark workloads
//! of docs/performance.md), so the answer repeats each pattern's JSON several times. Each
//! pattern is serialised once, as the fields before its status, and that text is reused in
//! every week; the rest of the document (week headers, meta) is serialised with serde as
//! usual. A test checks the result byte for byte against serde's serialisation of the typed
//! [`PatternEvolution`](super::PatternEvolution), and the chunked form (for answers over the
//! cache's entry cap) against the whole.

use std::sync::Arc;

use insights_model::{PatternType, TimelinePattern, Timestamp};
use insights_week_buckets::{Status, WeekWindow};
use serde::Serialize;

use super::report::{EvolutionMeta, timeline};
use crate::answer::{ChunkedBody, Piece, PieceSource, SharedText};
use crate::{Envelope, EvolutionParams, RenderedJson, ServiceError};

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

/// An evolution payload laid out once: each pattern's JSON object rendered once (it appears in
/// every week it spans), and per week the patterns it lists with their status. The text is
/// produced piece by piece ([`PieceSource`]), either into one [`RenderedJson`] (small answers, cached)
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
    pub(crate) fn new(
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
        let timeline = timeline(window, patterns)?;
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
        let meta = EvolutionMeta::new(start, now, patterns.len(), params);
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

    /// The payload's length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The whole answer as one value inside `envelope`.
    pub(crate) fn to_json(&self, envelope: Envelope) -> Result<RenderedJson, ServiceError> {
        RenderedJson::build(envelope, self.len, |out| {
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

    /// The answer as a chunked body inside `envelope`.
    pub(crate) fn chunked(self: Arc<Self>, envelope: Envelope) -> ChunkedBody {
        let len = self.len;
        ChunkedBody::new(self, envelope, len)
    }

    /// The rendered patterns (each shared by every week that lists it).
    #[cfg(test)]
    pub(crate) fn rendered_patterns(&self) -> &[SharedText] {
        &self.patterns
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

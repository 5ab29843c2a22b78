//! Ingestion writes: new patterns, insights and study sessions for a user. Each batch is
//! validated whole before anything is written, written in multi-row statements, and then the
//! user's cached responses are invalidated so the next GET sees the new data.

use insights_model::{NewInsight, NewPattern, NewStudySession, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::limits::{
    MAX_EVIDENCE_CHARS, MAX_EVIDENCE_ITEMS, MAX_INSIGHT_TEXT_CHARS, MAX_INSIGHT_TITLE_CHARS,
    MAX_PATTERN_DATA_BYTES, MAX_PATTERN_NAME_CHARS,
};
use crate::{IngestBatch, InsightInput, Insights, PatternInput, ServiceError, SessionInput, text};

fn check_confidence(i: usize, c: f64) -> Result<(), ServiceError> {
    if c.is_finite() && (0.0..=1.0).contains(&c) {
        Ok(())
    } else {
        Err(ServiceError::validation(
            &format!("items[{i}].confidence"),
            "confidence must be between 0 and 1",
        ))
    }
}

fn check_non_negative(i: usize, field: &str, v: Option<i32>) -> Result<i32, ServiceError> {
    match v {
        Some(n) if n < 0 => Err(ServiceError::validation(
            &format!("items[{i}].{field}"),
            format!("{field} must not be negative"),
        )),
        other => Ok(other.unwrap_or(0)),
    }
}

/// Rows added by an ingestion; serialised, the API's `data` payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ingested {
    /// How many rows were added.
    pub created: usize,
    /// Their ids, in the batch's order.
    pub ids: Vec<String>,
}

impl Ingested {
    fn new(ids: Vec<String>) -> Self {
        Self {
            created: ids.len(),
            ids,
        }
    }
}

impl Insights {
    /// Adds behavioral patterns for `user`.
    pub async fn ingest_patterns(
        &self,
        user: &str,
        batch: IngestBatch<PatternInput>,
    ) -> Result<Ingested, ServiceError> {
        let now = Timestamp::now();
        let mut rows = Vec::new();
        for (i, item) in batch.into_items().into_iter().enumerate() {
            check_confidence(i, item.confidence)?;
            // PostgreSQL text/jsonb cannot hold U+0000 (see `text`).
            if let Some(name) = &item.pattern_name {
                let field = format!("items[{i}].patternName");
                text::check(&field, name)?;
                text::check_length(&field, name, MAX_PATTERN_NAME_CHARS)?;
            }
            if item.evidence.len() > MAX_EVIDENCE_ITEMS {
                return Err(ServiceError::validation(
                    &format!("items[{i}].evidence"),
                    format!("evidence must have at most {MAX_EVIDENCE_ITEMS} items"),
                ));
            }
            for evidence in &item.evidence {
                let field = format!("items[{i}].evidence");
                text::check(&field, evidence)?;
                text::check_length(&field, evidence, MAX_EVIDENCE_CHARS)?;
            }
            if let Some(data) = &item.pattern_data {
                let field = format!("items[{i}].patternData");
                text::check_json(&field, data)?;
                // The body limit bounds this too; serialising it again is cheap at that size.
                let size = serde_json::to_vec(data).map_or(usize::MAX, |v| v.len());
                if size > MAX_PATTERN_DATA_BYTES {
                    return Err(ServiceError::validation(
                        &field,
                        format!(
                            "patternData must be at most {MAX_PATTERN_DATA_BYTES} bytes of JSON"
                        ),
                    ));
                }
            }
            let detected_at = item.detected_at.unwrap_or(now);
            let last_seen_at = item.last_seen_at.unwrap_or(detected_at);
            if last_seen_at < detected_at {
                return Err(ServiceError::validation(
                    &format!("items[{i}].lastSeenAt"),
                    "lastSeenAt must not be before detectedAt",
                ));
            }
            rows.push(NewPattern {
                user_id: user.to_owned(),
                pattern_type: item.pattern_type,
                pattern_data: item.pattern_data.unwrap_or_else(|| json!({})),
                confidence: item.confidence,
                pattern_name: item.pattern_name,
                evidence: item.evidence,
                occurrence_count: check_non_negative(i, "occurrenceCount", item.occurrence_count)?,
                detected_at,
                last_seen_at,
            });
        }
        let ids = self.primary().insert_patterns(&rows).await?;
        self.invalidate_user(user).await;
        Ok(Ingested::new(ids))
    }

    /// Adds unacknowledged behavioral insights for `user`.
    pub async fn ingest_insights(
        &self,
        user: &str,
        batch: IngestBatch<InsightInput>,
    ) -> Result<Ingested, ServiceError> {
        let mut rows = Vec::new();
        for (i, item) in batch.into_items().into_iter().enumerate() {
            check_confidence(i, item.confidence)?;
            // PostgreSQL text cannot hold U+0000 (see `text`).
            for (field, value, max_chars) in [
                ("title", &item.title, MAX_INSIGHT_TITLE_CHARS),
                ("description", &item.description, MAX_INSIGHT_TEXT_CHARS),
                (
                    "actionableRecommendation",
                    &item.actionable_recommendation,
                    MAX_INSIGHT_TEXT_CHARS,
                ),
            ] {
                let field = format!("items[{i}].{field}");
                text::check(&field, value)?;
                text::check_length(&field, value, max_chars)?;
            }
            rows.push(NewInsight {
                user_id: user.to_owned(),
                insight_type: item.insight_type,
                title: item.title,
                description: item.description,
                actionable_recommendation: item.actionable_recommendation,
                confidence: item.confidence,
            });
        }
        let ids = self
            .primary()
            .insert_insights(&rows, Timestamp::now())
            .await?;
        self.invalidate_user(user).await;
        Ok(Ingested::new(ids))
    }

    /// Adds study sessions for `user` (creating the user row if the database has none).
    pub async fn ingest_sessions(
        &self,
        user: &str,
        batch: IngestBatch<SessionInput>,
    ) -> Result<Ingested, ServiceError> {
        let mut rows = Vec::new();
        for (i, item) in batch.into_items().into_iter().enumerate() {
            if item.completed_at.is_some_and(|c| c < item.started_at) {
                return Err(ServiceError::validation(
                    &format!("items[{i}].completedAt"),
                    "completedAt must not be before startedAt",
                ));
            }
            let duration_ms = match item.duration_ms {
                Some(d) if d < 0 => {
                    return Err(ServiceError::validation(
                        &format!("items[{i}].durationMs"),
                        "durationMs must not be negative",
                    ));
                }
                other => other,
            };
            rows.push(NewStudySession {
                user_id: user.to_owned(),
                started_at: item.started_at,
                completed_at: item.completed_at,
                duration_ms,
                reviews_completed: check_non_negative(
                    i,
                    "reviewsCompleted",
                    item.reviews_completed,
                )?,
                new_cards_studied: check_non_negative(
                    i,
                    "newCardsStudied",
                    item.new_cards_studied,
                )?,
            });
        }
        // study_sessions has a foreign key to users.
        self.primary()
            .ensure_user(user, None, None, Timestamp::now())
            .await?;
        let ids = self.primary().insert_sessions(&rows).await?;
        self.invalidate_user(user).await;
        Ok(Ingested::new(ids))
    }
}

//! Typed write requests: how to apply a recommendation, and the items of an ingestion batch.
//! Their JSON wire forms convert into them with `TryFrom<serde_json::Value>` ([`crate::wire`]);
//! the items also deserialise directly (camelCase names, unknown fields refused).

use insights_model::{ApplicationType, InsightType, PatternType, Timestamp};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::ServiceError;

/// How to apply a recommendation ([`Insights::apply`](crate::Insights::apply)).
///
/// `settings` are only used with [`ApplicationType::Auto`], which writes them to the learning
/// profile; `apply` checks them then, and ignores them with the other types, as the original
/// did.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyParams {
    /// How the user applies it.
    pub application_type: ApplicationType,
    /// Profile settings to write (AUTO only), e.g. `{"preferredStudyTime": "07:00"}`.
    pub settings: Option<Map<String, Value>>,
}

impl ApplyParams {
    /// An application of `application_type` without settings.
    pub fn new(application_type: ApplicationType) -> Self {
        Self {
            application_type,
            settings: None,
        }
    }

    /// The same with `settings`.
    pub fn with_settings(mut self, settings: Map<String, Value>) -> Self {
        self.settings = Some(settings);
        self
    }
}

/// Most items one ingestion batch may carry.
pub const MAX_ITEMS_PER_REQUEST: usize = 1_000;

/// 1..=[`MAX_ITEMS_PER_REQUEST`] items to ingest at once; each batch is validated whole before
/// anything is written.
///
/// ```
/// use insights_service::{IngestBatch, PatternInput, PatternType};
/// let batch = IngestBatch::new(vec![PatternInput::new(PatternType::AttentionCycle, 0.8)]).unwrap();
/// assert_eq!(batch.items().len(), 1);
/// assert!(IngestBatch::<PatternInput>::new(vec![]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IngestBatch<T> {
    items: Vec<T>,
}

impl<T> IngestBatch<T> {
    /// A batch of `items`: at least one, at most [`MAX_ITEMS_PER_REQUEST`].
    pub fn new(items: Vec<T>) -> Result<Self, ServiceError> {
        check_count(items.len())?;
        Ok(Self { items })
    }

    /// The items, in order.
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The items, in order.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }
}

/// The batch size rule, shared with the wire form (which checks it before parsing items).
pub(crate) fn check_count(count: usize) -> Result<(), ServiceError> {
    if count == 0 || count > MAX_ITEMS_PER_REQUEST {
        return Err(ServiceError::validation(
            "items",
            format!("between 1 and {MAX_ITEMS_PER_REQUEST} items per request"),
        ));
    }
    Ok(())
}

/// A behavioral pattern to add. Limits: [`crate::limits`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatternInput {
    /// What the pattern describes.
    pub pattern_type: PatternType,
    /// 0..=1.
    pub confidence: f64,
    /// The detector's data (a JSON value; `{}` when absent).
    #[serde(default)]
    pub pattern_data: Option<Value>,
    /// A display name.
    #[serde(default)]
    pub pattern_name: Option<String>,
    /// Human-readable evidence.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// How often it was seen (not negative; 0 when absent).
    #[serde(default)]
    pub occurrence_count: Option<i32>,
    /// When it was detected (now when absent).
    #[serde(default)]
    pub detected_at: Option<Timestamp>,
    /// When it was last seen (`detected_at` when absent; not before it).
    #[serde(default)]
    pub last_seen_at: Option<Timestamp>,
}

impl PatternInput {
    /// A pattern of `pattern_type` with `confidence`, detected now, everything else empty.
    pub fn new(pattern_type: PatternType, confidence: f64) -> Self {
        Self {
            pattern_type,
            confidence,
            pattern_data: None,
            pattern_name: None,
            evidence: Vec::new(),
            occurrence_count: None,
            detected_at: None,
            last_seen_at: None,
        }
    }
}

/// An unacknowledged behavioral insight to add. Limits: [`crate::limits`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InsightInput {
    /// Its kind.
    pub insight_type: InsightType,
    /// A short title.
    pub title: String,
    /// What was found.
    pub description: String,
    /// What to do about it.
    pub actionable_recommendation: String,
    /// 0..=1.
    pub confidence: f64,
}

/// A study session to add.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SessionInput {
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended (not before it started).
    #[serde(default)]
    pub completed_at: Option<Timestamp>,
    /// Its length (not negative).
    #[serde(default)]
    pub duration_ms: Option<i32>,
    /// Reviews done (not negative; 0 when absent).
    #[serde(default)]
    pub reviews_completed: Option<i32>,
    /// New cards studied (not negative; 0 when absent).
    #[serde(default)]
    pub new_cards_studied: Option<i32>,
}

impl SessionInput {
    /// A session that started at `started_at`, everything else empty.
    pub fn new(started_at: Timestamp) -> Self {
        Self {
            started_at,
            completed_at: None,
            duration_ms: None,
            reviews_completed: None,
            new_cards_studied: None,
        }
    }
}

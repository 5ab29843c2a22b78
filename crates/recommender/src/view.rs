//! The recommendation list the front end reads: the original's items plus the fields its front
//! end expects (docs/compatibility.md, section 5).
//!
//! Items keep every raw row field and add what the original panel needs and the original API
//! never sent: `category`, `priority`, `evidence` and `actionable`.

use std::cmp::Ordering;
use std::collections::HashSet;

use insights_model::{BehavioralPattern, Recommendation, RecommendationCategory};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One recommendation as the API returns it: the row's fields, flattened, plus the front-end
/// fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationView {
    /// The raw row (all its fields appear at the top level of the JSON object).
    #[serde(flatten)]
    pub row: Recommendation,
    /// Card category, from the type (`RecommendationType::category`).
    pub category: RecommendationCategory,
    /// Equal to `priorityScore`; the panel sorts by it.
    pub priority: f64,
    /// The source patterns' evidence strings, in `sourcePatternIds` order; `[]` when no
    /// source pattern is known.
    pub evidence: Vec<String>,
    /// True while the recommendation is neither applied nor dismissed.
    pub actionable: bool,
}

/// The strings of an `evidence` value: the elements of a string array (the HEAD shape).
/// Anything else (a legacy object, a JSON string) gives no strings.
pub fn evidence_strings(evidence: &Value) -> Vec<String> {
    match evidence {
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

impl RecommendationView {
    /// Builds the view of `row`, taking evidence from whichever of its source patterns are in
    /// `patterns` (patterns not found contribute nothing).
    pub fn new(row: Recommendation, patterns: &[BehavioralPattern]) -> Self {
        let evidence = row
            .source_pattern_ids
            .iter()
            .filter_map(|id| patterns.iter().find(|p| &p.id == id))
            .flat_map(|p| evidence_strings(&p.evidence))
            .collect();
        Self {
            category: row.recommendation_type.category(),
            priority: row.priority_score,
            actionable: row.is_active(),
            evidence,
            row,
        }
    }
}

/// What the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    /// Also show applied (not dismissed) recommendations.
    pub include_applied: bool,
    /// At most this many items (the server validates 1..=20).
    pub limit: usize,
}

/// The `data` payload of GET recommendations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecommendationList {
    /// The items, highest priority first.
    pub recommendations: Vec<RecommendationView>,
    /// Number of items returned (after the limit).
    pub count: usize,
    /// Number of items that qualified (before the limit).
    pub total: usize,
}

/// Priority descending, then oldest first, then id: a total order, so the list is the same on
/// every request whatever order the rows came in.
fn list_order(a: &Recommendation, b: &Recommendation) -> Ordering {
    b.priority_score
        .total_cmp(&a.priority_score)
        .then_with(|| a.created_at.cmp(&b.created_at))
        .then_with(|| a.id.cmp(&b.id))
}

/// Selects and orders the list: rows neither dismissed nor (unless `include_applied`)
/// applied, each id once, by `priorityScore` DESC (ties: `createdAt` ASC, then `id`); `total`
/// counts them before `limit` cuts the list. `patterns` supplies evidence (pass the user's
/// patterns, or none).
pub fn select_recommendations(
    rows: Vec<Recommendation>,
    patterns: &[BehavioralPattern],
    query: ListQuery,
) -> RecommendationList {
    let mut seen = HashSet::new();
    let mut shown: Vec<Recommendation> = rows
        .into_iter()
        .filter(|r| r.dismissed_at.is_none() && (query.include_applied || r.applied_at.is_none()))
        .filter(|r| seen.insert(r.id.clone()))
        .collect();
    shown.sort_by(list_order);
    let total = shown.len();
    shown.truncate(query.limit);
    let recommendations: Vec<_> = shown
        .into_iter()
        .map(|r| RecommendationView::new(r, patterns))
        .collect();
    RecommendationList {
        count: recommendations.len(),
        total,
        recommendations,
    }
}

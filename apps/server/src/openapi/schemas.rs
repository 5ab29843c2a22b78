//! JSON schemas of the request bodies. Every limit the service enforces is declared here from
//! the service's own constant ([`insights_service::limits`]), so schema-driven clients stay in
//! range and the numbers live in one place.

use insights_model::{ApplicationType, InsightType, PatternType};
use insights_service::limits::{
    MAX_EVIDENCE_CHARS, MAX_EVIDENCE_ITEMS, MAX_INSIGHT_TEXT_CHARS, MAX_INSIGHT_TITLE_CHARS,
    MAX_ITEMS_PER_REQUEST, MAX_PATTERN_DATA_BYTES, MAX_PATTERN_NAME_CHARS,
};
use serde_json::{Value, json};

/// Accepted `optimalSessionDuration` minutes of an AUTO apply. The recommender, which checks
/// it, is not a dependency of the server; the HTTP test `routes::limits_in_the_document_are_the_services`
/// compares the two.
pub const SESSION_MINUTES: (i64, i64) = (1, 600);

/// The ingestion body: a JSON array of `item`s, or `{"items": [...]}`.
fn items_schema(item: Value) -> Value {
    let items = json!({
        "type": "array", "minItems": 1, "maxItems": MAX_ITEMS_PER_REQUEST, "items": item,
    });
    json!({"oneOf": [items, {"type": "object", "required": ["items"], "properties": {"items": items}}]})
}

/// Describes an ingestion body.
pub fn items_description() -> String {
    format!("A JSON array of items, or {{\"items\": [...]}}; 1 to {MAX_ITEMS_PER_REQUEST} items.")
}

/// Client text: PostgreSQL `text` cannot hold U+0000, so the server rejects it (400).
fn text() -> Value {
    json!({"type": "string", "pattern": "^[^\\u0000]*$"})
}

/// [`text`] of at most `max` characters (JSON Schema counts code points, as the service does).
fn text_up_to(max: usize) -> Value {
    let mut schema = text();
    schema["maxLength"] = json!(max);
    schema
}

/// An instant in a body, as in the effectiveness query (see [`super::date_query`]).
fn instant() -> Value {
    json!({"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]})
}

/// A non-negative count (an `i32` column).
fn count() -> Value {
    json!({"type": ["integer", "null"], "minimum": 0, "maximum": i32::MAX})
}

fn confidence() -> Value {
    json!({"type": "number", "minimum": 0, "maximum": 1})
}

fn nullable(mut schema: Value) -> Value {
    schema["type"] = json!([schema["type"].clone(), "null"]);
    schema
}

/// `POST …/patterns`.
pub fn patterns() -> Value {
    items_schema(json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["patternType", "confidence"],
        "properties": {
            "patternType": {"type": "string", "enum": PatternType::NAMES},
            "confidence": confidence(),
            "patternData": {"description": format!(
                "Any JSON of at most {MAX_PATTERN_DATA_BYTES} bytes (compact); no U+0000 in any \
                 key or string (400)."
            )},
            "patternName": nullable(text_up_to(MAX_PATTERN_NAME_CHARS)),
            "evidence": {
                "type": "array",
                "maxItems": MAX_EVIDENCE_ITEMS,
                "items": text_up_to(MAX_EVIDENCE_CHARS),
            },
            "occurrenceCount": count(),
            "detectedAt": nullable(instant()),
            "lastSeenAt": nullable(instant()),
        },
        "description": "lastSeenAt must not be before detectedAt (default: now) (400).",
    }))
}

/// `POST …/insights`.
pub fn insights() -> Value {
    items_schema(json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["insightType", "title", "description", "actionableRecommendation", "confidence"],
        "properties": {
            "insightType": {"type": "string", "enum": InsightType::NAMES},
            "title": text_up_to(MAX_INSIGHT_TITLE_CHARS),
            "description": text_up_to(MAX_INSIGHT_TEXT_CHARS),
            "actionableRecommendation": text_up_to(MAX_INSIGHT_TEXT_CHARS),
            "confidence": confidence(),
        },
    }))
}

/// `POST …/sessions`.
pub fn sessions() -> Value {
    items_schema(json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["startedAt"],
        "properties": {
            "startedAt": instant(),
            "completedAt": nullable(instant()),
            "durationMs": count(),
            "reviewsCompleted": count(),
            "newCardsStudied": count(),
        },
        "description": "completedAt must not be before startedAt (400).",
    }))
}

/// Describes the apply body.
pub fn apply_description() -> String {
    let types = ApplicationType::NAMES
        .iter()
        .map(|t| format!("\"{t}\""))
        .collect::<Vec<_>>()
        .join("|");
    format!("{{\"applicationType\": {types}, \"settings\"?: object}}")
}

/// `POST …/recommendations/{id}/apply`.
pub fn apply() -> Value {
    let (min_minutes, max_minutes) = SESSION_MINUTES;
    json!({
        "type": "object",
        "required": ["applicationType"],
        "properties": {
            "applicationType": {"type": "string", "enum": ApplicationType::NAMES},
            "settings": {
                "type": "object",
                "description": "Read only with AUTO (then only the four profile fields below, no U+0000 in any key or string, else 400); the other application types ignore it.",
            },
        },
        "if": {"properties": {"applicationType": {"const": ApplicationType::Auto.as_str()}}},
        "then": {
            "properties": {
                "settings": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "preferredStudyTimes": {"type": "array", "items": {"type": "object"}},
                        "optimalSessionDuration": {
                            "type": "integer", "minimum": min_minutes, "maximum": max_minutes,
                        },
                        "contentPreferences": {"type": "object"},
                        "personalizedForgettingCurve": {"type": "object"},
                    },
                },
            },
        },
    })
}

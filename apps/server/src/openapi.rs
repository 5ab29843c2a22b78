//! The OpenAPI 3.1 document served at `/openapi.json`, built from [`ROUTES`], a table next to
//! the route constants. It is hand-built rather than derived (utoipa) because every handler
//! returns pre-rendered JSON text from the service, so there are no response types to derive
//! from; a test checks that every documented route is registered.

use insights_model::{InsightType, PatternType};
use serde_json::{Value, json};

use crate::routes;

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum In {
    /// `?name=` in the query string.
    Query,
    /// `{name}` in the path.
    Path,
}

/// One documented parameter.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The name as sent.
    pub name: &'static str,
    /// Query or path.
    pub location: In,
    /// Whether it must be present.
    pub required: bool,
    /// JSON-schema type of the value (`string`, `integer`, `boolean`).
    pub kind: &'static str,
    /// Allowed values, when it is an enum.
    pub values: &'static [&'static str],
    /// What it means, default and range.
    pub description: &'static str,
    /// Inclusive bounds of an integer parameter.
    pub range: Option<(i64, i64)>,
    /// JSON-schema `format`s a string parameter may take (any one of them), when constrained.
    pub formats: &'static [&'static str],
}

/// One documented route.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    /// `get` or `post`.
    pub method: &'static str,
    /// The path, `{id}` style.
    pub path: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Whether a bearer token is required.
    pub auth: bool,
    /// Parameters.
    pub params: &'static [Param],
    /// A JSON request body.
    pub body: Option<Body>,
}

/// A documented request body.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    /// One line.
    pub description: &'static str,
    /// Its JSON schema (a function because `serde_json::Value` cannot be built in a const).
    pub schema: fn() -> Value,
}

const fn query(
    name: &'static str,
    kind: &'static str,
    values: &'static [&'static str],
    description: &'static str,
) -> Param {
    Param {
        name,
        location: In::Query,
        required: false,
        kind,
        values,
        description,
        range: None,
        formats: &[],
    }
}

/// An integer query parameter with inclusive bounds.
const fn int_query(name: &'static str, min: i64, max: i64, description: &'static str) -> Param {
    Param {
        range: Some((min, max)),
        ..query(name, "integer", &[], description)
    }
}

/// An instant query parameter, as `Timestamp::parse` accepts it: an RFC 3339 `date-time`
/// (`2025-10-01T00:00:00Z`, fractional seconds, `±hh:mm` offsets; the parser also takes a
/// lowercase `t`/`z`, any single character between date and time, and a leap second) or a bare
/// RFC 3339 `full-date` `YYYY-MM-DD` (UTC midnight). Declared as `anyOf` the two JSON-schema
/// formats, the strict subset every client can generate; anything else is a 400.
const fn date_query(name: &'static str, description: &'static str) -> Param {
    Param {
        formats: &["date", "date-time"],
        ..query(name, "string", &[], description)
    }
}

const USER_ID: Param = query(
    "userId",
    "string",
    &[],
    "Whose data; default the caller. Another user's id needs a service token (else 403).",
);
const PATTERN_TYPES: &[&str] = PatternType::NAMES;
const INSIGHT_TYPES: &[&str] = InsightType::NAMES;

/// A JSON array of 1 to 1,000 `item`s, or `{"items": [...]}` (crates/service/src/ingest.rs).
fn items_schema(item: Value) -> Value {
    let items = json!({"type": "array", "minItems": 1, "maxItems": 1000, "items": item});
    json!({"oneOf": [items, {"type": "object", "required": ["items"], "properties": {"items": items}}]})
}

/// Client text: PostgreSQL `text` cannot hold U+0000, so the server rejects it (400).
fn text() -> Value {
    json!({"type": "string", "pattern": "^[^\\u0000]*$"})
}

/// An instant in a body, as in the effectiveness query (see [`date_query`]).
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

fn patterns_schema() -> Value {
    items_schema(json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["patternType", "confidence"],
        "properties": {
            "patternType": {"type": "string", "enum": PATTERN_TYPES},
            "confidence": confidence(),
            "patternData": {"description": "Any JSON; no U+0000 in any key or string (400)."},
            "patternName": nullable(text()),
            "evidence": {"type": "array", "items": text()},
            "occurrenceCount": count(),
            "detectedAt": nullable(instant()),
            "lastSeenAt": nullable(instant()),
        },
        "description": "lastSeenAt must not be before detectedAt (default: now) (400).",
    }))
}

fn insights_schema() -> Value {
    items_schema(json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["insightType", "title", "description", "actionableRecommendation", "confidence"],
        "properties": {
            "insightType": {"type": "string", "enum": INSIGHT_TYPES},
            "title": text(),
            "description": text(),
            "actionableRecommendation": text(),
            "confidence": confidence(),
        },
    }))
}

fn sessions_schema() -> Value {
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

const ITEMS: &str = "A JSON array of items, or {\"items\": [...]}; 1 to 1,000 items.";

fn apply_schema() -> Value {
    json!({
        "type": "object",
        "required": ["applicationType"],
        "properties": {
            "applicationType": {"type": "string", "enum": ["AUTO", "MANUAL", "REMINDER", "GOAL"]},
            "settings": {
                "type": "object",
                "description": "Read only with AUTO (then only the four profile fields below, no U+0000 in any key or string, else 400); the other application types ignore it.",
            },
        },
        "if": {"properties": {"applicationType": {"const": "AUTO"}}},
        "then": {
            "properties": {
                "settings": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "preferredStudyTimes": {"type": "array", "items": {"type": "object"}},
                        "optimalSessionDuration": {"type": "integer", "minimum": 1, "maximum": 600},
                        "contentPreferences": {"type": "object"},
                        "personalizedForgettingCurve": {"type": "object"},
                    },
                },
            },
        },
    })
}

/// Every route the server answers.
pub const ROUTES: &[RouteDoc] = &[
    RouteDoc {
        method: "get",
        path: routes::EFFECTIVENESS,
        summary: "Effectiveness of the caller's active personalization over a window",
        auth: true,
        params: &[
            date_query(
                "startDate",
                "An RFC 3339 date-time (e.g. 2025-10-01T00:00:00Z, 2025-10-01T02:00:00.5+02:00) \
                 or a date YYYY-MM-DD (UTC midnight), at most 9999-12-31T23:59:59.999Z once in \
                 UTC; empty or absent = now − 14 days. Must be before endDate (else 400); any \
                 other text is 400.",
            ),
            date_query(
                "endDate",
                "An RFC 3339 date-time or a date YYYY-MM-DD (UTC midnight), at most \
                 9999-12-31T23:59:59.999Z once in UTC; empty or absent = now. Must be after \
                 startDate (else 400); any other text is 400.",
            ),
            query(
                "metric",
                "string",
                &["retention", "performance", "completion", "all"],
                "Which metric to report; default all",
            ),
            USER_ID,
        ],
        body: None,
    },
    RouteDoc {
        method: "get",
        path: routes::EVOLUTION,
        summary: "The user's behavioral patterns week by week",
        auth: true,
        params: &[
            USER_ID,
            int_query("weeks", 1, 52, "1..52, parseInt semantics; default 12"),
            query(
                "patternType",
                "string",
                PATTERN_TYPES,
                "Only this type; default all",
            ),
        ],
        body: None,
    },
    RouteDoc {
        method: "get",
        path: routes::RECOMMENDATIONS,
        summary: "Generate (idempotently) and list the user's recommendations by priority",
        auth: true,
        params: &[
            USER_ID,
            query(
                "includeApplied",
                "boolean",
                &[],
                "\"true\" also lists applied ones",
            ),
            int_query("limit", 1, 20, "1..20, parseInt semantics; default 5"),
        ],
        body: None,
    },
    RouteDoc {
        method: "post",
        path: routes::APPLY,
        summary: "Apply a recommendation (409 ALREADY_APPLIED the second time)",
        auth: true,
        params: &[
            Param {
                name: "id",
                location: In::Path,
                required: true,
                kind: "string",
                values: &[],
                description: "The recommendation id",
                range: None,
                formats: &[],
            },
            USER_ID,
        ],
        body: Some(Body {
            description: "{\"applicationType\": \"AUTO\"|\"MANUAL\"|\"REMINDER\"|\"GOAL\", \"settings\"?: object}",
            schema: apply_schema,
        }),
    },
    RouteDoc {
        method: "post",
        path: routes::INGEST_PATTERNS,
        summary: "Add behavioral patterns for a user (operators, tests)",
        auth: true,
        params: &[USER_ID],
        body: Some(Body {
            description: ITEMS,
            schema: patterns_schema,
        }),
    },
    RouteDoc {
        method: "post",
        path: routes::INGEST_INSIGHTS,
        summary: "Add behavioral insights for a user (operators, tests)",
        auth: true,
        params: &[USER_ID],
        body: Some(Body {
            description: ITEMS,
            schema: insights_schema,
        }),
    },
    RouteDoc {
        method: "post",
        path: routes::INGEST_SESSIONS,
        summary: "Add study sessions for a user (operators, tests)",
        auth: true,
        params: &[USER_ID],
        body: Some(Body {
            description: ITEMS,
            schema: sessions_schema,
        }),
    },
    RouteDoc {
        method: "get",
        path: routes::HEALTHZ,
        summary: "Liveness: the process answers",
        auth: false,
        params: &[],
        body: None,
    },
    RouteDoc {
        method: "get",
        path: routes::READYZ,
        summary: "Readiness: the database answers (503 otherwise)",
        auth: false,
        params: &[],
        body: None,
    },
    RouteDoc {
        method: "get",
        path: routes::METRICS,
        summary: "Prometheus metrics (text format)",
        auth: false,
        params: &[],
        body: None,
    },
    RouteDoc {
        method: "get",
        path: routes::OPENAPI,
        summary: "This document",
        auth: false,
        params: &[],
        body: None,
    },
];

fn param(p: &Param) -> Value {
    let mut schema = json!({ "type": p.kind });
    if !p.values.is_empty() {
        schema["enum"] = json!(p.values);
    }
    if let Some((min, max)) = p.range {
        schema["minimum"] = json!(min);
        schema["maximum"] = json!(max);
    }
    match p.formats {
        [] => {}
        [one] => schema["format"] = json!(one),
        several => {
            schema["anyOf"] = several
                .iter()
                .map(|f| json!({ "format": f }))
                .collect::<Vec<_>>()
                .into();
        }
    }
    json!({
        "name": p.name,
        "in": match p.location { In::Query => "query", In::Path => "path" },
        "required": p.required,
        "description": p.description,
        "schema": schema,
    })
}

fn operation(route: &RouteDoc) -> Value {
    let mut responses = json!({
        "200": { "description": "`{\"success\": true, \"data\": …}`" },
    });
    if route.auth {
        responses["400"] = json!({"$ref": "#/components/responses/Error"});
        responses["401"] = json!({"$ref": "#/components/responses/Error"});
        responses["403"] = json!({"$ref": "#/components/responses/Error"});
        responses["503"] = json!({"$ref": "#/components/responses/Error"});
    }
    if route.method == "post" {
        responses["404"] = json!({"$ref": "#/components/responses/Error"});
        responses["409"] = json!({"$ref": "#/components/responses/Error"});
        responses["413"] = json!({"$ref": "#/components/responses/Error"});
    }
    let mut op = json!({
        "summary": route.summary,
        "parameters": route.params.iter().map(param).collect::<Vec<_>>(),
        "responses": responses,
    });
    if route.auth {
        op["security"] = json!([{ "bearer": [] }]);
    } else {
        op["security"] = json!([]);
    }
    if let Some(body) = route.body {
        op["requestBody"] = json!({
            "required": true,
            "description": body.description,
            "content": { "application/json": { "schema": (body.schema)() } },
        });
    }
    op
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for route in ROUTES {
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method] = operation(route);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Behavioral insights API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Drop-in backend for the original app's behavioral-insights routes; \
                            see docs/compatibility.md for every deliberate difference.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT (HS256)" },
            },
            "responses": {
                "Error": {
                    "description": "`{\"success\": false, \"error\": {\"code\", \"message\", \"details\"?}}`",
                    "content": { "application/json": { "schema": {
                        "type": "object",
                        "required": ["success", "error"],
                        "properties": {
                            "success": { "const": false },
                            "error": {
                                "type": "object",
                                "required": ["code", "message"],
                                "properties": {
                                    "code": { "type": "string" },
                                    "message": { "type": "string" },
                                    "details": { "type": "object" },
                                },
                            },
                        },
                    } } },
                },
            },
        },
    })
}

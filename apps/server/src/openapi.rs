//! The OpenAPI 3.1 document served at `/openapi.json`, rendered from the route table
//! ([`crate::routes::table`]): every API entry of the table is one operation, and nothing else
//! is. This module holds the vocabulary a table entry documents itself with ([`Operation`],
//! [`Param`], [`Body`]) and the renderer ([`document`]); the request-body schemas are in
//! [`schemas`]. Hand-built rather than derived with utoipa: docs/architecture.md, "Why not
//! utoipa".

pub mod schemas;

use serde_json::{Map, Value, json};

use crate::routes::table::{self, Endpoint};

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
    /// What it means and its default; an integer's range is prepended when rendered.
    pub description: &'static str,
    /// Inclusive bounds of an integer parameter.
    pub range: Option<(i64, i64)>,
    /// JSON-schema `format`s a string parameter may take (any one of them), when constrained.
    pub formats: &'static [&'static str],
}

/// A documented JSON request body.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    /// One line (a function so that it can name limits declared elsewhere).
    pub description: fn() -> String,
    /// Its JSON schema (a function because `serde_json::Value` cannot be built in a const).
    pub schema: fn() -> Value,
}

/// What a 200 answer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Success {
    /// The JSON envelope `{"success": true, "data": …}`.
    Envelope,
    /// Prometheus text format.
    PrometheusText,
    /// This document.
    Document,
}

/// The documentation of one API route: everything `/openapi.json` says about it.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The `operationId` (unique, camelCase; generated clients name their functions after it).
    pub id: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Whether a bearer token is required.
    pub auth: bool,
    /// Whether answers are cached per user (a repeated request costs no SQL until the user's
    /// data changes). Not rendered; the statement-count tests read it.
    pub cached: bool,
    /// Parameters, in the order they are documented.
    pub params: &'static [Param],
    /// A JSON request body.
    pub body: Option<Body>,
    /// What a 200 carries.
    pub success: Success,
    /// Error statuses the route can answer, each with the JSON error body.
    pub errors: &'static [u16],
}

/// An optional query parameter.
pub const fn query(
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

/// An optional integer query parameter with inclusive bounds.
pub const fn int_query(name: &'static str, min: i64, max: i64, description: &'static str) -> Param {
    Param {
        range: Some((min, max)),
        ..query(name, "integer", &[], description)
    }
}

/// An optional instant query parameter, as `Timestamp::parse` accepts it: an RFC 3339
/// `date-time` (`2025-10-01T00:00:00Z`, fractional seconds, `±hh:mm` offsets; the parser also
/// takes a lowercase `t`/`z`, any single character between date and time, and a leap second)
/// or a bare RFC 3339 `full-date` `YYYY-MM-DD` (UTC midnight). Declared as `anyOf` the two
/// JSON-schema formats, the strict subset every client can generate; anything else is a 400.
pub const fn date_query(name: &'static str, description: &'static str) -> Param {
    Param {
        formats: &["date", "date-time"],
        ..query(name, "string", &[], description)
    }
}

/// A required string path parameter.
pub const fn path(name: &'static str, description: &'static str) -> Param {
    Param {
        location: In::Path,
        required: true,
        ..query(name, "string", &[], description)
    }
}

fn param(p: &Param) -> Value {
    let mut schema = json!({ "type": p.kind });
    if !p.values.is_empty() {
        schema["enum"] = json!(p.values);
    }
    let mut description = p.description.to_owned();
    if let Some((min, max)) = p.range {
        schema["minimum"] = json!(min);
        schema["maximum"] = json!(max);
        description = format!("{min}..{max}, {description}");
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
        "description": description,
        "schema": schema,
    })
}

fn operation(op: &Operation) -> Value {
    let success = match op.success {
        Success::Envelope => "`{\"success\": true, \"data\": …}`",
        Success::PrometheusText => "Prometheus text format (`text/plain; version=0.0.4`)",
        Success::Document => "This document",
    };
    let mut responses = Map::new();
    responses.insert("200".into(), json!({ "description": success }));
    for status in op.errors {
        responses.insert(
            status.to_string(),
            json!({"$ref": "#/components/responses/Error"}),
        );
    }
    let security = if op.auth {
        json!([{ "bearer": [] }])
    } else {
        json!([])
    };
    let mut rendered = json!({
        "operationId": op.id,
        "summary": op.summary,
        "parameters": op.params.iter().map(param).collect::<Vec<_>>(),
        "responses": responses,
        "security": security,
    });
    if let Some(body) = op.body {
        rendered["requestBody"] = json!({
            "required": true,
            "description": (body.description)(),
            "content": { "application/json": { "schema": (body.schema)() } },
        });
    }
    rendered
}

/// The OpenAPI method key of an endpoint (`get`, `post`).
pub fn method_key(endpoint: &Endpoint) -> String {
    endpoint.method.as_str().to_ascii_lowercase()
}

/// The `paths` object: one operation per documented entry of the route table.
pub fn paths() -> Map<String, Value> {
    let mut paths = Map::new();
    for (endpoint, op) in table::documented() {
        let entry = paths
            .entry(endpoint.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[method_key(endpoint)] = operation(op);
    }
    paths
}

/// The whole document.
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Behavioral insights API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Drop-in backend for the original app's behavioral-insights routes; \
                            see docs/compatibility.md for every deliberate difference.",
        },
        "paths": paths(),
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

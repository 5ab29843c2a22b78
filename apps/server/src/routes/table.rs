//! The route table: every path the server answers, with its method, its handler and its
//! documentation. The router ([`super::configure`]), the OpenAPI document
//! ([`crate::openapi::document`]) and the route-level HTTP tests are all derived from
//! [`ROUTES`]; nothing registers a route anywhere else (`tests/http/routes.rs` checks that the
//! router holds exactly these entries and that `/openapi.json` documents exactly the API ones).

use actix_web::Route;
use actix_web::http::Method;
use insights_model::PatternType;

use super::{ingest, insights, ops};
use crate::dashboard;
use crate::openapi::{
    Body, Operation, Param, Success, date_query, int_query, path, query, schemas,
};

/// `GET` effectiveness, the original's route.
pub const EFFECTIVENESS: &str = "/api/personalization/effectiveness";
/// `GET` pattern evolution, the original's route.
pub const EVOLUTION: &str = "/api/analytics/behavioral-insights/patterns/evolution";
/// `GET` recommendations, the original's route.
pub const RECOMMENDATIONS: &str = "/api/analytics/behavioral-insights/recommendations";
/// `POST` apply, the original's route.
pub const APPLY: &str = "/api/analytics/behavioral-insights/recommendations/{id}/apply";
/// `POST` pattern ingestion.
pub const INGEST_PATTERNS: &str = "/api/analytics/behavioral-insights/patterns";
/// `POST` insight ingestion.
pub const INGEST_INSIGHTS: &str = "/api/analytics/behavioral-insights/insights";
/// `POST` study-session ingestion.
pub const INGEST_SESSIONS: &str = "/api/analytics/behavioral-insights/sessions";
/// Liveness.
pub const HEALTHZ: &str = "/healthz";
/// Readiness (database reachable).
pub const READYZ: &str = "/readyz";
/// Prometheus metrics.
pub const METRICS: &str = "/metrics";
/// The OpenAPI document.
pub const OPENAPI: &str = "/openapi.json";
/// The dashboard page (not an API route, so not in the OpenAPI document).
pub const DASHBOARD: &str = "/";
/// The dashboard's scripts, style sheet and icon.
pub const DASHBOARD_ASSET: &str = "/assets/{file}";

/// One entry: a method on a path, answered by a handler.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The one method the path accepts; any other gets a JSON 405 naming it.
    pub method: Method,
    /// The path, `{name}` style.
    pub path: &'static str,
    /// Attaches the handler to the route built for [`Endpoint::method`] (a plain function
    /// pointer, so the table can be a constant).
    pub to: fn(Route) -> Route,
    /// API route (documented) or dashboard file (not).
    pub kind: Kind,
}

/// What an entry is for.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// An API route: always served and always in `/openapi.json`, so it cannot exist without
    /// its documentation.
    Api(Operation),
    /// The dashboard page or its files: served only when the dashboard is on; not an API
    /// route, so not in `/openapi.json`.
    Dashboard,
}

impl Endpoint {
    /// Its documentation, for an API route.
    pub fn operation(&self) -> Option<&Operation> {
        match &self.kind {
            Kind::Api(op) => Some(op),
            Kind::Dashboard => None,
        }
    }

    /// Whether the router serves it with the dashboard on or off.
    pub fn served(&self, dashboard: bool) -> bool {
        matches!(self.kind, Kind::Api(_)) || dashboard
    }

    /// Whether matching the path needs a regex (it has a `{…}` segment).
    pub fn is_dynamic(&self) -> bool {
        self.path.contains('{')
    }
}

/// The entries served, in the order the router tries them: static paths first, in table
/// order, then the dynamic ones. The router tries resources in registration order and only the
/// dynamic paths need a regex match, so no request for a static path pays for one.
pub fn registration_order(dashboard: bool) -> impl Iterator<Item = &'static Endpoint> {
    let served = move |e: &&Endpoint| e.served(dashboard);
    let fixed = ROUTES.iter().filter(served).filter(|e| !e.is_dynamic());
    let dynamic = ROUTES.iter().filter(served).filter(|e| e.is_dynamic());
    fixed.chain(dynamic)
}

/// The API entries with their documentation, in table order.
pub fn documented() -> impl Iterator<Item = (&'static Endpoint, &'static Operation)> {
    ROUTES
        .iter()
        .filter_map(|e| e.operation().map(|op| (e, op)))
}

const USER_ID: Param = query(
    "userId",
    "string",
    &[],
    "Whose data; default the caller. Another user's id needs a service token (else 403).",
);

/// Error statuses of the authenticated reads.
const READ_ERRORS: &[u16] = &[400, 401, 403, 503];
/// Error statuses of the ingestion writes: those of a read, plus a body that did not arrive in
/// time, an oversized body and an encoded one.
const INGEST_ERRORS: &[u16] = &[400, 401, 403, 408, 413, 415, 503];
/// Error statuses of apply: those of an ingestion, plus an unknown recommendation and one
/// already applied.
const APPLY_ERRORS: &[u16] = &[400, 401, 403, 404, 408, 409, 413, 415, 503];

/// An authenticated, enveloped, uncached write taking a JSON body.
const fn write(
    id: &'static str,
    summary: &'static str,
    params: &'static [Param],
    body: Body,
    errors: &'static [u16],
) -> Kind {
    Kind::Api(Operation {
        id,
        summary,
        auth: true,
        cached: false,
        params,
        body: Some(body),
        success: Success::Envelope,
        errors,
    })
}

/// An operator route: no token, no parameters.
const fn operator(
    id: &'static str,
    summary: &'static str,
    success: Success,
    errors: &'static [u16],
) -> Kind {
    Kind::Api(Operation {
        id,
        summary,
        auth: false,
        cached: false,
        params: &[],
        body: None,
        success,
        errors,
    })
}

/// An ingestion body: items of `schema`'s kind.
const fn ingest_body(schema: fn() -> serde_json::Value) -> Body {
    Body {
        description: schemas::items_description,
        schema,
    }
}

/// Every route the server answers.
pub const ROUTES: &[Endpoint] = &[
    Endpoint {
        method: Method::GET,
        path: EFFECTIVENESS,
        to: |route| route.to(insights::effectiveness),
        kind: Kind::Api(Operation {
            id: "effectiveness",
            summary: "Effectiveness of the caller's active personalization over a window",
            auth: true,
            cached: true,
            params: &[
                date_query(
                    "startDate",
                    "An RFC 3339 date-time (e.g. 2025-10-01T00:00:00Z, \
                     2025-10-01T02:00:00.5+02:00) or a date YYYY-MM-DD (UTC midnight), at most \
                     9999-12-31T23:59:59.999Z once in UTC; empty or absent = now − 14 days. Must \
                     be before endDate (else 400); any other text is 400.",
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
            success: Success::Envelope,
            errors: READ_ERRORS,
        }),
    },
    Endpoint {
        method: Method::GET,
        path: EVOLUTION,
        to: |route| route.to(insights::pattern_evolution),
        kind: Kind::Api(Operation {
            id: "patternEvolution",
            summary: "The user's behavioral patterns week by week",
            auth: true,
            cached: true,
            params: &[
                USER_ID,
                int_query("weeks", 1, 52, "parseInt semantics; default 12"),
                query(
                    "patternType",
                    "string",
                    PatternType::NAMES,
                    "Only this type; default all",
                ),
            ],
            body: None,
            success: Success::Envelope,
            errors: READ_ERRORS,
        }),
    },
    Endpoint {
        method: Method::GET,
        path: RECOMMENDATIONS,
        to: |route| route.to(insights::recommendations),
        kind: Kind::Api(Operation {
            id: "recommendations",
            summary: "Generate (idempotently) and list the user's recommendations by priority",
            auth: true,
            cached: true,
            params: &[
                USER_ID,
                query(
                    "includeApplied",
                    "boolean",
                    &[],
                    "\"true\" also lists applied ones",
                ),
                int_query("limit", 1, 20, "parseInt semantics; default 5"),
            ],
            body: None,
            success: Success::Envelope,
            errors: READ_ERRORS,
        }),
    },
    Endpoint {
        method: Method::POST,
        path: APPLY,
        to: |route| route.to(insights::apply),
        kind: write(
            "applyRecommendation",
            "Apply a recommendation (409 ALREADY_APPLIED the second time)",
            &[path("id", "The recommendation id"), USER_ID],
            Body {
                description: schemas::apply_description,
                schema: schemas::apply,
            },
            APPLY_ERRORS,
        ),
    },
    Endpoint {
        method: Method::POST,
        path: INGEST_PATTERNS,
        to: |route| route.to(ingest::patterns),
        kind: write(
            "ingestPatterns",
            "Add behavioral patterns for a user (operators, tests)",
            &[USER_ID],
            ingest_body(schemas::patterns),
            INGEST_ERRORS,
        ),
    },
    Endpoint {
        method: Method::POST,
        path: INGEST_INSIGHTS,
        to: |route| route.to(ingest::insights),
        kind: write(
            "ingestInsights",
            "Add behavioral insights for a user (operators, tests)",
            &[USER_ID],
            ingest_body(schemas::insights),
            INGEST_ERRORS,
        ),
    },
    Endpoint {
        method: Method::POST,
        path: INGEST_SESSIONS,
        to: |route| route.to(ingest::sessions),
        kind: write(
            "ingestSessions",
            "Add study sessions for a user (operators, tests)",
            &[USER_ID],
            ingest_body(schemas::sessions),
            INGEST_ERRORS,
        ),
    },
    Endpoint {
        method: Method::GET,
        path: HEALTHZ,
        to: |route| route.to(ops::healthz),
        kind: operator(
            "healthz",
            "Liveness: the process answers",
            Success::Envelope,
            &[],
        ),
    },
    Endpoint {
        method: Method::GET,
        path: READYZ,
        to: |route| route.to(ops::readyz),
        kind: operator(
            "readyz",
            "Readiness: the database answers (503 otherwise)",
            Success::Envelope,
            &[503],
        ),
    },
    Endpoint {
        method: Method::GET,
        path: METRICS,
        to: |route| route.to(ops::metrics),
        kind: operator(
            "metrics",
            "Prometheus metrics (text format)",
            Success::PrometheusText,
            &[],
        ),
    },
    Endpoint {
        method: Method::GET,
        path: OPENAPI,
        to: |route| route.to(ops::openapi),
        kind: operator("openapi", "This document", Success::Document, &[]),
    },
    Endpoint {
        method: Method::GET,
        path: DASHBOARD,
        to: |route| route.to(dashboard::page),
        kind: Kind::Dashboard,
    },
    Endpoint {
        method: Method::GET,
        path: DASHBOARD_ASSET,
        to: |route| route.to(dashboard::asset),
        kind: Kind::Dashboard,
    },
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn each_path_has_one_method_and_each_operation_one_id() {
        // The JSON 405 names the one allowed method (`ApiError::MethodNotAllowed`); a second
        // method on a path needs a list there first.
        let mut paths = HashSet::new();
        assert!(ROUTES.iter().all(|e| paths.insert(e.path)), "a path twice");
        let mut ids = HashSet::new();
        assert!(
            documented().all(|(_, op)| ids.insert(op.id)),
            "an operationId twice"
        );
    }

    #[test]
    fn dynamic_paths_are_registered_after_every_static_one() {
        let order: Vec<bool> = registration_order(true).map(Endpoint::is_dynamic).collect();
        assert_eq!(order.len(), ROUTES.len());
        assert!(order.is_sorted(), "{order:?}");
        assert!(order.contains(&true) && order.contains(&false));
        assert_eq!(registration_order(false).count(), documented().count());
    }

    #[test]
    fn path_parameters_are_the_paths_placeholders() {
        for (endpoint, op) in documented() {
            for p in op.params {
                let placeholder = format!("{{{}}}", p.name);
                let is_path = p.location == crate::openapi::In::Path;
                assert_eq!(endpoint.path.contains(&placeholder), is_path, "{}", p.name);
                assert_eq!(p.required, is_path, "{}", p.name);
            }
        }
    }
}

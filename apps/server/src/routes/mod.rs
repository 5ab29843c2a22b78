//! The router and extractor configuration. Every path answers JSON: unknown paths 404,
//! known paths with the wrong method 405, malformed query strings and bodies 400, oversized
//! bodies 413 (docs/compatibility.md, section 2). The one exception is the dashboard page
//! and its files (`/`, `/assets/…`), served when the dashboard is on. Which paths exist, and
//! their documentation, is [`table::ROUTES`].

pub mod ingest;
pub mod insights;
pub mod ops;
pub mod table;

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::body_deadline::timed_out;
use crate::error::ApiError;
pub use table::{
    APPLY, DASHBOARD, DASHBOARD_ASSET, EFFECTIVENESS, EVOLUTION, HEALTHZ, INGEST_INSIGHTS,
    INGEST_PATTERNS, INGEST_SESSIONS, METRICS, OPENAPI, READYZ, RECOMMENDATIONS,
};

/// Registers exactly the entries of [`table::ROUTES`] (the dashboard's only when `dashboard`),
/// static paths before dynamic ones, and the extractor error handlers.
pub fn configure(body_limit: usize, dashboard: bool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(json_config(body_limit))
            .app_data(web::QueryConfig::default().error_handler(query_error));
        for endpoint in table::registration_order(dashboard) {
            register(cfg, endpoint);
        }
    }
}

/// A resource with the entry's one method; any other method gets a JSON 405 naming it.
fn register(cfg: &mut web::ServiceConfig, endpoint: &'static table::Endpoint) {
    let allow = endpoint.method.as_str();
    let route = (endpoint.to)(web::route().method(endpoint.method.clone()));
    cfg.service(
        web::resource(endpoint.path)
            .route(route)
            .default_service(web::to(move || async move {
                Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow })
            })),
    );
}

/// The app's fallback: a JSON 404 instead of an empty body.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "No route for {} {}",
        req.method(),
        req.path()
    )))
}

/// `?userId=` on the routes with no other query parameter: whose data (the caller by default;
/// another user needs a service token).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserQuery {
    /// The target user.
    pub user_id: Option<String>,
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        // The original accepted any content type (`request.json()`); so do we.
        .content_type_required(false)
        .error_handler(|err, _| {
            if let JsonPayloadError::Payload(payload) = &err
                && let Some(timeout) = timed_out(payload)
            {
                return ApiError::BodyTimeout {
                    limit_ms: timeout.limit.as_millis(),
                }
                .into();
            }
            let api = match err {
                JsonPayloadError::Overflow { limit }
                | JsonPayloadError::OverflowKnownLength { limit, .. } => {
                    ApiError::PayloadTooLarge { limit }
                }
                JsonPayloadError::Deserialize(e) => {
                    ApiError::bad_request(Some("body"), format!("Invalid JSON body: {e}"))
                }
                other => ApiError::bad_request(Some("body"), format!("Invalid body: {other}")),
            };
            api.into()
        })
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let QueryPayloadError::Deserialize(e) = err else {
        return ApiError::bad_request(None, "Invalid query string").into();
    };
    let message = e.to_string();
    ApiError::bad_request(
        repeated_key(&message),
        format!("Invalid query string: {message}"),
    )
    .into()
}

/// The parameter named by serde's "duplicate field `weeks`" message, for `details.field`.
fn repeated_key(message: &str) -> Option<&str> {
    message
        .strip_prefix("duplicate field `")?
        .split_once('`')
        .map(|(key, _)| key)
}

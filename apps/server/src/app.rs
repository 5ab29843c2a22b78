//! The application factory shared by `main` and the HTTP tests, so tests exercise exactly the
//! routes, extractor settings and middleware the binary serves.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, web};
use insights_service::Insights;

use crate::auth::JwtKeys;
use crate::body_deadline::{BodyDeadline, body_deadline};
use crate::metrics::Metrics;
use crate::middleware::{self, RequestDeadline};
use crate::routes;
use crate::slow_requests::SlowRequestLog;
use crate::streamed_gzip::StreamedGzip;

/// Default largest JSON body: 256 KiB.
pub const DEFAULT_BODY_LIMIT: usize = 256 * 1024;
/// Default time for a request body to arrive: 10 s.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Default threshold of the slow-request log: 100 ms.
pub const DEFAULT_SLOW_REQUEST: Duration = Duration::from_millis(100);

/// Everything the handlers share. Built once, outside the per-worker factory of
/// [`crate::http_server`], and cloned into each worker: clones share the pool, the cache and the metrics registry.
#[derive(Clone)]
pub struct AppState {
    /// The operations.
    pub insights: Insights,
    /// Token verification.
    pub keys: JwtKeys,
    /// The metrics registry.
    pub metrics: Arc<Metrics>,
    /// Per-request limit; `Some` only on PostgreSQL.
    pub deadline: Option<Duration>,
    /// Largest accepted JSON body in bytes.
    pub body_limit: usize,
    /// Whether `/` serves the dashboard.
    pub dashboard: bool,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    /// How many streamed answers are being gzipped (bounded).
    pub streamed_gzip: Arc<StreamedGzip>,
    /// Where requests slower than a threshold are reported.
    pub slow_requests: Arc<SlowRequestLog>,
}

impl AppState {
    /// State with the defaults for everything but the essentials (tests use this).
    pub fn new(insights: Insights, keys: JwtKeys) -> Result<Self, prometheus::Error> {
        Ok(Self {
            insights,
            keys,
            metrics: Arc::new(Metrics::new()?),
            deadline: None,
            body_limit: DEFAULT_BODY_LIMIT,
            dashboard: true,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            streamed_gzip: Arc::default(),
            slow_requests: Arc::new(SlowRequestLog::new(Some(DEFAULT_SLOW_REQUEST))),
        })
    }
}

/// The actix application: routes, JSON error handling, compression, deadline and observation.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state.insights))
        .app_data(web::Data::new(state.keys))
        .app_data(web::Data::from(state.metrics))
        .app_data(web::Data::new(RequestDeadline(state.deadline)))
        .app_data(web::Data::new(BodyDeadline(state.body_timeout)))
        .app_data(web::Data::from(state.streamed_gzip))
        .app_data(web::Data::from(state.slow_requests))
        // The only place routes are registered: exactly the route table's entries
        // (`tests/http/routes.rs` compares the router with the table).
        .configure(routes::configure(state.body_limit, state.dashboard))
        .default_service(web::to(routes::not_found))
        // Innermost first: the deadline wraps only the handler; the body deadline starts the
        // body's clock just before it (so a body that is too slow gets its 408, not the
        // deadline's 503); the encoded-body check runs before any handler reads a body;
        // compression wraps the response body; and observation everything (so its latency
        // and status include the others).
        .wrap(from_fn(middleware::deadline))
        .wrap(from_fn(body_deadline))
        .wrap(from_fn(middleware::refuse_encoded_bodies))
        .wrap(Compress::default())
        .wrap(from_fn(middleware::observe))
}

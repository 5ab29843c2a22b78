//! Request middleware: observation (request id, log line, metrics, statement count) and the
//! PostgreSQL-only deadline.

use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, web};
use insights_store::StatementCounter;
use rand::Rng;
use tracing::Instrument;

use crate::error::ApiError;
use crate::metrics::{Metrics, UNMATCHED_ROUTE, method_label};
use crate::slow_requests::{RequestCost, SlowRequestLog};

/// Header carrying the request id in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The per-request deadline, set only on PostgreSQL (see [`deadline`]).
#[derive(Debug, Clone, Copy)]
pub struct RequestDeadline(pub Option<Duration>);

/// Gives each request an id (the client's `x-request-id` when it is sane), runs it inside a
/// tracing span carrying that id, counts its SQL statements with
/// [`StatementCounter::scope`], and records the outcome in the log and in [`Metrics`].
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let method_label = method_label(req.method());
    let path = req.path().to_owned();
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let slow_requests = req.app_data::<web::Data<SlowRequestLog>>().cloned();
    let span = tracing::info_span!("request", id = %id, method = %method, path = %path);
    let statements = StatementCounter::new();
    let result = statements
        .scope(next.call(req))
        .instrument(span.clone())
        .await;
    let elapsed = started.elapsed();
    let (status, route) = match &result {
        Ok(res) => (
            res.status(),
            res.request()
                .match_pattern()
                .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned()),
        ),
        Err(e) => (
            e.as_response_error().status_code(),
            UNMATCHED_ROUTE.to_owned(),
        ),
    };
    span.in_scope(|| {
        // One line per request costs a formatted write on the hot path; successful requests
        // are logged at debug (`RUST_LOG=insights_server=debug` turns access logs on), server
        // errors always.
        if status.is_server_error() {
            tracing::warn!(
                status = status.as_u16(),
                route = %route,
                elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                statements = statements.get(),
                "request failed"
            );
        } else {
            tracing::debug!(
                status = status.as_u16(),
                route = %route,
                elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                statements = statements.get(),
                "request finished"
            );
        }
    });
    if let Some(log) = slow_requests {
        log.observe(&RequestCost {
            id: &id,
            method: &method,
            path: &path,
            route: &route,
            status: status.as_u16(),
            elapsed,
            statements: statements.get(),
            waited: statements.waited(),
            held: statements.held(),
        });
    }
    if let Some(metrics) = metrics {
        metrics.observe(
            &route,
            method_label,
            status.as_u16(),
            elapsed,
            statements.get(),
        );
    }
    let mut res = result?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}

fn request_id(req: &ServiceRequest) -> String {
    let sane = |v: &str| {
        !v.is_empty()
            && v.len() <= 64
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()) {
        Some(v) if sane(v) => v.to_owned(),
        _ => format!("{:016x}", rand::rng().random::<u64>()),
    }
}

/// How many requests run as tasks of their own at once on SQLite ([`deadline`]): a task
/// outlives its connection, so a client that sends and resets cannot pile up work without
/// bound (the embedded pool has 4 connections; past this, requests run in place as before).
const DETACHED_AT_ONCE: usize = 256;

static DETACHABLE_REQUESTS: tokio::sync::Semaphore =
    tokio::sync::Semaphore::const_new(DETACHED_AT_ONCE);

/// Answers 503 `UNAVAILABLE` when a request outlives its deadline. Registered for every
/// backend but only armed on PostgreSQL: dropping an in-flight SQLite query on actix's
/// current-thread workers panics, while dropping a PostgreSQL query is safe (the store cancels
/// a pooled connection's statement, and leaves a pipelined read to its statement timeout).
///
/// For the same reason, on SQLite (no deadline) the request runs as a task of its own, which
/// finishes what it started when the request is dropped: a client that resets its connection
/// mid-request, or one closed by the reply timeout, would otherwise drop the statement in
/// flight, and diesel-async's SQLite wrapper then calls `block_in_place`, which panics on a
/// current-thread runtime (measured: 92 panics, each with a backtrace in the log, from 12,000
/// requests reset right after sending on the embedded database). The statement completes, its
/// connection returns to the pool, and the answer is discarded.
///
/// The timeout is returned as an error, which actix renders with [`ApiError`]'s JSON response.
/// (Keeping a clone of the request to build a response here would make routing panic: actix
/// needs the only reference to the request to record the matched path.)
pub async fn deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let limit = req
        .app_data::<web::Data<RequestDeadline>>()
        .and_then(|d| d.0);
    let Some(limit) = limit else {
        // A task needs actix's runtime (its `LocalSet`; on the server's workers `System` is
        // set); the HTTP tests that drive the application from plain tokio, and requests past
        // the bound on detached ones, run in place.
        let permit = actix_web::rt::System::try_current()
            .and_then(|_| DETACHABLE_REQUESTS.try_acquire().ok());
        let Some(permit) = permit else {
            return next.call(req).await;
        };
        // Task-local values do not follow a task: the request's statement counter is passed on.
        let statements = StatementCounter::current();
        let call = next.call(req);
        let request = actix_web::rt::spawn(
            async move {
                let _permit = permit;
                match statements {
                    Some(counter) => counter.scope(call).await,
                    None => call.await,
                }
            }
            .in_current_span(),
        );
        return request.await.map_err(|failed| {
            Error::from(ApiError::Internal(format!(
                "the request's task did not finish: {failed}"
            )))
        })?;
    };
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::Unavailable(format!(
            "request took longer than {} ms",
            limit.as_millis()
        ))
        .into()),
    }
}

/// Answers 415 `UNSUPPORTED_MEDIA_TYPE` for a request whose body declares a `Content-Encoding`
/// other than `identity`, before any handler reads it.
///
/// actix-web inflates encoded request bodies on the fly (its `compress-gzip` feature, enabled
/// for responses, decodes requests too), and the JSON body limit counts the inflated bytes only
/// as they arrive: a 243 KB gzip body that inflates to 250 MB was decompressed chunk by chunk
/// before the limit stopped it, and many at once spiked memory. Browsers and the original
/// app's clients never compress request bodies, so refusing them costs nobody anything.
pub async fn refuse_encoded_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(value) = req.headers().get(actix_web::http::header::CONTENT_ENCODING) {
        let identity = value
            .to_str()
            .is_ok_and(|v| v.trim().eq_ignore_ascii_case("identity"));
        if !identity {
            let encoding: String = String::from_utf8_lossy(value.as_bytes())
                .chars()
                .filter(|c| !c.is_control())
                .take(32)
                .collect();
            return Err(ApiError::EncodedBody { encoding }.into());
        }
    }
    next.call(req).await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test};

    /// Answers whether the request runs inside a statement counter's scope.
    async fn counted() -> HttpResponse {
        HttpResponse::Ok().body(if StatementCounter::current().is_some() {
            "counted"
        } else {
            "lost"
        })
    }

    #[actix_web::test]
    async fn a_request_run_as_its_own_task_keeps_its_statement_counter() {
        // Without a deadline (SQLite) and inside actix's runtime, the request runs as a task.
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(RequestDeadline(None)))
                .wrap(from_fn(deadline))
                .route("/", web::get().to(counted)),
        )
        .await;
        let counter = StatementCounter::new();
        let answer = counter
            .scope(test::call_and_read_body(
                &app,
                test::TestRequest::get().uri("/").to_request(),
            ))
            .await;
        assert_eq!(answer, "counted");
    }

    /// A log writer whose lines the test reads back.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    async fn takes_a_while() -> HttpResponse {
        tokio::time::sleep(Duration::from_millis(20)).await;
        HttpResponse::Ok().finish()
    }

    /// What the log says of one request to a handler that takes 20 ms, with a slow-request
    /// threshold of `threshold` and only events up to `level` logged.
    async fn logged(threshold: Duration, level: tracing::Level, request_id: &str) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let _subscriber = tracing::subscriber::set_default(
            tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .with_max_level(level)
                .finish(),
        );
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(SlowRequestLog::new(Some(threshold))))
                .wrap(from_fn(observe))
                .route("/slow/{id}", web::get().to(takes_a_while)),
        )
        .await;
        test::call_service(
            &app,
            test::TestRequest::get()
                .uri("/slow/2")
                .insert_header((REQUEST_ID, request_id))
                .to_request(),
        )
        .await;
        String::from_utf8(captured.0.lock().unwrap().clone()).unwrap()
    }

    #[actix_web::test]
    async fn a_request_over_the_threshold_is_logged_with_where_its_time_went() {
        let quick_enough = logged(Duration::from_secs(60), tracing::Level::INFO, "q").await;
        assert!(!quick_enough.contains("slow request"), "{quick_enough:?}");

        let log = logged(Duration::from_millis(10), tracing::Level::INFO, "slow-one").await;
        // The handler touches no database: both of its times are exactly zero.
        for part in [
            " WARN ",
            " slow request id=slow-one method=GET path=/slow/2 route=/slow/{id} status=200 ",
            " pool_wait_ms=0.0 connection_ms=0.0 statements=0 ",
        ] {
            assert!(log.contains(part), "{part:?} missing from {log:?}");
        }
    }

    #[actix_web::test]
    async fn the_slow_request_line_stands_alone_where_only_warnings_are_logged() {
        // The request's span is an info span: the line must carry the id itself.
        let log = logged(Duration::from_millis(10), tracing::Level::WARN, "warn-only").await;
        assert!(
            log.contains("slow request id=warn-only method=GET path=/slow/2 "),
            "{log:?}"
        );
    }
}

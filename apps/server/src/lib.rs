//! HTTP server and operator CLI of the behavioral-insights API (binary `insights`).
//!
//! This crate is wiring only: it turns HTTP requests into calls on
//! [`insights_service::Insights`] and their results into the original API's JSON envelope.
//! Rules, caching and SQL live in the service, recommender and store crates.
//!
//! | module | one job |
//! |---|---|
//! | [`cli`] | the command line (clap derive; every flag also from an environment variable) |
//! | [`config`] | the typed, validated configuration, read once |
//! | [`auth`] | HS256 bearer tokens and the [`auth::Authenticated`] extractor |
//! | [`error`] | [`error::ApiError`], the only place that knows status codes |
//! | [`envelope`] | the `{"success":true,"data":…}` wrapper, and the responders that send answers |
//! | [`sliced_body`] | large bodies handed to the connection in bounded slices of shared bytes |
//! | [`slow_requests`] | the slow-request log: where a slow request's time went |
//! | [`streamed_gzip`] | the bound on streamed answers gzipped at once |
//! | [`connections`] | client connection limits: how many, and the send timeout |
//! | [`reply_deadline`] | a client that sent something gets an answer in time, or loses its connection |
//! | [`http_server`] | actix-server, actix-http and the application, over that deadline's stream |
//! | [`routes`] | the route table, the router built from it, handlers, 404/405, extractor error handlers |
//! | [`body_deadline`] | a request body must arrive in time (408 otherwise) |
//! | [`middleware`] | request id, log line, metrics, statement count; PostgreSQL deadline |
//! | [`metrics`] | Prometheus registry and `/metrics` rendering |
//! | [`openapi`] | the `/openapi.json` document, rendered from the route table |
//! | [`dashboard`] | the web page at `/` and its embedded files |
//! | [`app`](mod@app) | the application factory shared by `main` and the tests |
//! | [`startup`] | running each subcommand |
//! | [`demo`] | the demo banner |
//! | [`telemetry`] | log subscriber |
//!
//! Why each dependency: `actix-web` (the HTTP server; current-thread workers, mature
//! extractor and middleware model, `from_fn` middleware), `actix-server`, `actix-http` and
//! `actix-service` (the parts actix-web's `HttpServer` is built from, used directly so that each
//! accepted connection can be wrapped: [`http_server`]), `tokio` (timers for the PostgreSQL
//! deadline, the body deadline and the reply deadline, the semaphore of streamed gzip answers, the runtime of
//! tests), `clap` (derive + `env` gives one definition for flags, env
//! vars and `--help`), `jsonwebtoken` with the pure-Rust `rust_crypto` backend (HS256 without a
//! C toolchain), `prometheus` (the standard exposition format; default features off, so no
//! process collector or protobuf), `tracing` + `tracing-subscriber` (structured spans carrying
//! the request id; text or JSON output), `rand` (request ids and the demo-mode secret),
//! `serde`/`serde_json` (query strings and bodies), `thiserror` (error enums), `time` (via the
//! model's timestamps), `socket2` (`TCP_USER_TIMEOUT` on accepted connections, which
//! actix-web has no setting for, and the listening socket, without `unsafe` code of our own). No OpenAPI generator:
//! [`openapi`] renders the document from the route table ([`routes::table`]) that the router is
//! built from (docs/architecture.md, "Why not utoipa").
//!
//! The dashboard ([`dashboard`]) adds no runtime dependency: its files are embedded with
//! `include_bytes!`. Its browser test uses the dev-dependency `fantoccini` (with `hyper-util`
//! for the connector): a small, long-maintained WebDriver client on the `tokio` and `hyper`
//! already in the workspace, driving Debian's `chromedriver`, which is built from the same
//! sources as its `chromium`; CDP clients would avoid the driver binary but compile a large
//! generated protocol crate (`tests/http/browser.rs`).

pub mod app;
pub mod auth;
pub mod body_deadline;
pub mod cli;
pub mod config;
pub mod connections;
pub mod dashboard;
pub mod demo;
pub mod envelope;
pub mod error;
pub mod http_server;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod reply_deadline;
pub mod routes;
pub mod sliced_body;
pub mod slow_requests;
pub mod startup;
pub mod streamed_gzip;
pub mod telemetry;

pub use app::{AppState, app};

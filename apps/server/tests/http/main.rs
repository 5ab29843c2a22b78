//! HTTP tests: the real application factory (`insights_server::app`) driven through
//! `actix_web::test`, every test against PostgreSQL and SQLite from one body.

#![allow(missing_docs)]
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod auth;
mod browser;
mod coherence;
mod connections;
mod dashboard;
mod errors;
mod hardening;
mod hostile;
mod openapi_dates;
mod ops;
mod outage;
mod processes;
mod reliability;
mod replica;
mod routes;
mod scale_out;
mod shapes;
mod slow_redis;
mod startups;
mod statements;
mod support;

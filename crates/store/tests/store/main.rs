//! The store's conformance suite: every repository function, run against PostgreSQL and SQLite
//! from one body per test.

#![allow(missing_docs)]

mod apply;
mod config;
mod explain;
mod fixtures;
mod original_schema;
mod outage;
mod reads;
mod recommendations;
mod sqlite_busy;
mod statements;

//! The store's conformance suite: every repository function, run against PostgreSQL and SQLite
//! from one body per test.

#![allow(missing_docs)]

// Each backend's tests exist only with its feature (`cargo test --no-default-features
// --features sqlite` runs the SQLite ones); `both_backends!` declares its tests the same way.
mod apply;
mod config;
#[cfg(feature = "postgres")]
mod explain;
#[cfg(feature = "sqlite")]
mod explain_sqlite;
mod fixtures;
mod original_schema;
#[cfg(feature = "postgres")]
mod outage;
#[cfg(feature = "postgres")]
mod pipelined;
mod reads;
mod recommendations;
#[cfg(feature = "sqlite")]
mod sqlite_busy;
mod statements;

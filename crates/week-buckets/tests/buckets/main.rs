//! Integration tests of `insights-week-buckets`, one binary with a module per concern.
#![allow(missing_docs)]

mod agreement;
mod contract_example;
mod counts;
mod edges;

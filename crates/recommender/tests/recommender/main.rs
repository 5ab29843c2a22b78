#![allow(missing_docs)]
//! Integration tests of insights-recommender, one binary with a module per area.

mod apply;
mod effectiveness;
mod engine;
mod engine_properties;
mod fixtures;
mod view;

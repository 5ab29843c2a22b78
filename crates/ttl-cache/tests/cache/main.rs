//! Integration tests of the TTL cache, one binary with a module per concern.
#![allow(missing_docs)]

mod bound;
mod cancellation;
mod invalidation_race;
mod owner_share;
mod properties;
mod single_flight;
mod stats;
mod support;
mod tags;
mod ttl;

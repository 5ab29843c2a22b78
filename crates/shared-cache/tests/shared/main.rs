//! Integration tests against a real Redis: the shared one at 127.0.0.1:6379 (each test under
//! its own random key prefix, cleaned up afterwards) and, for outage and recovery, a
//! redis-server the test starts and kills itself.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)]

mod support;

mod construction;
mod invalidation;
mod recovery;
mod round_trip;
mod ttl;
mod unreachable;
mod versioning;

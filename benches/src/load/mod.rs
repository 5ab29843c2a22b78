//! Building blocks of the `insights-load` HTTP load driver: who is asked ([`users`]), with
//! which credentials ([`tokens`]), over which connections ([`client`]), what the server says
//! about itself ([`metrics`]) and how results are reported ([`report`]).

pub mod client;
pub mod metrics;
pub mod report;
pub mod tokens;
pub mod users;

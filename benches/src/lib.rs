//! Benchmark machinery for the behavioral-insights service: the deterministic data generator's
//! building blocks ([`workload`], [`synth`], [`writer`]) and the HTTP load driver's ([`load`]).
//! The binaries in `src/bin` and the criterion benchmarks in `benches/` are thin shells over it.

pub mod load;
pub mod synth;
pub mod workload;
pub mod writer;

//! This cache against moka 0.12 (`sync::Cache`) on the same operations and keys.
//!
//! Keys and values are `u64`; 10,000 keys, uniform distribution (an xorshift sequence, fixed
//! seed); capacity 20,000 and TTL 60 s for both caches, so hits stay hits.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use insights_ttl_cache::TtlCache;

const KEYS: u64 = 10_000;
const CAPACITY: u64 = 20_000;
const TTL: Duration = Duration::from_secs(60);
const THREADS: usize = 2;

/// The two caches behind one interface, so every benchmark runs the same loop on both.
trait BenchCache: Sync {
    fn get(&self, key: u64) -> Option<u64>;
    fn insert(&self, key: u64, value: u64);
}

impl BenchCache for TtlCache<u64, u64> {
    fn get(&self, key: u64) -> Option<u64> {
        TtlCache::get(self, &key)
    }
    fn insert(&self, key: u64, value: u64) {
        TtlCache::insert(self, key, value, &[]);
    }
}

impl BenchCache for moka::sync::Cache<u64, u64> {
    fn get(&self, key: u64) -> Option<u64> {
        moka::sync::Cache::get(self, &key)
    }
    fn insert(&self, key: u64, value: u64) {
        moka::sync::Cache::insert(self, key, value);
    }
}

fn ours(capacity: u64) -> TtlCache<u64, u64> {
    TtlCache::new(usize::try_from(capacity).expect("fits"), TTL).expect("valid configuration")
}

fn moka(capacity: u64) -> moka::sync::Cache<u64, u64> {
    moka::sync::Cache::builder()
        .max_capacity(capacity)
        .time_to_live(TTL)
        .build()
}

fn caches(capacity: u64) -> Vec<(&'static str, Box<dyn BenchCache>)> {
    vec![
        ("insights-ttl-cache", Box::new(ours(capacity))),
        ("moka-sync", Box::new(moka(capacity))),
    ]
}

/// Uniform pseudo-random keys below `KEYS` (xorshift64*; deterministic per seed).
struct Keys(u64);

impl Keys {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn fill(cache: &dyn BenchCache) {
    for key in 0..KEYS {
        cache.insert(key, key);
    }
}

fn single_thread(c: &mut Criterion) {
    let mut group = c.benchmark_group("single_thread");
    group.throughput(Throughput::Elements(1));
    for (name, cache) in caches(CAPACITY) {
        fill(cache.as_ref());
        let mut keys = Keys(0x9E37_79B9_7F4A_7C15);
        group.bench_function(BenchmarkId::new("get_hit", name), |b| {
            b.iter(|| black_box(cache.get(black_box(keys.next() % KEYS))));
        });
        group.bench_function(BenchmarkId::new("get_miss", name), |b| {
            b.iter(|| black_box(cache.get(black_box(KEYS + keys.next() % KEYS))));
        });
        group.bench_function(BenchmarkId::new("insert_overwrite", name), |b| {
            b.iter(|| {
                let key = keys.next() % KEYS;
                cache.insert(black_box(key), key);
            });
        });
    }
    // Calibration: a bare dashmap lookup on the same keys, to read the noise of the machine.
    let bare: dashmap::DashMap<u64, u64> = (0..KEYS).map(|k| (k, k)).collect();
    let mut keys = Keys(0x9E37_79B9_7F4A_7C15);
    group.bench_function(BenchmarkId::new("get_hit", "bare-dashmap"), |b| {
        b.iter(|| black_box(bare.get(&black_box(keys.next() % KEYS)).map(|v| *v)));
    });
    // Inserts of new keys into a full cache: every insert evicts.
    for (name, cache) in caches(KEYS) {
        fill(cache.as_ref());
        let mut next_key = KEYS;
        group.bench_function(BenchmarkId::new("insert_evicting", name), |b| {
            b.iter(|| {
                next_key += 1;
                cache.insert(black_box(next_key), next_key);
            });
        });
    }
    group.finish();
}

/// 90% gets, 10% inserts (overwrites), on `THREADS` threads sharing one cache. One iteration
/// is one operation on each thread; the time is wall-clock from the common start.
fn mixed(c: &mut Criterion) {
    let mut group = c.benchmark_group("mixed_90_10_2_threads");
    group.throughput(Throughput::Elements(THREADS as u64));
    for (name, cache) in caches(CAPACITY) {
        fill(cache.as_ref());
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let barrier = Barrier::new(THREADS);
                let cache = cache.as_ref();
                std::thread::scope(|scope| {
                    let workers: Vec<_> = (0..THREADS as u64)
                        .map(|t| {
                            let barrier = &barrier;
                            scope.spawn(move || {
                                let mut keys = Keys(0x5DEE_CE66_D1CE_4E5B ^ (t + 1));
                                barrier.wait();
                                let start = Instant::now();
                                for _ in 0..iters {
                                    let r = keys.next();
                                    let key = (r >> 8) % KEYS;
                                    if r.is_multiple_of(10) {
                                        cache.insert(key, r);
                                    } else {
                                        black_box(cache.get(key));
                                    }
                                }
                                start.elapsed()
                            })
                        })
                        .collect();
                    workers
                        .into_iter()
                        .map(|w| w.join().expect("worker"))
                        .max()
                        .unwrap_or_default()
                })
            });
        });
    }
    group.finish();
}

criterion_group!(benches, single_thread, mixed);
criterion_main!(benches);

//! Naive loop vs the seed's "after" loop vs the linear timeline, on realistic pattern data
//! (and the timeline on the same data in random order).
//!
//! Run (see README for figures):
//! `cargo bench -p insights-week-buckets --bench buckets -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use insights_week_buckets::reference::{naive, seed_after};
use insights_week_buckets::{Span, StatusRule, Timeline, WEEK_MS, WeekWindow};

/// 2025-11-01T17:00:00Z, the request instant of the worked example in `src/lib.rs`.
const ANCHOR_MS: i64 = 1_762_016_400_000;
const DAY_MS: i64 = 86_400_000;

/// Roughly the shape of a `behavioral_patterns` row as the endpoint reads it.
struct Pattern {
    _id: u64,
    kind: u8,
    _confidence: f32,
    detected_ms: i64,
    last_seen_ms: i64,
}

/// Deterministic xorshift64*: the same data on every run without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: i64) -> i64 {
        // bound > 0 at every call site; modulo bias is irrelevant here.
        (self.next() % bound as u64) as i64
    }
}

/// `n` patterns detected over max(26, weeks) weeks before the anchor, with durations: 30 %
/// single sightings, 50 % up to 3 weeks, 20 % 3–16 weeks; ordered like the endpoint's query
/// (`patternType`, `detectedAt`).
fn patterns(n: usize, weeks: u32) -> Vec<Pattern> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64 ^ u64::from(weeks));
    let spread = i64::from(weeks.max(26)) * WEEK_MS;
    let mut out: Vec<Pattern> = (0..n as u64)
        .map(|id| {
            let detected_ms = ANCHOR_MS - 1 - rng.below(spread);
            let duration = match rng.below(10) {
                0..=2 => 0,
                3..=7 => rng.below(21 * DAY_MS),
                _ => 21 * DAY_MS + rng.below(91 * DAY_MS),
            };
            Pattern {
                _id: id,
                kind: rng.below(6) as u8,
                _confidence: 0.5 + (rng.below(50) as f32) / 100.0,
                detected_ms,
                last_seen_ms: (detected_ms + duration).min(ANCHOR_MS - 1),
            }
        })
        .collect();
    out.sort_by_key(|p| (p.kind, p.detected_ms));
    out
}

/// The same patterns in a random order (a deterministic Fisher–Yates shuffle): the timeline
/// handles items 64 at a time, and sorted rows keep each block's items in few weeks, so this
/// measures the input order the endpoint never sends.
fn shuffled(mut items: Vec<Pattern>) -> Vec<Pattern> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ items.len() as u64);
    for i in (1..items.len()).rev() {
        items.swap(i, rng.below(i as i64 + 1) as usize);
    }
    items
}

fn span_of(p: &Pattern) -> Span {
    Span::new(p.detected_ms, p.last_seen_ms)
}

fn evolution(c: &mut Criterion) {
    for weeks in [12_u32, 52] {
        let mut group = c.benchmark_group(format!("evolution_{weeks}w"));
        let Ok(window) = WeekWindow::rolling(ANCHOR_MS, weeks) else {
            panic!("a 12- or 52-week window around 2025 is valid");
        };
        for n in [15_usize, 1_000, 100_000, 1_000_000] {
            let items = patterns(n, weeks);
            group.throughput(Throughput::Elements(n as u64));
            group.sample_size(if n >= 100_000 { 10 } else { 50 });
            let rule = StatusRule::Fixed;
            group.bench_with_input(BenchmarkId::new("naive", n), &items, |b, items| {
                b.iter(|| naive(&window, rule, black_box(items), span_of));
            });
            group.bench_with_input(BenchmarkId::new("seed_after", n), &items, |b, items| {
                b.iter(|| seed_after(&window, rule, black_box(items), span_of));
            });
            group.bench_with_input(BenchmarkId::new("ours", n), &items, |b, items| {
                b.iter(|| Timeline::build(&window, rule, black_box(items), span_of));
            });
            let unsorted = shuffled(patterns(n, weeks));
            group.bench_with_input(
                BenchmarkId::new("ours_unsorted", n),
                &unsorted,
                |b, items| {
                    b.iter(|| Timeline::build(&window, rule, black_box(items), span_of));
                },
            );
            group.bench_with_input(
                BenchmarkId::new("ours_with_kinds", n),
                &items,
                |b, items| {
                    b.iter(|| {
                        Timeline::build_with_kinds(&window, rule, black_box(items), span_of, |p| {
                            p.kind
                        })
                    });
                },
            );
        }
        group.finish();
    }
}

criterion_group!(benches, evolution);
criterion_main!(benches);

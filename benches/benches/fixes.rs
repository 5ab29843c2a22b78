//! Per-fix benchmarks against a real PostgreSQL, each fix against what it replaced:
//! (a) N single-row recommendation inserts vs one multi-row insert,
//! (b) the engine's four reads issued one after another vs pipelined on one connection,
//! (c) each endpoint's query with our indexes vs with only the original's (HEAD Prisma) indexes,
//!     for ordinary users and for one heavy user (5,000 patterns, 500 effectiveness rows),
//! (d) each GET operation of the service answered from its cache vs computed in full,
//! plus `EXPLAIN (ANALYZE, BUFFERS)` of every endpoint query, written to
//! `benches/explain/` for docs/performance.md.
//!
//! Skips (exit 0) when PostgreSQL is unreachable or when not run with `--bench`, so
//! `cargo test --all-targets` stays quick.
#![allow(missing_docs)]

mod fixes {
    pub mod bench_db;
    pub mod sql;
}

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{BenchmarkId, Criterion};
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use fixes::bench_db::{BenchDb, base_url};
use fixes::sql;
use insights_benches::synth;
use insights_benches::workload::{HEAVY_USER_ID, Workload, user_id};
use insights_benches::writer::write_batch;
use insights_model::{NewRecommendation, RecommendationType, Timestamp};
use insights_service::{
    EffectivenessParams, EffectivenessQuery, Envelope, EvolutionParams, EvolutionQuery, Insights,
    RecommendationParams, RecommendationsQuery, ServiceConfig,
};
use insights_store::{Store, redact};
use tokio::runtime::Runtime;

/// Users whose rows fill the tables for the read benchmarks.
const FILL_USERS: usize = 2_000;

#[derive(QueryableByName)]
struct JsonRow {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)] // loaded to transfer the row; its content is not inspected
    row: String,
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("fixes: skipped (run with `cargo bench -p insights-benches --bench fixes`)");
        return;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fixes: cannot start tokio: {e}");
            std::process::exit(1);
        }
    };
    let db = match runtime.block_on(BenchDb::create()) {
        Ok(Some(db)) => db,
        Ok(None) => {
            println!(
                "fixes: skipped, PostgreSQL not reachable at {} (set INSIGHTS_BENCH_DATABASE_URL)",
                redact(&base_url())
            );
            return;
        }
        Err(e) => {
            eprintln!("fixes: setting up the benchmark schema failed: {e}");
            std::process::exit(1);
        }
    };
    let outcome = run_all(&runtime, &db);
    runtime.block_on(db.drop_schema());
    if let Err(e) = outcome {
        eprintln!("fixes: {e}");
        std::process::exit(1);
    }
}

fn run_all(runtime: &Runtime, db: &BenchDb) -> Result<(), String> {
    let now = Timestamp::now();
    println!(
        "fixes: filling {FILL_USERS} users (typical volumes, 60 patterns each, no sessions) and {HEAVY_USER_ID}…"
    );
    runtime.block_on(fill(&db.store, now))?;
    // VACUUM as autovacuum would (index-only scans need the visibility map).
    runtime.block_on(db.execute("VACUUM ANALYZE"))?;
    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_recommendation_writes(&mut criterion, runtime, &db.store, now);
    let mut conn = runtime.block_on(db.connection())?;
    bench_engine_reads(&mut criterion, runtime, &db.store, &conn, now);
    bench_cache(&mut criterion, runtime, &db.store)?;
    runtime.block_on(explain_all(&mut conn, now))?;
    bench_endpoint_queries(&mut criterion, runtime, db, now, "with_our_indexes");
    let drops: String = sql::our_read_indexes()
        .iter()
        .map(|name| format!("DROP INDEX IF EXISTS \"{name}\";"))
        .collect();
    runtime.block_on(db.execute(&format!("{drops} ANALYZE")))?;
    bench_endpoint_queries(&mut criterion, runtime, db, now, "original_indexes_only");
    criterion.final_summary();
    Ok(())
}

/// Realistic tables: typical users, with more patterns each so pattern reads have work to do.
async fn fill(store: &Store, now: Timestamp) -> Result<(), String> {
    let volumes = insights_benches::workload::Volumes {
        patterns: 60,
        sessions: 0,
        ..Workload::Typical.per_user()
    };
    for first in (1..=FILL_USERS).step_by(100) {
        let users: Vec<_> = (first..(first + 100).min(FILL_USERS + 1))
            .map(|i| synth::user_data(7, &user_id(i), &volumes, now))
            .collect();
        write_batch(store, &users, now)
            .await
            .map_err(|e| e.to_string())?;
    }
    // Thousands of rows for one user: where an index matching the query should matter.
    let heavy = Workload::Heavy
        .heavy_user()
        .ok_or("the heavy workload has no heavy user")?;
    let heavy = synth::user_data(7, HEAVY_USER_ID, &heavy, now);
    write_batch(store, std::slice::from_ref(&heavy), now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A user id cycling through the filled users, so reads do not hit one user's pages only.
fn next_user(counter: &AtomicUsize) -> String {
    user_id(counter.fetch_add(1, Ordering::Relaxed) % FILL_USERS + 1)
}

fn candidates(user: &str, n: usize) -> Vec<NewRecommendation> {
    (0..n)
        .map(|i| NewRecommendation {
            user_id: user.to_owned(),
            recommendation_type: RecommendationType::ALL[i % RecommendationType::ALL.len()],
            title: format!("Benchmark recommendation {i}"),
            description: "Generated by the write benchmark.".to_owned(),
            actionable_text: "Nothing to do.".to_owned(),
            confidence: 0.8,
            estimated_impact: 0.7,
            ease_of_implementation: 0.6,
            user_readiness: 0.9,
            priority_score: 0.73,
            source_pattern_ids: Vec::new(),
            source_insight_ids: Vec::new(),
        })
        .collect()
}

/// (a) The seed's N+1 writes vs one statement. Every iteration writes for a fresh user, so no
/// row ever collides with the unique index and both variants do the same inserts.
fn bench_recommendation_writes(c: &mut Criterion, rt: &Runtime, store: &Store, now: Timestamp) {
    let mut group = c.benchmark_group("recommendation_writes");
    let fresh = AtomicUsize::new(0);
    for n in [5usize, 50] {
        group.bench_with_input(BenchmarkId::new("n_single_row_inserts", n), &n, |b, &n| {
            b.to_async(rt).iter(|| {
                let user = format!("writer-{}", fresh.fetch_add(1, Ordering::Relaxed));
                async move {
                    for one in candidates(&user, n) {
                        let _ = store.insert_recommendations(&[one], now).await;
                    }
                }
            });
        });
        group.bench_with_input(BenchmarkId::new("one_multi_row_insert", n), &n, |b, &n| {
            b.to_async(rt).iter(|| {
                let user = format!("writer-{}", fresh.fetch_add(1, Ordering::Relaxed));
                async move {
                    let _ = store
                        .insert_recommendations(&candidates(&user, n), now)
                        .await;
                }
            });
        });
    }
    group.finish();
}

/// (b) The engine's four reads: one after another on one connection (the seed before its fix),
/// pipelined on one connection (same SQL), and the store's `recommendation_inputs`.
fn bench_engine_reads(
    c: &mut Criterion,
    rt: &Runtime,
    store: &Store,
    conn: &AsyncPgConnection,
    now: Timestamp,
) {
    let mut group = c.benchmark_group("engine_reads");
    let users = AtomicUsize::new(0);
    group.bench_function("four_sequential_queries", |b| {
        b.to_async(rt).iter(|| {
            let user = next_user(&users);
            let shared: &AsyncPgConnection = conn;
            async move {
                for query in sql::ENGINE_READS {
                    let _ = diesel::sql_query(query)
                        .bind::<Text, _>(&user)
                        .load::<JsonRow>(&mut &*shared)
                        .await;
                }
            }
        });
    });
    group.bench_function("four_pipelined_queries", |b| {
        b.to_async(rt).iter(|| {
            let user = next_user(&users);
            let shared: &AsyncPgConnection = conn;
            async move {
                let load = |query: &'static str| {
                    let user = user.clone();
                    async move {
                        diesel::sql_query(query)
                            .bind::<Text, _>(user)
                            .load::<JsonRow>(&mut &*shared)
                            .await
                    }
                };
                let [q1, q2, q3, q4] = sql::ENGINE_READS;
                let _ = futures_util::join!(load(q1), load(q2), load(q3), load(q4));
            }
        });
    });
    group.bench_function("store_recommendation_inputs", |b| {
        b.to_async(rt).iter(|| {
            let user = next_user(&users);
            let since = now.saturating_add(-time::Duration::days(30));
            async move {
                let _ = store
                    .recommendation_inputs(
                        &user,
                        since,
                        &insights_recommender::engine::INPUT_LIMITS,
                    )
                    .await;
            }
        });
    });
    group.finish();
}

/// (c) Each endpoint's store call, cycling through the ordinary users and then for the heavy
/// user alone; `label` says which indexes exist.
fn bench_endpoint_queries(
    c: &mut Criterion,
    rt: &Runtime,
    db: &BenchDb,
    now: Timestamp,
    label: &str,
) {
    let store = &db.store;
    let mut group = c.benchmark_group("endpoint_queries");
    let users = AtomicUsize::new(0);
    let twelve_weeks_ago = now.saturating_add(-time::Duration::weeks(12));
    let two_weeks_ago = now.saturating_add(-time::Duration::days(14));
    let month_ago = now.saturating_add(-time::Duration::days(30));
    for heavy in [false, true] {
        let who = if heavy { "heavy_user" } else { "typical_users" };
        let user = || {
            if heavy {
                HEAVY_USER_ID.to_owned()
            } else {
                next_user(&users)
            }
        };
        group.bench_function(
            BenchmarkId::new(format!("evolution_12_weeks/{who}"), label),
            |b| {
                b.to_async(rt).iter(|| {
                    let user = user();
                    async move {
                        let _ = store
                            .patterns_overlapping(&user, twelve_weeks_ago, now, None)
                            .await;
                    }
                });
            },
        );
        group.bench_function(
            BenchmarkId::new(format!("effectiveness_14_days/{who}"), label),
            |b| {
                b.to_async(rt).iter(|| {
                    let user = user();
                    async move {
                        let _ = store.effectiveness_inputs(&user, two_weeks_ago, now).await;
                    }
                });
            },
        );
        group.bench_function(
            BenchmarkId::new(format!("recommendation_inputs/{who}"), label),
            |b| {
                b.to_async(rt).iter(|| {
                    let user = user();
                    async move {
                        let _ = store
                            .recommendation_inputs(
                                &user,
                                month_ago,
                                &insights_recommender::engine::INPUT_LIMITS,
                            )
                            .await;
                    }
                });
            },
        );
    }
    group.finish();
}

/// (d) The service's three GET operations (validation, reads, rules, JSON rendering) with the
/// cache off, against the same calls answered from a warm cache. Users cycle as above; the
/// cached service is warmed with every user first, so every measured call is a hit.
fn bench_cache(c: &mut Criterion, rt: &Runtime, store: &Store) -> Result<(), String> {
    let uncached = Insights::new(
        store.clone(),
        ServiceConfig {
            cache_capacity: 0,
            ..ServiceConfig::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let cached = Insights::new(
        store.clone(),
        ServiceConfig {
            cache_capacity: 4 * FILL_USERS,
            ..ServiceConfig::default()
        },
    )
    .map_err(|e| e.to_string())?;
    // An explicit window (the last 14 days), so a cached effectiveness answer is reusable
    // (the default window, the last 14 days up to now, moves with the clock).
    let now = Timestamp::now();
    let (start, end) = (
        now.saturating_add(-time::Duration::days(14)).to_string(),
        now.to_string(),
    );
    // The server's calls: the query string validated, then the rendered (cached) answer.
    let envelope = Envelope::new(r#"{"success":true,"data":"#, "}");
    let effectiveness = || {
        EffectivenessParams::try_from(EffectivenessQuery {
            start_date: Some(start.clone()),
            end_date: Some(end.clone()),
            ..EffectivenessQuery::default()
        })
    };
    let evolution = || EvolutionParams::try_from(EvolutionQuery::default());
    let recommendations = || RecommendationParams::try_from(RecommendationsQuery::default());
    rt.block_on(async {
        for i in 1..=FILL_USERS {
            let user = user_id(i);
            let rendered = cached.rendered(envelope);
            let check = |e: insights_service::ServiceError| e.to_string();
            rendered
                .effectiveness(&user, &effectiveness().map_err(check)?)
                .await
                .map_err(check)?;
            rendered
                .pattern_evolution(&user, &evolution().map_err(check)?)
                .await
                .map_err(check)?;
            rendered
                .recommendations(&user, &recommendations().map_err(check)?)
                .await
                .map_err(check)?;
        }
        Ok::<_, String>(())
    })?;
    let mut group = c.benchmark_group("service_cache");
    let users = AtomicUsize::new(0);
    for (label, service) in [("full_computation", &uncached), ("cache_hit", &cached)] {
        group.bench_function(BenchmarkId::new("effectiveness", label), |b| {
            b.to_async(rt).iter(|| {
                let user = next_user(&users);
                async move {
                    let params = effectiveness()?;
                    service
                        .rendered(envelope)
                        .effectiveness(&user, &params)
                        .await
                }
            });
        });
        group.bench_function(BenchmarkId::new("evolution_12_weeks", label), |b| {
            b.to_async(rt).iter(|| {
                let user = next_user(&users);
                async move {
                    service
                        .rendered(envelope)
                        .pattern_evolution(&user, &evolution()?)
                        .await
                }
            });
        });
        group.bench_function(BenchmarkId::new("recommendations", label), |b| {
            b.to_async(rt).iter(|| {
                let user = next_user(&users);
                async move {
                    service
                        .rendered(envelope)
                        .recommendations(&user, &recommendations()?)
                        .await
                }
            });
        });
    }
    group.finish();
    Ok(())
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of every endpoint query for one filled user, with our indexes,
/// written to `benches/explain/<query>.txt` (or `INSIGHTS_BENCH_EXPLAIN_DIR`).
async fn explain_all(conn: &mut AsyncPgConnection, now: Timestamp) -> Result<(), String> {
    #[derive(QueryableByName)]
    struct PlanLine {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let dir = std::env::var("INSIGHTS_BENCH_EXPLAIN_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/explain").to_owned());
    std::fs::create_dir_all(&dir).map_err(|e| format!("{dir}: {e}"))?;
    // Plans of a warm cache are what the service sees in steady state.
    conn.batch_execute("SELECT 1")
        .await
        .map_err(|e| e.to_string())?;
    let user = user_id(FILL_USERS / 2);
    let start = now.saturating_add(-time::Duration::weeks(12)).to_string();
    let end = now.to_string();
    for query in &sql::ENDPOINT_QUERIES {
        let text = query
            .sql
            .replace("{user}", &user)
            .replace("{start}", &start)
            .replace("{end}", &end);
        let explain = format!("EXPLAIN (ANALYZE, BUFFERS) {text}");
        // Once to warm the buffers, then the captured run.
        let _ = diesel::sql_query(&explain).load::<PlanLine>(conn).await;
        let plan: Vec<PlanLine> = diesel::sql_query(&explain)
            .load(conn)
            .await
            .map_err(|e| format!("{}: {e}", query.name))?;
        let mut out = format!(
            "-- {}\n{}\n\n",
            query.name,
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        for line in plan {
            out.push_str(&line.line);
            out.push('\n');
        }
        let path = format!("{dir}/{}.txt", query.name);
        std::fs::write(&path, out).map_err(|e| format!("{path}: {e}"))?;
    }
    println!("fixes: EXPLAIN plans written to {dir}");
    Ok(())
}

//! `insights-load`: closed-loop HTTP/1.1 load against a running `insights serve` on 127.0.0.1,
//! wrk-style (K keep-alive connections, warm-up then a measured window), one endpoint at a time.
#![allow(missing_docs)]

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use clap::{Parser, ValueEnum};
use hdrhistogram::Histogram;
use insights_benches::load::client::{Connection, get_once};
use insights_benches::load::metrics::ServerCounters;
use insights_benches::load::report::{EndpointResult, markdown};
use insights_benches::load::tokens::mint_all;
use insights_benches::load::users::{Distribution, UserPicker};
use insights_benches::workload::user_id;
use rand::SeedableRng;
use rand::rngs::StdRng;
use time::OffsetDateTime;
use tokio::time::Instant;

/// Longest warm-up or measured phase accepted, so a typo cannot start an hour-long run.
const MAX_PHASE_SECS: u64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Endpoint {
    /// `GET /healthz`: the trivial route, the bound on what the HTTP stack can do.
    Healthz,
    /// Effectiveness with an explicit, fixed 14-day window (cacheable).
    EffectivenessFixed,
    /// Effectiveness with the default window (ends "now", as the front end asks).
    EffectivenessDefault,
    /// Pattern evolution, 12 weeks.
    Evolution,
    /// Recommendations (limit 5).
    Recommendations,
}

impl Endpoint {
    fn name(self) -> &'static str {
        match self {
            Self::Healthz => "healthz",
            Self::EffectivenessFixed => "effectiveness (fixed window)",
            Self::EffectivenessDefault => "effectiveness (default window)",
            Self::Evolution => "evolution, 12 weeks",
            Self::Recommendations => "recommendations",
        }
    }

    fn path(self, user: &str, fixed_window: &(String, String)) -> String {
        match self {
            Self::Healthz => "/healthz".to_owned(),
            Self::EffectivenessFixed => format!(
                "/api/personalization/effectiveness?startDate={}&endDate={}",
                fixed_window.0, fixed_window.1
            ),
            Self::EffectivenessDefault => "/api/personalization/effectiveness".to_owned(),
            Self::Evolution => {
                format!(
                    "/api/analytics/behavioral-insights/patterns/evolution?userId={user}&weeks=12"
                )
            }
            Self::Recommendations => {
                format!("/api/analytics/behavioral-insights/recommendations?userId={user}&limit=5")
            }
        }
    }
}

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Closed-loop HTTP load against a local insights server"
)]
struct Args {
    /// Server address; must be 127.0.0.1.
    #[arg(long, default_value = "127.0.0.1:8080")]
    target: SocketAddr,
    /// The server's INSIGHTS_JWT_SECRET, to mint the users' tokens.
    #[arg(long, env = "INSIGHTS_JWT_SECRET", hide_env_values = true)]
    jwt_secret: String,
    /// Endpoints to run, in order (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "healthz,effectiveness-fixed,effectiveness-default,evolution,recommendations"
    )]
    endpoints: Vec<Endpoint>,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Warm-up seconds per endpoint (not measured).
    #[arg(long, default_value_t = 5)]
    warmup: u64,
    /// Measured seconds per endpoint (per run).
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Measured runs per endpoint, back to back after one warm-up; the run with the median
    /// requests/s is reported (the original's figures are the median of 3).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Client threads (wrk's `-t`; the original was measured with 1).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Users `user-00001` … `user-N` to draw from.
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Ask for this one user only (e.g. `heavy-user`) instead of drawing.
    #[arg(long)]
    only_user: Option<String>,
    /// How users are drawn.
    #[arg(long, value_enum, default_value = "uniform")]
    distribution: Distribution,
    /// Seed of the user draws.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Label of the server configuration, copied into the report (e.g. "cache off").
    #[arg(long, default_value = "")]
    label: String,
    /// Upper bound on requests per endpoint run (a safety stop).
    #[arg(long, default_value_t = 10_000_000)]
    max_requests: u64,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// What every connection task needs.
struct Shared {
    target: SocketAddr,
    users: Vec<String>,
    tokens: Vec<String>,
    picker: UserPicker,
    fixed_window: (String, String),
    max_requests: u64,
    issued: AtomicU64,
}

/// One connection task's tally.
struct Tally {
    latencies_us: Histogram<u64>,
    errors: u64,
}

fn main() {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build();
    let outcome = match runtime {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(e) => Err(format!("cannot start the client runtime: {e}")),
    };
    if let Err(message) = outcome {
        eprintln!("insights-load: {message}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    if args.target.ip() != std::net::IpAddr::V4(Ipv4Addr::LOCALHOST) {
        return Err(format!(
            "refusing to load {}: only 127.0.0.1 targets are allowed",
            args.target
        ));
    }
    if args.warmup > MAX_PHASE_SECS || args.duration > MAX_PHASE_SECS || args.duration == 0 {
        return Err(format!(
            "--warmup/--duration must be at most {MAX_PHASE_SECS} s (duration > 0)"
        ));
    }
    if !(1..=9).contains(&args.runs) {
        return Err("--runs must be between 1 and 9".to_owned());
    }
    let (status, _) = get_once(args.target, "/healthz")
        .await
        .map_err(|e| format!("server not reachable at {}: {e}", args.target))?;
    if !status.is_success() {
        return Err(format!("/healthz answered {status}"));
    }
    let users: Vec<String> = match &args.only_user {
        Some(u) => vec![u.clone()],
        None => (1..=args.users.max(1)).map(user_id).collect(),
    };
    let ttl =
        2 * (args.warmup + args.duration * args.runs as u64) * args.endpoints.len() as u64 + 3_600;
    let tokens = mint_all(&args.jwt_secret, &users, ttl)?;
    // A fixed window: the 14 days up to the start of this UTC day, same string every request.
    let today = OffsetDateTime::now_utc().date().midnight().assume_utc();
    let fmt = |t: OffsetDateTime| insights_model::Timestamp::truncating(t).to_string();
    let fixed_window = (fmt(today - time::Duration::days(14)), fmt(today));
    let shared = Arc::new(Shared {
        target: args.target,
        picker: UserPicker::new(users.len(), args.distribution),
        users,
        tokens,
        fixed_window,
        max_requests: args.max_requests,
        issued: AtomicU64::new(0),
    });
    let mut results = Vec::new();
    for &endpoint in &args.endpoints {
        let mut runs = Vec::with_capacity(args.runs);
        for run in 0..args.runs {
            shared.issued.store(0, Ordering::Relaxed);
            // Runs follow each other at once: only the first needs a warm-up.
            let warmup = if run == 0 { args.warmup } else { 0 };
            let result = run_endpoint(&args, &shared, endpoint, warmup).await?;
            println!(
                "{} (run {}/{}): {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms, errors {}{}",
                result.endpoint,
                run + 1,
                args.runs,
                result.requests_per_sec,
                result.p50_ms,
                result.p99_ms,
                result.p999_ms,
                result.max_ms,
                result.errors,
                if result.tail_spike {
                    "  TAIL SPIKE (max > 10 x p99)"
                } else {
                    ""
                }
            );
            runs.push(result);
        }
        results.push(EndpointResult::median_run(runs).ok_or("no run finished")?);
    }
    println!("\n{}", markdown(&results));
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

async fn run_endpoint(
    args: &Args,
    shared: &Arc<Shared>,
    endpoint: Endpoint,
    warmup: u64,
) -> Result<EndpointResult, String> {
    let measure_from = Instant::now() + Duration::from_secs(warmup);
    let until = measure_from + Duration::from_secs(args.duration);
    let workers: Vec<_> = (0..args.connections.max(1))
        .map(|i| {
            let shared = Arc::clone(shared);
            let seed = args.seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
            tokio::spawn(drive_connection(
                shared,
                endpoint,
                seed,
                measure_from,
                until,
            ))
        })
        .collect();
    tokio::time::sleep_until(measure_from).await;
    let before = scrape(shared.target).await;
    let mut latencies =
        Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?;
    let mut errors = 0;
    let mut after = None;
    for (i, worker) in workers.into_iter().enumerate() {
        let tally = worker
            .await
            .map_err(|e| format!("connection task failed: {e}"))??;
        if i == 0 {
            // The first task returns at about `until`; scrape before the others' tails skew it.
            after = Some(scrape(shared.target).await);
        }
        latencies
            .add(&tally.latencies_us)
            .map_err(|e| e.to_string())?;
        errors += tally.errors;
    }
    let delta = match (before, after.flatten()) {
        (Some(b), Some(a)) => Some(b.delta(&a)),
        _ => None,
    };
    let completed = latencies.len() as f64;
    Ok(EndpointResult::from_histogram(
        endpoint.name(),
        &args.label,
        args.connections,
        args.duration as f64,
        &latencies,
        errors,
        delta.and_then(|d| {
            (completed > 0.0 && endpoint != Endpoint::Healthz).then(|| d.statements / completed)
        }),
        delta.and_then(|d| d.hit_rate()),
    ))
}

async fn scrape(target: SocketAddr) -> Option<ServerCounters> {
    match get_once(target, "/metrics").await {
        Ok((status, body)) if status.is_success() => Some(ServerCounters::parse(&body)),
        _ => None,
    }
}

/// One closed-loop client: request, wait for the full response, repeat. Responses completed in
/// `[measure_from, until)` are recorded.
async fn drive_connection(
    shared: Arc<Shared>,
    endpoint: Endpoint,
    seed: u64,
    measure_from: Instant,
    until: Instant,
) -> Result<Tally, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut tally = Tally {
        latencies_us: Histogram::new_with_bounds(1, 60_000_000, 3).map_err(|e| e.to_string())?,
        errors: 0,
    };
    let mut conn = Connection::open(shared.target).await?;
    while Instant::now() < until
        && shared.issued.fetch_add(1, Ordering::Relaxed) < shared.max_requests
    {
        let user = shared.picker.pick(&mut rng);
        let path = endpoint.path(&shared.users[user], &shared.fixed_window);
        let token = (endpoint != Endpoint::Healthz).then(|| shared.tokens[user].as_str());
        let started = Instant::now();
        let outcome = conn.get(&path, token).await;
        let finished = Instant::now();
        let measured = finished >= measure_from && finished < until;
        match outcome {
            Ok((status, _)) => {
                if measured {
                    let us = (finished - started).as_micros().clamp(1, 60_000_000) as u64;
                    tally.latencies_us.saturating_record(us);
                    tally.errors += u64::from(!status.is_success());
                }
            }
            Err(_) => {
                if measured {
                    tally.errors += 1;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                conn = Connection::open(shared.target).await?;
            }
        }
    }
    Ok(tally)
}

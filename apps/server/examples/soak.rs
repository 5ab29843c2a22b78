//! Soak driver (docs/reliability.md): seeds users through the ingestion routes, then runs a bounded
//! mix of reads and writes against a running `insights serve` on 127.0.0.1 at a fixed concurrency,
//! sampling the server's resident memory from `/proc/<pid>/status`. Prints a Markdown summary and
//! optionally writes JSON. `scripts/reliability/soak.sh` starts the server and runs this.
//!
//! With `--read-only` the mix is only the three GET routes (no ingestion, no apply), and seeding
//! also makes each user's first recommendations GET (the one that creates them), so the data
//! does not grow during the run: any steady growth of the server's memory would then be a leak,
//! not bigger responses.
//!
//! Every request must answer 200, except an apply that lost a race to another connection (409,
//! counted apart). Anything else — another status, a transport error — is an error.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use insights_model::PatternType;
use insights_server::auth::JwtKeys;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// Longest run accepted, so a typo cannot start an hour-long soak.
const MAX_DURATION_SECS: u64 = 900;

#[derive(Debug, Parser)]
#[command(about = "Bounded mixed read/write soak against a local insights server")]
struct Args {
    /// Server address; must be a loopback address.
    #[arg(long, default_value = "127.0.0.1:8080")]
    target: SocketAddr,
    /// The server's HS256 secret.
    #[arg(long, env = "INSIGHTS_JWT_SECRET", hide_env_values = true)]
    jwt_secret: String,
    /// Users `soak-00001` … to seed and draw from.
    #[arg(long, default_value_t = 300)]
    users: usize,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds of mixed traffic after seeding.
    #[arg(long, default_value_t = 300)]
    duration_secs: u64,
    /// Server process whose VmRSS is sampled.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Seconds between memory samples.
    #[arg(long, default_value_t = 5)]
    sample_secs: u64,
    /// Only the three GET routes, so the data does not grow (the memory-flat check).
    #[arg(long)]
    read_only: bool,
    /// Skip seeding (the users already exist).
    #[arg(long)]
    no_seed: bool,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// One keep-alive HTTP/1.1 connection (no TLS, no compression: loopback only).
struct Connection {
    target: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

impl Connection {
    fn new(target: SocketAddr) -> Self {
        Self {
            target,
            stream: None,
        }
    }

    /// Sends one request and reads the whole response; reconnects once per call if needed.
    async fn request(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&str>,
    ) -> std::io::Result<(u16, String)> {
        if self.stream.is_none() {
            let stream = TcpStream::connect(self.target).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(BufReader::new(stream));
        }
        let result = self.exchange(method, path, token, body).await;
        if result.is_err() {
            // A broken connection is not reused.
            self.stream = None;
        }
        result
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&str>,
    ) -> std::io::Result<(u16, String)> {
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| std::io::Error::other("not connected"))?;
        let body = body.unwrap_or("");
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        // One write: head and body in two writes meet Nagle + delayed ACK (~40 ms per POST).
        let request = [head.as_bytes(), body.as_bytes()].concat();
        stream.get_mut().write_all(&request).await?;
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked) = (0usize, false);
        loop {
            line.clear();
            if stream.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::other("closed in headers"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
                if name == "content-length" {
                    length = value.parse().map_err(std::io::Error::other)?;
                } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
                    chunked = true;
                }
            }
        }
        let mut bytes = Vec::new();
        if chunked {
            loop {
                line.clear();
                stream.read_line(&mut line).await?;
                let size = usize::from_str_radix(line.trim(), 16).map_err(std::io::Error::other)?;
                let mut chunk = vec![0; size + 2];
                stream.read_exact(&mut chunk).await?;
                if size == 0 {
                    break;
                }
                bytes.extend_from_slice(&chunk[..size]);
            }
        } else {
            bytes.resize(length, 0);
            stream.read_exact(&mut bytes).await?;
        }
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

/// The kinds of request in the mix, with their share (out of 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Recommendations,
    Evolution,
    EffectivenessDefault,
    EffectivenessFixed,
    IngestPatterns,
    IngestSessions,
    Apply,
}

const MIX: [(Op, u32); 7] = [
    (Op::Recommendations, 35),
    (Op::Evolution, 20),
    (Op::EffectivenessDefault, 15),
    (Op::EffectivenessFixed, 10),
    (Op::IngestPatterns, 10),
    (Op::IngestSessions, 5),
    (Op::Apply, 5),
];

/// `--read-only`: the GET routes only, in about the same proportions among themselves.
const READ_ONLY_MIX: [(Op, u32); 4] = [
    (Op::Recommendations, 40),
    (Op::Evolution, 25),
    (Op::EffectivenessDefault, 20),
    (Op::EffectivenessFixed, 15),
];

fn pick_op(mix: &[(Op, u32)], rng: &mut impl Rng) -> Op {
    let mut roll = rng.random_range(0..100);
    for &(op, share) in mix {
        if roll < share {
            return op;
        }
        roll -= share;
    }
    Op::Recommendations
}

/// What the run saw, per operation.
#[derive(Default)]
struct Tally {
    ok: BTreeMap<Op, u64>,
    conflicts: u64,
    errors: Vec<String>,
    latencies_us: BTreeMap<Op, Vec<u32>>,
}

fn user_id(i: usize) -> String {
    format!("soak-{i:05}")
}

fn pattern_item(rng: &mut impl Rng) -> Value {
    let types = PatternType::ALL;
    json!({
        "patternType": types[rng.random_range(0..types.len())].as_str(),
        "confidence": rng.random_range(0.6..1.0),
        "patternData": {"hourOfDay": rng.random_range(6..22), "recommendedDuration": 45},
        "evidence": [format!("{} sessions analyzed", rng.random_range(10..80))],
    })
}

fn session_item(rng: &mut impl Rng) -> Value {
    let days_ago = rng.random_range(0..60);
    let start = time::OffsetDateTime::now_utc() - time::Duration::days(days_ago);
    let format = time::format_description::well_known::Rfc3339;
    json!({
        "startedAt": start.format(&format).unwrap_or_default(),
        "durationMs": rng.random_range(600_000..3_600_000),
        "reviewsCompleted": rng.random_range(0..100),
    })
}

async fn seed(args: &Args, ops_token: &str, user_tokens: &[String]) -> Result<(), String> {
    let mut conn = Connection::new(args.target);
    let mut rng = rand::rng();
    for i in 1..=args.users {
        let user = user_id(i);
        let patterns: Vec<Value> = (0..5).map(|_| pattern_item(&mut rng)).collect();
        let sessions: Vec<Value> = (0..5).map(|_| session_item(&mut rng)).collect();
        for (route, items) in [("patterns", patterns), ("sessions", sessions)] {
            let path = format!("/api/analytics/behavioral-insights/{route}?userId={user}");
            let body = Value::Array(items).to_string();
            let (status, text) = conn
                .request("POST", &path, ops_token, Some(&body))
                .await
                .map_err(|e| format!("seeding {user}: {e}"))?;
            if status != 200 {
                return Err(format!("seeding {user}: {status} {text}"));
            }
        }
        if args.read_only {
            // The first GET creates the user's recommendations; later ones only read them.
            let token = user_tokens[i - 1].as_str();
            let path = "/api/analytics/behavioral-insights/recommendations?limit=20";
            let (status, text) = conn
                .request("GET", path, token, None)
                .await
                .map_err(|e| format!("seeding {user}: {e}"))?;
            if status != 200 {
                return Err(format!("seeding {user} recommendations: {status} {text}"));
            }
        }
    }
    Ok(())
}

/// Runs one request of `op` for `user`; `Ok(true)` on success, `Ok(false)` on an apply
/// conflict, `Err` on anything unexpected.
async fn one(
    conn: &mut Connection,
    op: Op,
    token: &str,
    rng: &mut impl Rng,
) -> Result<bool, String> {
    let expect_ok = |what: &str, (status, text): (u16, String)| {
        if status == 200 {
            Ok(text)
        } else {
            Err(format!("{what}: {status} {text:.200}"))
        }
    };
    let io = |e: std::io::Error| format!("{op:?}: transport: {e}");
    // Every operation but apply is one request that must answer 200.
    let (what, method, path, body) = match op {
        Op::Recommendations => {
            let limit = [5, 5, 5, 10, 20][rng.random_range(0..5)];
            let path = format!("/api/analytics/behavioral-insights/recommendations?limit={limit}");
            ("recommendations", "GET", path, None)
        }
        Op::Evolution => {
            let weeks = [4, 12, 12, 26][rng.random_range(0..4)];
            let path =
                format!("/api/analytics/behavioral-insights/patterns/evolution?weeks={weeks}");
            ("evolution", "GET", path, None)
        }
        Op::EffectivenessDefault => {
            let path = "/api/personalization/effectiveness".to_owned();
            ("effectiveness", "GET", path, None)
        }
        Op::EffectivenessFixed => {
            let path = "/api/personalization/effectiveness?startDate=2025-09-01&endDate=2025-10-01";
            ("effectiveness", "GET", path.to_owned(), None)
        }
        Op::IngestPatterns => {
            let body = json!([pattern_item(rng)]).to_string();
            let path = "/api/analytics/behavioral-insights/patterns".to_owned();
            ("patterns", "POST", path, Some(body))
        }
        Op::IngestSessions => {
            let body = json!([session_item(rng)]).to_string();
            let path = "/api/analytics/behavioral-insights/sessions".to_owned();
            ("sessions", "POST", path, Some(body))
        }
        Op::Apply => {
            let path = "/api/analytics/behavioral-insights/recommendations";
            let list = expect_ok(
                "list",
                conn.request("GET", path, token, None).await.map_err(io)?,
            )?;
            let list: Value = serde_json::from_str(&list).map_err(|e| format!("list JSON: {e}"))?;
            let Some(id) = list["data"]["recommendations"][0]["id"].as_str() else {
                // Everything applied already: nothing to do, not an error.
                return Ok(true);
            };
            let path = format!("/api/analytics/behavioral-insights/recommendations/{id}/apply");
            let body = r#"{"applicationType":"MANUAL"}"#;
            let (status, text) = conn
                .request("POST", &path, token, Some(body))
                .await
                .map_err(io)?;
            return match status {
                200 => Ok(true),
                // Another connection applied it between our list and our apply.
                409 => Ok(false),
                _ => Err(format!("apply: {status} {text:.200}")),
            };
        }
    };
    expect_ok(
        what,
        conn.request(method, &path, token, body.as_deref())
            .await
            .map_err(io)?,
    )?;
    Ok(true)
}

fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    f64::from(sorted[rank.min(sorted.len() - 1)]) / 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    if !args.target.ip().is_loopback() {
        return Err("the soak only talks to a loopback address".into());
    }
    if args.duration_secs == 0 || args.duration_secs > MAX_DURATION_SECS {
        return Err(format!("--duration-secs must be 1..={MAX_DURATION_SECS}"));
    }
    let keys = JwtKeys::new(args.jwt_secret.as_bytes());
    let ttl = Duration::from_secs(args.duration_secs + 3600);
    let ops_token = keys
        .issue("soak-ops", true, ttl)
        .map_err(|e| e.to_string())?;
    let tokens: Arc<Vec<String>> = Arc::new(
        (1..=args.users)
            .map(|i| keys.issue(&user_id(i), false, ttl))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?,
    );
    if !args.no_seed {
        let started = Instant::now();
        seed(&args, &ops_token, &tokens).await?;
        eprintln!("seeded {} users in {:.1?}", args.users, started.elapsed());
    }

    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.duration_secs);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let sampler = args.server_pid.map(|pid| {
        let every = Duration::from_secs(args.sample_secs.max(1));
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while Instant::now() < deadline {
                if let Some(kib) = vm_rss_kib(pid) {
                    samples.push((started.elapsed().as_secs(), kib));
                }
                tokio::time::sleep(every).await;
            }
            // One more at the end of the traffic.
            if let Some(kib) = vm_rss_kib(pid) {
                samples.push((started.elapsed().as_secs(), kib));
            }
            samples
        })
    });
    let mix: &'static [(Op, u32)] = if args.read_only { &READ_ONLY_MIX } else { &MIX };
    let workers: Vec<_> = (0..args.connections)
        .map(|_| {
            let (tokens, tally, target) = (Arc::clone(&tokens), Arc::clone(&tally), args.target);
            tokio::spawn(async move {
                let mut conn = Connection::new(target);
                let mut local = Tally::default();
                // A Send RNG: the task moves between runtime threads at each await.
                let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());
                while Instant::now() < deadline {
                    let i = rng.random_range(0..tokens.len());
                    let op = pick_op(mix, &mut rng);
                    let t0 = Instant::now();
                    let outcome = one(&mut conn, op, &tokens[i], &mut rng).await;
                    let us = u32::try_from(t0.elapsed().as_micros()).unwrap_or(u32::MAX);
                    match outcome {
                        Ok(true) => *local.ok.entry(op).or_default() += 1,
                        Ok(false) => local.conflicts += 1,
                        Err(e) => local.errors.push(e),
                    }
                    local.latencies_us.entry(op).or_default().push(us);
                }
                let mut total = tally.lock().await;
                for (op, n) in local.ok {
                    *total.ok.entry(op).or_default() += n;
                }
                total.conflicts += local.conflicts;
                total.errors.extend(local.errors);
                for (op, v) in local.latencies_us {
                    total.latencies_us.entry(op).or_default().extend(v);
                }
            })
        })
        .collect();
    for w in workers {
        w.await.map_err(|e| e.to_string())?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let samples = match sampler {
        Some(s) => s.await.map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let mut tally = Arc::try_unwrap(tally)
        .map_err(|_| "workers still hold the tally".to_owned())?
        .into_inner();

    let total: u64 = tally.ok.values().sum::<u64>() + tally.conflicts + tally.errors.len() as u64;
    let mode = if args.read_only { "read-only" } else { "mixed" };
    println!(
        "## Soak ({mode}): {elapsed:.0} s, {} connections, {} users\n",
        args.connections, args.users
    );
    println!(
        "{total} operations ({:.0}/s), {} errors, {} apply conflicts (409, expected under races)\n",
        total as f64 / elapsed,
        tally.errors.len(),
        tally.conflicts
    );
    println!("| operation | ok | p50 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|");
    let mut per_op = serde_json::Map::new();
    for (op, lat) in &mut tally.latencies_us {
        lat.sort_unstable();
        let ok = tally.ok.get(op).copied().unwrap_or(0);
        let (p50, p99, max) = (
            percentile(lat, 50.0),
            percentile(lat, 99.0),
            percentile(lat, 100.0),
        );
        println!("| {op:?} | {ok} | {p50:.2} | {p99:.2} | {max:.2} |");
        per_op.insert(
            format!("{op:?}"),
            json!({"ok": ok, "p50_ms": p50, "p99_ms": p99, "max_ms": max}),
        );
    }
    if !samples.is_empty() {
        let rss: Vec<u64> = samples.iter().map(|s| s.1).collect();
        let (first, last) = (rss[0], rss[rss.len() - 1]);
        let (min, max) = (
            rss.iter().min().copied().unwrap_or(0),
            rss.iter().max().copied().unwrap_or(0),
        );
        println!(
            "\nServer VmRSS over {} samples: first {} MiB, last {} MiB, min {} MiB, max {} MiB",
            rss.len(),
            first / 1024,
            last / 1024,
            min / 1024,
            max / 1024
        );
        let series: Vec<String> = samples
            .iter()
            .map(|(t, kib)| format!("{t} s: {:.1}", *kib as f64 / 1024.0))
            .collect();
        println!("VmRSS series (MiB): {}", series.join(", "));
    }
    for e in tally.errors.iter().take(10) {
        println!("error: {e}");
    }
    if let Some(path) = &args.json {
        let report = json!({
            "mode": mode, "elapsed_s": elapsed, "connections": args.connections, "users": args.users,
            "operations": total, "errors": tally.errors.len(), "conflicts": tally.conflicts,
            "first_errors": tally.errors.iter().take(10).collect::<Vec<_>>(),
            "per_operation": per_op,
            "rss_kib": samples.iter().map(|(t, kib)| json!([t, kib])).collect::<Vec<_>>(),
        });
        std::fs::write(path, report.to_string()).map_err(|e| e.to_string())?;
    }
    if tally.errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{} errors", tally.errors.len()))
    }
}

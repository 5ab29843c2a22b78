//! `insights-datagen`: fills a database (PostgreSQL or SQLite) with one of the benchmark
//! workloads, deterministically from a seed.
#![allow(missing_docs)]

use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use insights_benches::synth::{self, UserData};
use insights_benches::workload::{HEAVY_USER_ID, Workload, user_id};
use insights_benches::writer::write_batch;
use insights_model::Timestamp;
use insights_store::{DatabaseUrl, SecretUrl, Store, StoreConfig};

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Generate a benchmark workload (see docs/performance.md) into a database"
)]
struct Args {
    /// Target database: postgres://… or sqlite://path.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: SecretUrl,
    /// Which data set.
    #[arg(long, value_enum, default_value = "typical")]
    workload: Workload,
    /// Number of ordinary users (default: the workload's). `--workload heavy --users 0` adds only
    /// the heavy user, e.g. to a database that already holds `typical`.
    #[arg(long)]
    users: Option<usize>,
    /// RNG seed; the same seed, workload and `--now` give the same values.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The instant the 26 weeks of history end at (RFC 3339); default: now.
    #[arg(long)]
    now: Option<String>,
    /// Users written per batch of multi-row statements.
    #[arg(long, default_value_t = 100)]
    batch: usize,
    /// Batches written concurrently.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(message) = run(args).await {
        eprintln!("insights-datagen: {message}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let now = match &args.now {
        Some(s) => Timestamp::parse(s).map_err(|e| format!("--now: {e}"))?,
        None => Timestamp::now(),
    };
    let url = DatabaseUrl::parse(args.database_url.expose()).map_err(|e| e.to_string())?;
    let mut config = StoreConfig::new(url);
    // Each batch issues up to five concurrent inserts plus per-user calls; waiting for a
    // connection is normal here, not a failure.
    config.pool_size = config.pool_size.min(8);
    config.checkout_timeout = Duration::from_secs(120);
    let store = Store::connect(&config).await.map_err(|e| e.to_string())?;
    if store.is_uninitialised().await.map_err(|e| e.to_string())? {
        let applied = store.migrate().await.map_err(|e| e.to_string())?;
        println!(
            "migrated {} (applied {})",
            args.database_url,
            applied.join(", ")
        );
    }
    store.check_schema().await.map_err(|e| e.to_string())?;

    let users = args.users.unwrap_or_else(|| args.workload.default_users());
    let per_user = args.workload.per_user();
    let heavy = args.workload.heavy_user();
    let total_users = users + usize::from(heavy.is_some());
    println!(
        "generating {:?}: {users} users{} (seed {}, now {now}) into {}",
        args.workload,
        if heavy.is_some() { " + heavy-user" } else { "" },
        args.seed,
        args.database_url
    );

    let progress = ProgressBar::new(total_users as u64);
    progress.set_style(
        ProgressStyle::with_template(
            "{bar:40} {pos}/{len} users  {elapsed_precise}  eta {eta}  {msg}",
        )
        .map_err(|e| e.to_string())?,
    );
    let started = Instant::now();
    let batch = args.batch.max(1);
    // Batches are lists of user ids; the heavy user goes alone in the last batch.
    let mut batches: Vec<Vec<(String, insights_benches::workload::Volumes)>> = (1..=users)
        .collect::<Vec<_>>()
        .chunks(batch)
        .map(|chunk| chunk.iter().map(|&i| (user_id(i), per_user)).collect())
        .collect();
    if let Some(volumes) = heavy {
        batches.push(vec![(HEAVY_USER_ID.to_owned(), volumes)]);
    }
    let rows: usize = stream::iter(batches)
        .map(|ids| {
            let (store, progress, seed) = (&store, &progress, args.seed);
            async move {
                let data: Vec<UserData> = ids
                    .iter()
                    .map(|(id, volumes)| synth::user_data(seed, id, volumes, now))
                    .collect();
                let rows = write_batch(store, &data, now).await?;
                progress.inc(data.len() as u64);
                Ok::<_, insights_store::StoreError>(rows)
            }
        })
        .buffer_unordered(args.jobs.max(1))
        .try_fold(0usize, |acc, rows| async move { Ok(acc + rows) })
        .await
        .map_err(|e| e.to_string())?;
    progress.finish();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "wrote {rows} rows for {total_users} users in {secs:.1} s ({:.0} rows/s, {} statements)",
        rows as f64 / secs,
        store.statements().get()
    );
    Ok(())
}

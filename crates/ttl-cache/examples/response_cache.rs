//! A per-user response cache in one short program: concurrent misses share one load, a write
//! invalidates all of a user's entries at once, entries expire, and the statistics say what
//! happened. Time is a `ManualClock`, so the expiry needs no sleep.
//!
//! Run: `cargo run -p insights-ttl-cache --example response_cache`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use insights_ttl_cache::{ManualClock, TtlCache};

/// Stands in for a database query: counts its runs and yields once, so that the other
/// requests arrive while it is still in flight.
async fn load_evolution(user: &str, runs: &AtomicUsize) -> Result<Arc<str>, std::io::Error> {
    runs.fetch_add(1, Ordering::Relaxed);
    tokio::task::yield_now().await;
    Ok(Arc::from(format!("{{\"user\":\"{user}\",\"weeks\":12}}")))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock = ManualClock::new();
    // At most 1,000 responses and 1 MiB of text; one user at most 64 of them.
    let cache: TtlCache<String, Arc<str>> = TtlCache::builder(1_000, Duration::from_secs(30))
        .weigher(1 << 20, |key: &String, body: &Arc<str>| {
            (key.len() + body.len()) as u64
        })
        .per_owner_bound(64, 1 << 17)
        .clock(clock.clone())
        .build()?;

    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    runtime.block_on(async {
        // Eight concurrent requests for the same uncached answer.
        let runs = AtomicUsize::new(0);
        let alice: Arc<str> = Arc::from("alice");
        let requests = (0..8).map(|_| {
            cache.get_or_try_insert_with(
                "evolution:alice:12".to_owned(),
                std::slice::from_ref(&alice),
                || load_evolution("alice", &runs),
            )
        });
        let answers = join_all(requests).await;
        let ok = answers.iter().filter(|a| a.is_ok()).count();
        println!(
            "8 concurrent misses: {ok} answers, loader ran {} time(s)",
            runs.load(Ordering::Relaxed)
        );
    });

    // More cached answers for two users, each entry tagged with its owner.
    let bob: Arc<str> = Arc::from("bob");
    let alice: Arc<str> = Arc::from("alice");
    cache.insert(
        "recommendations:alice".to_owned(),
        Arc::from("[]"),
        std::slice::from_ref(&alice),
    );
    cache.insert(
        "evolution:bob:12".to_owned(),
        Arc::from("{}"),
        std::slice::from_ref(&bob),
    );
    println!("cached: {} entries", cache.len());

    // Alice applied a recommendation: every answer of hers goes, whatever its key.
    cache.invalidate_tag("alice");
    for key in [
        "evolution:alice:12",
        "recommendations:alice",
        "evolution:bob:12",
    ] {
        let state = if cache.get(key).is_some() {
            "hit"
        } else {
            "miss"
        };
        println!("after invalidate_tag(\"alice\"): {key} -> {state}");
    }

    // A short-lived entry, and 31 seconds later for everything else too.
    cache.insert_with_ttl(
        "health".to_owned(),
        Arc::from("ok"),
        Duration::from_secs(5),
        &[],
    );
    clock.advance(Duration::from_secs(6));
    println!(
        "6 s later: health -> {}, evolution:bob:12 -> {}",
        if cache.get("health").is_some() {
            "hit"
        } else {
            "expired"
        },
        if cache.get("evolution:bob:12").is_some() {
            "hit"
        } else {
            "expired"
        },
    );
    clock.advance(Duration::from_secs(25));
    println!(
        "31 s later: evolution:bob:12 -> {}",
        if cache.get("evolution:bob:12").is_some() {
            "hit"
        } else {
            "expired"
        },
    );

    let stats = cache.stats();
    println!(
        "stats: hits {}, misses {}, loads {}, coalesced waits {}, inserts {}, \
         invalidations {}, expirations {}, entries {}, weight {} bytes",
        stats.hits,
        stats.misses,
        stats.loads,
        stats.coalesced_waits,
        stats.inserts,
        stats.invalidations,
        stats.expirations,
        stats.entries,
        stats.weight,
    );
    Ok(())
}

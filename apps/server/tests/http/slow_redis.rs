//! Redis slow on one instance's path only (a delaying TCP proxy between instance A and a
//! private redis-server; instance B talks to it directly): an invalidation A could not send is
//! kept and delivered, so B stops serving the older answer long before the TTL.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use insights_server::AppState;
use insights_server::auth::JwtKeys;
use insights_service::{Backends, Insights, ServiceConfig, SharedTier, SharedTierConfig};
use insights_store::Store;
use insights_testkit::TestDb;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::processes::RedisProcess;
use crate::support::*;

const EVO: &str = "/api/analytics/behavioral-insights/patterns/evolution";
const PATTERNS: &str = "/api/analytics/behavioral-insights/patterns";

/// Forwards TCP connections to `upstream`, holding every chunk for the current delay in
/// either direction.
struct DelayProxy {
    port: u16,
    delay_ms: Arc<AtomicU64>,
    accept: tokio::task::JoinHandle<()>,
}

impl DelayProxy {
    async fn start(upstream: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let delay_ms = Arc::new(AtomicU64::new(0));
        let delay = Arc::clone(&delay_ms);
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await else {
                    continue;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pipe(client_read, server_write, Arc::clone(&delay)));
                tokio::spawn(pipe(server_read, client_write, Arc::clone(&delay)));
            }
        });
        Self {
            port,
            delay_ms,
            accept,
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::Relaxed);
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay_ms: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let delay = delay_ms.load(Ordering::Relaxed);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

async fn instance(db: &Store, redis: &str, prefix: &str) -> TestApp {
    let tier = SharedTier::new(
        redis,
        SharedTierConfig {
            key_prefix: prefix.to_owned(),
            ..SharedTierConfig::default()
        },
    )
    .expect("tier");
    let insights = Insights::with_backends(
        Backends {
            primary: db.clone(),
            read_replica: None,
            shared_tier: Some(tier),
        },
        ServiceConfig::default(),
    )
    .expect("service");
    let mut state = AppState::new(insights, JwtKeys::new(SECRET)).expect("state");
    state.deadline = Some(Duration::from_secs(30));
    TestApp {
        db: TestDb::sqlite().await,
        state,
    }
}

async fn ingest(app: &TestApp) -> Resp {
    app.post_as(
        PATTERNS,
        "u1",
        json!([{"patternType": "FORGETTING_CURVE", "confidence": 0.8}]),
    )
    .await
}

fn total(res: &Resp) -> u64 {
    assert_eq!(res.status, 200, "{}", res.text);
    res.data()["meta"]["totalPatterns"].as_u64().expect("total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalidation_sent_while_redis_is_slow_on_one_path_is_delivered() {
    let db = TestDb::postgres().await;
    let redis = tokio::task::spawn_blocking(RedisProcess::start)
        .await
        .expect("redis");
    let proxy = DelayProxy::start(redis.port).await;
    let prefix = format!("insights-it-{}", cuid2::create_id());
    let a = instance(&db.store, &proxy.url(), &prefix).await;
    let b = instance(&db.store, &redis.url(), &prefix).await;
    assert_eq!(ingest(&a).await.status, 200);
    // Both instances cache the answer, locally and in Redis.
    let deadline = Instant::now() + Duration::from_secs(10);
    let healthy = |app: &TestApp| {
        app.state
            .insights
            .metrics_snapshot()
            .shared_tier
            .expect("tier")
            .healthy
    };
    while !healthy(&a) || !healthy(&b) {
        assert!(Instant::now() < deadline, "the tiers never became healthy");
        a.get_as(&format!("{EVO}?weeks=2"), "u1").await;
        b.get_as(&format!("{EVO}?weeks=2"), "u1").await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(total(&a.get_as(EVO, "u1").await), 1);
    assert_eq!(total(&b.get_as(EVO, "u1").await), 1);

    // A's path to Redis gets slower than the 50 ms call limit: one read marks A's tier
    // unhealthy, so A's next invalidation cannot be sent when it is made.
    proxy.set_delay(Duration::from_millis(150));
    a.get_as(&format!("{EVO}?weeks=3"), "u1").await;
    assert!(!healthy(&a), "A's tier should have timed out");
    assert_eq!(ingest(&a).await.status, 200);
    assert_eq!(
        total(&a.get_as(EVO, "u1").await),
        2,
        "the writer sees its write"
    );
    let delayed = a
        .state
        .insights
        .metrics_snapshot()
        .shared_tier
        .expect("tier")
        .invalidations_delayed;
    assert!(delayed >= 1, "the invalidation was sent at once");

    // B stops serving the older answer once A's probe gets through (the path is still slow),
    // far sooner than the 300 s TTL.
    let written = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(20);
    while total(&b.get_as(EVO, "u1").await) != 2 {
        assert!(Instant::now() < deadline, "the invalidation was lost");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!(
        "slow Redis path (150 ms each way): B served the write {:?} after A's write returned",
        written.elapsed()
    );
    proxy.set_delay(Duration::ZERO);
}

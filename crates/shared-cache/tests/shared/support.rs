//! Shared helpers: unique prefixes with cleanup, polling with a deadline, an owned
//! redis-server child process.

use std::future::Future;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use insights_shared_cache::{Invalidation, SharedTier, SharedTierConfig};
use rand::Rng;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

pub const SHARED_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// How long any "eventually" in these tests may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// A random key prefix for one test; deletes every key under it when dropped (also when the
/// test panics), so parallel tests don't see each other and leave nothing behind.
pub struct TestPrefix {
    pub prefix: String,
}

impl TestPrefix {
    pub fn new() -> Self {
        let suffix: u64 = rand::rng().random();
        Self {
            prefix: format!("test-shared-cache:{suffix:016x}"),
        }
    }

    /// A config under this prefix with short timings suitable for tests.
    pub fn config(&self) -> SharedTierConfig {
        SharedTierConfig {
            key_prefix: self.prefix.clone(),
            ttl: Duration::from_secs(10),
            // Generous: the machine is shared with other builds; these tests are not about
            // latency except where they say so.
            op_timeout: Duration::from_millis(500),
            retry_min_delay: Duration::from_millis(20),
            retry_max_delay: Duration::from_millis(200),
            subscriber_keepalive: Duration::from_millis(200),
            ..SharedTierConfig::default()
        }
    }

    pub fn tier(&self) -> SharedTier {
        SharedTier::new(SHARED_REDIS_URL, self.config()).unwrap()
    }

    /// Keys currently stored under this prefix.
    pub fn keys(&self) -> Vec<String> {
        keys_matching(&format!("{}:*", self.prefix))
    }
}

impl Drop for TestPrefix {
    fn drop(&mut self) {
        let keys = self.keys();
        if !keys.is_empty() {
            let mut connection = sync_connection();
            let _: i64 = redis::cmd("DEL")
                .arg(&keys)
                .query(&mut connection)
                .unwrap_or(0);
        }
    }
}

pub fn sync_connection() -> redis::Connection {
    redis::Client::open(SHARED_REDIS_URL)
        .unwrap()
        .get_connection()
        .unwrap()
}

pub fn keys_matching(pattern: &str) -> Vec<String> {
    let mut connection = sync_connection();
    let mut cursor: u64 = 0;
    let mut keys = Vec::new();
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query(&mut connection)
            .unwrap();
        keys.extend(batch);
        if next == 0 {
            return keys;
        }
        cursor = next;
    }
}

/// Remaining TTL of a key in ms (-2 absent, -1 no expiry).
pub fn pttl(key: &str) -> i64 {
    redis::cmd("PTTL")
        .arg(key)
        .query(&mut sync_connection())
        .unwrap()
}

/// Polls `check` every 10 ms until it holds; fails the test after `PATIENCE`.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A callback for [`SharedTier::subscribe`] that forwards into a channel.
pub fn invalidation_channel() -> (
    impl Fn(Invalidation) + Send + Sync + 'static,
    UnboundedReceiver<Invalidation>,
) {
    let (sender, receiver): (UnboundedSender<Invalidation>, _) = unbounded_channel();
    let callback = move |invalidation| {
        let _ = sender.send(invalidation);
    };
    (callback, receiver)
}

/// Waits for `expected`, skipping other messages; fails the test after `PATIENCE`.
pub async fn expect_invalidation(
    receiver: &mut UnboundedReceiver<Invalidation>,
    expected: Invalidation,
) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match tokio::time::timeout_at(deadline, receiver.recv()).await {
            Ok(Some(received)) if received == expected => return,
            Ok(Some(_other)) => continue,
            Ok(None) => panic!("subscriber ended while waiting for {expected:?}"),
            Err(_) => panic!("timed out waiting for {expected:?}"),
        }
    }
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A redis-server child process owned by one test; killed when dropped.
pub struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    pub async fn start_on_free_port() -> Self {
        let mut own = Self {
            port: free_port(),
            child: None,
        };
        own.start().await;
        own
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts (or restarts) the server on this port and waits until it answers PING.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed");
        self.child = Some(child);
        let client = redis::Client::open(self.url()).unwrap();
        eventually("own redis-server to answer PING", || {
            let client = client.clone();
            async move {
                match client.get_multiplexed_async_connection().await {
                    Ok(mut connection) => redis::cmd("PING")
                        .query_async::<String>(&mut connection)
                        .await
                        .is_ok(),
                    Err(_) => false,
                }
            }
        })
        .await;
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the server: its sockets stay open but nothing
    /// is answered, like a hung host or a black-holed network path.
    pub fn signal(&self, signal: &str) {
        let child = self.child.as_ref().expect("running");
        let status = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill {signal} failed");
    }

    /// Kills the server (SIGKILL: no goodbye to clients, like a crash) and reaps it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGKILL also ends a stopped process.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

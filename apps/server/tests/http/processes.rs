//! Real `insights` processes (the built binary) on loopback ports, and a minimal HTTP/1.1
//! client for talking to them. Used by the scale-out tests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub fn spare_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("spare port")
        .port()
}

/// Polls `ready` until it returns true or the deadline passes.
pub fn wait_until(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::yield_now();
    }
}

/// A running `insights serve`, killed on drop.
pub struct ServerProcess {
    child: Child,
    pub port: u16,
}

impl ServerProcess {
    pub fn start(args: &[&str]) -> Self {
        let mut server = Self::spawn(args);
        server.wait_listening();
        server
    }

    /// Like [`Self::start`] on a given port (to bring a stopped server back where clients
    /// expect it).
    pub fn start_on(port: u16, args: &[&str]) -> Self {
        let mut server = Self::spawn_binary_on(env!("CARGO_BIN_EXE_insights"), port, args);
        server.wait_listening();
        server
    }

    /// Starts the process without waiting for it to listen.
    pub fn spawn(args: &[&str]) -> Self {
        Self::spawn_binary(env!("CARGO_BIN_EXE_insights"), args)
    }

    /// [`spawn`](Self::spawn) with another build of `insights` (to measure before and after).
    pub fn spawn_binary(binary: &str, args: &[&str]) -> Self {
        Self::spawn_binary_on(binary, spare_port(), args)
    }

    fn spawn_binary_on(binary: &str, port: u16, args: &[&str]) -> Self {
        let child = Command::new(binary)
            .arg("serve")
            .args(["--bind", &format!("127.0.0.1:{port}")])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start insights");
        Self { child, port }
    }

    /// Waits until the server answers `/healthz`; panics if the process exits first.
    pub fn wait_listening(&mut self) {
        wait_until("the server to listen", Duration::from_secs(60), || {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited before listening: {status}");
            }
            self.try_request("GET", "/healthz", None, None)
                .is_some_and(|(s, _)| s == 200)
        });
    }

    fn try_request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Option<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .ok()?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw).ok()?;
        let status = raw.split(' ').nth(1)?.parse().ok()?;
        let (head, body) = raw.split_once("\r\n\r\n")?;
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(body)
        } else {
            body.to_owned()
        };
        Some((status, body))
    }

    /// Sends a request and returns the status and JSON body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let (status, text) = self
            .try_request(method, path, Some(token), body)
            .expect("request");
        let json =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"));
        (status, json)
    }

    pub fn text(&self, path: &str) -> String {
        self.try_request("GET", path, None, None)
            .expect("request")
            .1
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A redis-server of the test's own on a spare port (so stopping it affects no other test).
pub struct RedisProcess {
    child: Option<Child>,
    pub port: u16,
}

impl RedisProcess {
    pub fn start() -> Self {
        let mut redis = Self {
            child: None,
            port: spare_port(),
        };
        redis.resume();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn resume(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        self.child = Some(child);
        let port = self.port;
        wait_until("redis to listen", Duration::from_secs(30), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

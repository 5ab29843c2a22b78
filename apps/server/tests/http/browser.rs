//! A headless Chromium driven over WebDriver, for the dashboard tests.
//!
//! Why WebDriver and `fantoccini`: WebDriver is the W3C standard for driving browsers, and
//! Debian ships `chromedriver` (package `chromium-driver`) built from the same sources as its
//! `chromium`, so the two always match. `fantoccini` is a small, long-maintained async
//! WebDriver client on `tokio` and `hyper` 1, both already in this workspace; with default
//! features off it needs no TLS stack (the driver is on loopback). CDP crates
//! (`chromiumoxide`, `headless_chrome`) avoid the driver binary but compile a large generated
//! protocol crate, for nothing these tests need.
//!
//! Without a browser the tests skip with a message, except under `CI=true`, where not
//! starting one is a failure (`scripts/ci/install-browser.sh` installs both packages).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::processes::{spare_port, wait_until};

/// How long any one condition may take to appear on the page (a generous bound: loaded
/// machines are slow; a passing run takes milliseconds).
const PATIENCE: Duration = Duration::from_secs(30);

/// A `chromedriver` with one Chromium session; both are killed on drop.
pub struct Browser {
    pub client: Client,
    _driver: DriverGuard,
}

/// Whether a failure to start the browser must fail the test (CI) or skip it.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn find_program(env: &str, names: &[&str]) -> Option<String> {
    if let Ok(path) = std::env::var(env) {
        return Some(path);
    }
    let dirs = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&dirs)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    })
}

impl Browser {
    /// A browser with a `width`×`height` window, or `None` (after saying why) when none can be
    /// started outside CI.
    pub async fn start_or_skip(test: &str, width: u32, height: u32) -> Option<Self> {
        match Self::start(width, height).await {
            Ok(browser) => Some(browser),
            Err(why) if in_ci() => panic!("CI: cannot start headless Chromium: {why}"),
            Err(why) => {
                eprintln!(
                    "SKIPPED {test}: cannot start headless Chromium ({why}). Install the \
                     `chromium` and `chromium-driver` packages (scripts/ci/install-browser.sh) \
                     or set INSIGHTS_TEST_CHROMIUM / INSIGHTS_TEST_CHROMEDRIVER."
                );
                None
            }
        }
    }

    async fn start(width: u32, height: u32) -> Result<Self, String> {
        let chromium = find_program(
            "INSIGHTS_TEST_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        )
        .ok_or("no chromium on PATH")?;
        let chromedriver = find_program("INSIGHTS_TEST_CHROMEDRIVER", &["chromedriver"])
            .ok_or("no chromedriver on PATH")?;
        let port = spare_port();
        let mut command = Command::new(&chromedriver);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so drop can stop the driver and the browsers it started.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let driver = command
            .spawn()
            .map_err(|e| format!("{chromedriver}: {e}"))?;
        let driver = DriverGuard(driver);
        tokio::task::spawn_blocking(move || {
            wait_until("chromedriver to listen", PATIENCE, || {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            })
        })
        .await
        .map_err(|e| e.to_string())?;
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--hide-scrollbars", "--lang=en-US", "--no-first-run",
                    format!("--window-size={width},{height}"),
                ],
            },
        });
        let capabilities = capabilities.as_object().cloned().expect("an object");
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("new WebDriver session: {e}"))?;
        Ok(Self {
            client,
            _driver: driver,
        })
    }

    /// Runs `script` (a function body) in the page and returns its JSON result.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script")
    }

    /// Polls `script` until `ready` accepts its result, which is returned; panics with the
    /// last result after [`PATIENCE`].
    pub async fn wait_for(
        &self,
        what: &str,
        script: &str,
        ready: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let value = self.js(script).await;
            if ready(&value) {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last: {value:#}"
            );
            tokio::task::yield_now().await;
        }
    }

    /// Ends the session (closing Chromium); dropping the value then stops the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// The driver process, stopped on drop with the browsers it started (also when a test
/// panics midway).
struct DriverGuard(Child);

impl Drop for DriverGuard {
    fn drop(&mut self) {
        // The driver leads its own process group: kill the whole group, by its id.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

//! Real `insights` processes starting at once on one empty PostgreSQL database: one migrates
//! under an advisory lock, the others wait for it and find the database initialised.

use std::process::{Command, Stdio};
use std::time::Duration;

use insights_server::auth::JwtKeys;
use insights_testkit::TestDb;

use crate::processes::ServerProcess;
use crate::support::SECRET;

const SECRET_STR: &str = "test-secret-test-secret-test-secret!";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_migrates_at_once_on_an_empty_database_both_succeed() {
    let db = TestDb::postgres_empty().await;
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let migrate = || {
            Command::new(env!("CARGO_BIN_EXE_insights"))
                .args(["migrate", "--database-url", &url])
                .env("RUST_LOG", "warn")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start insights migrate")
        };
        let (first, second) = (migrate(), migrate());
        let outputs = [
            first.wait_with_output().expect("first"),
            second.wait_with_output().expect("second"),
        ];
        for out in &outputs {
            assert!(
                out.status.success(),
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // One applied everything, the other found nothing left to apply.
        let applied: Vec<String> = outputs
            .iter()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        assert!(
            applied.iter().any(|l| l.starts_with("0 migration")),
            "{applied:?}"
        );
        assert!(
            applied.iter().any(|l| !l.starts_with("0 migration")),
            "{applied:?}"
        );
    })
    .await
    .expect("scenario");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serves_at_once_on_an_empty_database_both_come_up() {
    let db = TestDb::postgres_empty().await;
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let args = [
            "--database-url",
            &url,
            "--jwt-secret",
            SECRET_STR,
            "--workers",
            "1",
        ];
        let (mut a, mut b) = (ServerProcess::spawn(&args), ServerProcess::spawn(&args));
        a.wait_listening();
        b.wait_listening();
        let token = JwtKeys::new(SECRET)
            .issue("u1", false, Duration::from_secs(600))
            .expect("token");
        for server in [&a, &b] {
            let (status, body) = server.request(
                "GET",
                "/api/analytics/behavioral-insights/recommendations",
                &token,
                None,
            );
            assert_eq!(status, 200, "{body}");
        }
    })
    .await
    .expect("scenario");
}

//! One user (or an anonymous client) cannot hurt the service: bounded metrics labels, no
//! inflating of encoded request bodies, no demo data or token outside demo mode, bounded text,
//! a cache share per user, and data paths that no stored text can break. Each test failed
//! before its fix.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use actix_web::test::TestRequest;
use insights_testkit::TestDb;
use serde_json::json;

use crate::processes::{spare_port, wait_until};
use crate::support::*;

/// Declares `#[tokio::test]`s named `<test>_postgres` and `<test>_sqlite` that run the plain
/// async function `test(db)` on a fresh database of each backend. Only the declarations are
/// generated, so rustfmt formats every test body.
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {
        $(
            mod $test {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$test(insights_testkit::TestDb::postgres().await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$test(insights_testkit::TestDb::sqlite().await).await;
                }
            }
        )*
    };
}

on_both_backends!(
    made_up_methods_and_paths_add_no_metric_series,
    encoded_bodies_are_refused
);

/// Number of series lines (not comments) in the Prometheus text.
fn series(text: &str) -> usize {
    text.lines().filter(|l| !l.starts_with('#')).count()
}

async fn made_up_methods_and_paths_add_no_metric_series(db: TestDb) {
    let app = TestApp::new(db).await;
    // Every fixed label value once: an unknown path with a standard method, a known path with
    // a wrong method, then the scrape itself.
    app.call(TestRequest::get().uri("/warm-up")).await;
    app.call(
        TestRequest::default()
            .method(actix_web::http::Method::from_bytes(b"M0").unwrap())
            .uri("/warm-up"),
    )
    .await;
    app.get("/metrics", None).await;
    let before = series(&app.get("/metrics", None).await.text);
    for i in 1..=300 {
        let method = actix_web::http::Method::from_bytes(format!("M{i}").as_bytes()).unwrap();
        let res = app
            .call(
                TestRequest::default()
                    .method(method)
                    .uri(&format!("/nowhere/{i}")),
            )
            .await;
        assert_eq!(res.status, 404, "{}", res.text);
    }
    let after = app.get("/metrics", None).await.text;
    assert!(!after.contains("M17"), "a made-up method became a label");
    assert!(
        !after.contains("/nowhere/"),
        "a made-up path became a label"
    );
    assert_eq!(series(&after), before, "series grew:\n{after}");
}

async fn encoded_bodies_are_refused(db: TestDb) {
    use std::io::Write;
    let app = TestApp::new(db).await;
    // 1 MiB of zeros compresses to about a kilobyte: inflated, it is four times the limit.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&vec![b' '; 1 << 20]).unwrap();
    let gzip = encoder.finish().unwrap();
    for encoding in ["gzip", "deflate", "br", "x-made-up"] {
        let res = app
            .call(
                TestRequest::post()
                    .uri("/api/analytics/behavioral-insights/patterns")
                    .insert_header(("Authorization", format!("Bearer {}", app.token("u1"))))
                    .insert_header(("Content-Type", "application/json"))
                    .insert_header(("Content-Encoding", encoding))
                    .set_payload(gzip.clone()),
            )
            .await;
        assert_eq!(res.status, 415, "{encoding}: {}", res.text);
        assert_eq!(res.error_code(), "UNSUPPORTED_MEDIA_TYPE");
    }
    // `identity` is no encoding at all.
    let res = app
        .call(
            TestRequest::post()
                .uri("/api/analytics/behavioral-insights/patterns")
                .insert_header(("Authorization", format!("Bearer {}", app.token("u1"))))
                .insert_header(("Content-Encoding", "identity"))
                .set_payload(r#"[{"patternType":"PERFORMANCE_PEAK","confidence":0.5}]"#),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
}

/// With a configured secret, `serve` on the embedded database seeds nothing and prints no
/// token: the demo user has no data, and the start-up text says how to get a token.
#[test]
fn a_configured_secret_means_no_demo_data_and_no_token() {
    let dir = std::env::temp_dir().join(format!("insights-no-demo-{}", std::process::id()));
    let secret = "0123456789abcdef0123456789abcdef-not-demo";
    let port = spare_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_insights"))
        .arg("serve")
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(["--data-dir", dir.to_str().unwrap()])
        .env("INSIGHTS_JWT_SECRET", secret)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start insights");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    stdout.read_line(&mut banner).unwrap();
    let token = Command::new(env!("CARGO_BIN_EXE_insights"))
        .args(["token", "--user", "demo-user"])
        .env("INSIGHTS_JWT_SECRET", secret)
        .output()
        .expect("insights token");
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    let get = |path: &str| -> Option<(u16, String)> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Authorization: Bearer {token}\r\n\r\n"
        )
        .ok()?;
        let mut raw = String::new();
        stream.read_to_string(&mut raw).ok()?;
        let status = raw.split(' ').nth(1)?.parse().ok()?;
        let (_, body) = raw.split_once("\r\n\r\n")?;
        Some((status, body.to_owned()))
    };
    wait_until("the server to listen", Duration::from_secs(60), || {
        get("/healthz").is_some_and(|(s, _)| s == 200)
    });
    let (status, body) =
        get("/api/analytics/behavioral-insights/patterns/evolution?weeks=52").unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!banner.contains("eyJ"), "a token was printed: {banner}");
    assert!(banner.contains("insights token"), "{banner}");
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["data"]["meta"]["totalPatterns"],
        json!(0),
        "demo data was seeded"
    );
}

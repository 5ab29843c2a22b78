//! The dashboard at `/`: its headers and switch (through the app factory), and the page itself
//! in headless Chromium against the real `insights` binary on each backend (see
//! [`crate::browser`] for the driver and why).

use std::collections::BTreeSet;
use std::time::Duration;

use actix_web::test::TestRequest;
use insights_server::auth::JwtKeys;
use insights_service::{Insights, ServiceConfig};
use insights_testkit::{TestDb, both_backends};
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::processes::ServerProcess;
use crate::support::*;

const EFFECTIVENESS: &str = "/api/personalization/effectiveness";
const EVOLUTION: &str = "/api/analytics/behavioral-insights/patterns/evolution";
const RECOMMENDATIONS: &str = "/api/analytics/behavioral-insights/recommendations";

#[actix_web::test]
async fn the_page_and_its_files_carry_csp_cache_headers_and_etags() {
    let app = TestApp::new(TestDb::sqlite().await).await;
    let page = app.get("/", None).await;
    assert_eq!(page.status, 200, "{}", page.text);
    let header = |res: &Resp, name: &str| {
        res.headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert!(header(&page, "content-type").starts_with("text/html"));
    let csp = header(&page, "content-security-policy");
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("http"),
        "{csp}"
    );
    assert_eq!(header(&page, "cache-control"), "no-cache");
    assert!(
        page.text
            .contains("<script type=\"module\" src=\"/assets/main.js\">")
    );

    let script = app.get("/assets/main.js", None).await;
    assert_eq!(script.status, 200);
    assert!(header(&script, "content-type").starts_with("text/javascript"));
    // A revalidation with the current tag costs no body.
    let etag = header(&script, "etag");
    let again = app
        .call(
            TestRequest::get()
                .uri("/assets/main.js")
                .insert_header(("If-None-Match", etag.clone())),
        )
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(header(&again, "etag"), etag);
    assert!(again.text.is_empty());

    // Everything else keeps the API's JSON 404/405, and the page is not an API route.
    for path in [
        "/assets/nope.js",
        "/assets/",
        "/index.html",
        "/assets/main.js/x",
    ] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(res.error_code(), "NOT_FOUND");
    }
    assert_eq!(app.post("/", None, "{}").await.status, 405);
    let doc = app.get("/openapi.json", None).await.json();
    assert!(doc["paths"].get("/").is_none());
}

#[actix_web::test]
async fn switched_off_the_page_is_the_usual_json_404() {
    let mut app = TestApp::new(TestDb::sqlite().await).await;
    app.state.dashboard = false;
    for path in ["/", "/assets/main.js"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(res.error_code(), "NOT_FOUND");
    }
}

/// The page's state, read the way a person would see it (texts, counts) plus the raw numbers
/// the page put in `data-value` attributes.
const SNAPSHOT: &str = r#"
const q = (s) => [...document.querySelectorAll(s)];
const text = (s) => { const e = document.querySelector(s); return e ? e.textContent : null; };
const state = (id) => document.getElementById(id).dataset.state || null;
return {
  view: document.body.dataset.view || null,
  hash: location.hash,
  stored: sessionStorage.getItem('insights.token') !== null,
  signInMessage: text('#sign-in-msg'),
  eff: state('effectiveness'), evo: state('evolution'), rec: state('recommendations'),
  effEmpty: text('#effectiveness [data-empty]'),
  metrics: Object.fromEntries(q('#effectiveness dd[data-metric]').map((e) => [e.dataset.metric, Number(e.dataset.value)])),
  sampleSize: text('[data-stat=sampleSize]'),
  significant: text('[data-stat=significant]'),
  series: q('#effectiveness path.series').length,
  weeks: q('#evo-grid thead th[data-week]').map((e) => Number(e.dataset.week)),
  patterns: q('#evo-grid tbody tr').map((e) => e.querySelector('[data-pattern]').dataset.pattern),
  newPerWeek: q('#evo-grid tfoot tr[data-count=new] td').map((e) => Number(e.textContent)),
  evoEmpty: text('#evolution [data-empty]'),
  more: text('#evolution .more:not([hidden])'),
  recIds: q('#rec-list > li').map((e) => e.dataset.id),
  recTitles: q('#rec-list > li h3').map((e) => e.textContent),
  applied: q('#rec-list > li [data-applied]').map((e) => e.closest('li').dataset.id),
  recNote: text('#recommendations .status'),
  recEmpty: text('#recommendations [data-empty]'),
  overflow: document.documentElement.scrollWidth - window.innerWidth,
};
"#;

fn settled(page: &Value) -> bool {
    page["view"] == "dashboard"
        && ["eff", "evo", "rec"]
            .iter()
            .all(|p| matches!(page[p].as_str(), Some("ready" | "empty")))
}

fn service_token(user: &str) -> String {
    JwtKeys::new(SECRET)
        .issue(user, true, Duration::from_secs(3600))
        .expect("token")
}

fn user_token(user: &str) -> String {
    JwtKeys::new(SECRET)
        .issue(user, false, Duration::from_secs(3600))
        .expect("token")
}

/// The demo user's data in `db`, and the real binary serving it.
async fn demo_server(db: &TestDb) -> ServerProcess {
    let insights = Insights::new(db.store.clone(), ServiceConfig::default()).expect("service");
    assert!(insights.seed_demo("demo-user").await.expect("seed"));
    serve(db, None).await
}

/// The real binary serving `db` (on `port`, or a spare one).
async fn serve(db: &TestDb, port: Option<u16>) -> ServerProcess {
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let secret = std::str::from_utf8(SECRET).expect("utf-8 secret");
        let args = ["--database-url", &url, "--jwt-secret", secret];
        match port {
            Some(port) => ServerProcess::start_on(port, &args),
            None => ServerProcess::start(&args),
        }
    })
    .await
    .expect("start server")
}

/// `count` patterns for `user`, detected over the last year and seen for up to 17 weeks.
async fn seed_many_patterns(db: &TestDb, user: &str, count: i64) {
    let now = insights_model::Timestamp::now().unix_millis();
    let types = insights_model::PatternType::ALL;
    let patterns: Vec<_> = (0..count)
        .map(|i| {
            let detected = now - (1 + i * 7919 % 360) * DAY;
            let last_seen = (detected + (i * 31 % 120) * DAY).min(now);
            pattern(
                user,
                types[i as usize % types.len()],
                0.6 + (i % 40) as f64 / 100.0,
                detected,
                last_seen,
            )
        })
        .collect();
    db.store
        .ensure_user(user, None, None, insights_model::Timestamp::now())
        .await
        .expect("user");
    for chunk in patterns.chunks(500) {
        db.store.insert_patterns(chunk).await.expect("patterns");
    }
}

/// `GET path` on the real server (its client is blocking: keep the runtime's workers free).
fn api(server: &ServerProcess, path: &str, token: &str) -> Value {
    let (status, body) = tokio::task::block_in_place(|| server.request("GET", path, token, None));
    assert_eq!(status, 200, "{path}: {body}");
    body["data"].clone()
}

both_backends!(the_dashboard_shows_the_api_answers_and_applies_in_a_browser);

async fn the_dashboard_shows_the_api_answers_and_applies_in_a_browser(db: TestDb) {
    let server = demo_server(&db).await;
    let Some(browser) = Browser::start_or_skip("dashboard browser test", 1440, 1000).await else {
        return;
    };
    let base = format!("http://127.0.0.1:{}", server.port);
    let token = user_token("demo-user");

    // The demo banner's link: the token moves from the fragment into this tab's storage.
    browser
        .client
        .goto(&format!("{base}/#token={token}"))
        .await
        .unwrap();
    let page = browser
        .wait_for("three loaded panels", SNAPSHOT, settled)
        .await;
    assert_eq!(
        page["hash"], "",
        "the token is removed from the address bar"
    );
    assert_eq!(page["stored"], true);

    // Effectiveness: the API's numbers for the page's default 90-day window.
    let end = insights_model::Timestamp::now();
    let start = insights_model::Timestamp::from_unix_millis(end.unix_millis() - 90 * DAY).unwrap();
    let eff = api(
        &server,
        &format!("{EFFECTIVENESS}?metric=all&startDate={start}&endDate={end}"),
        &token,
    );
    let eff = &eff["effectiveness"];
    assert_eq!(eff["hasPersonalization"], true);
    for (key, value) in eff["metrics"].as_object().unwrap() {
        assert_eq!(page["metrics"][key].as_f64(), value.as_f64(), "{key}");
    }
    assert_eq!(page["metrics"].as_object().unwrap().len(), 4);
    assert_eq!(
        page["sampleSize"],
        eff["statistical"]["sampleSize"].to_string()
    );
    let significant = eff["statistical"]["isStatisticallySignificant"]
        .as_bool()
        .unwrap();
    assert_eq!(
        page["significant"]
            .as_str()
            .unwrap()
            .starts_with("Statistically"),
        significant
    );
    assert_eq!(page["series"], 4, "one line per metric with metric=all");

    // Evolution: one row per pattern, one column per week, the API's per-week counts.
    let evo = api(&server, &format!("{EVOLUTION}?weeks=12"), &token);
    let weeks = evo["evolution"].as_array().unwrap();
    assert_eq!(page["weeks"], json!((1..=12).collect::<Vec<_>>()));
    let ids: BTreeSet<&str> = weeks
        .iter()
        .flat_map(|w| w["patterns"].as_array().unwrap())
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    let shown: BTreeSet<&str> = page["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(!ids.is_empty());
    assert_eq!(shown, ids);
    let new_per_week: Vec<usize> = weeks
        .iter()
        .map(|w| {
            w["patterns"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["status"] == "new")
                .count()
        })
        .collect();
    assert_eq!(page["newPerWeek"], json!(new_per_week));

    // Changing the weeks selector re-renders the grid with that many weeks.
    let weeks_select = browser
        .client
        .find(fantoccini::Locator::Css("#evo-controls select[name=weeks]"))
        .await
        .unwrap();
    weeks_select.select_by_value("4").await.unwrap();
    browser
        .wait_for("a 4-week grid", SNAPSHOT, |p| {
            p["weeks"] == json!([1, 2, 3, 4])
        })
        .await;

    // Recommendations: the API's titles in the API's order.
    let recs = api(&server, &format!("{RECOMMENDATIONS}?limit=5"), &token);
    let titles: Vec<&Value> = recs["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["title"])
        .collect();
    assert!(titles.len() >= 2, "{recs}");
    assert_eq!(page["recTitles"], json!(titles));

    // Apply (from the keyboard) marks the first applied: it leaves the default list, the
    // API agrees, and focus lands on the panel's heading rather than the top of the page.
    let first = page["recIds"][0].as_str().unwrap().to_owned();
    let enter = fantoccini::key::Key::Enter.to_string();
    browser
        .client
        .find(fantoccini::Locator::Css("#rec-list button[data-apply]"))
        .await
        .unwrap()
        .send_keys(&enter)
        .await
        .unwrap();
    let page = browser
        .wait_for(
            "the applied recommendation to leave the list",
            SNAPSHOT,
            |p| {
                p["rec"] == "ready"
                    && !p["recIds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|id| id == first.as_str())
                    && p["recNote"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("Applied")
            },
        )
        .await;
    assert_eq!(
        browser.js("return document.activeElement.id").await,
        "rec-h"
    );
    let all = api(
        &server,
        &format!("{RECOMMENDATIONS}?includeApplied=true&limit=20"),
        &token,
    );
    let applied = all["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == first.as_str())
        .unwrap();
    assert!(applied["appliedAt"].is_string(), "{applied}");

    // A recommendation applied elsewhere meanwhile: the 409 is a note, and the list updates.
    let second = page["recIds"][0].as_str().unwrap().to_owned();
    let (status, body) = server.request(
        "POST",
        &format!("{RECOMMENDATIONS}/{second}/apply"),
        &token,
        Some(&json!({"applicationType": "MANUAL"})),
    );
    assert_eq!(status, 200, "{body}");
    browser
        .client
        .find(fantoccini::Locator::Css("#rec-list button[data-apply]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for("the already-applied note", SNAPSHOT, |p| {
            p["rec"] == "ready"
                && p["recNote"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("already applied")
                && !p["recIds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|id| id == second.as_str())
        })
        .await;

    // "Include applied" brings both back, marked applied.
    browser
        .client
        .find(fantoccini::Locator::Css(
            "#rec-controls input[name=includeApplied]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for("applied recommendations listed", SNAPSHOT, |p| {
            let applied = p["applied"].as_array().unwrap();
            applied.iter().any(|id| id == first.as_str())
                && applied.iter().any(|id| id == second.as_str())
        })
        .await;

    // Narrow screens: nothing overflows sideways (the grid scrolls inside its own box).
    browser.client.set_window_size(360, 800).await.unwrap();
    browser
        .wait_for("no horizontal overflow at 360 px", SNAPSHOT, |p| {
            p["overflow"].as_i64() == Some(0)
        })
        .await;
    browser.client.set_window_size(1440, 1000).await.unwrap();

    // A user with no data: the empty states.
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!("{base}/#token={}", user_token("nobody")))
        .await
        .unwrap();
    let page = browser
        .wait_for("the empty panels", SNAPSHOT, settled)
        .await;
    assert_eq!(page["effEmpty"], eff_message());
    assert_eq!(page["evoEmpty"], "There are no patterns in these 12 weeks.");
    assert!(page["recEmpty"].is_string(), "{page:#}");

    // A service token chooses whose data to show.
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!("{base}/#token={}", service_token("ops")))
        .await
        .unwrap();
    browser
        .wait_for("the service's own (empty) view", SNAPSHOT, settled)
        .await;
    let user = browser
        .client
        .find(fantoccini::Locator::Id("user-id"))
        .await
        .unwrap();
    user.clear().await.unwrap();
    user.send_keys("demo-user").await.unwrap();
    browser
        .client
        .find(fantoccini::Locator::Css("#user-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for(
            "the demo user's data through the service token",
            SNAPSHOT,
            |p| settled(p) && p["patterns"].as_array().is_some_and(|a| !a.is_empty()),
        )
        .await;

    // A heavy user (a page concern, checked on one backend to spare CPU on 2-core runs).
    if db.store.backend() == "sqlite" {
        heavy_user_renders_page_by_page(&db, &server, &browser, &base).await;
    }

    // A bad token returns to the form, which then accepts a good one. (Opened over the
    // page itself: only the fragment changes, so no reload.)
    browser
        .client
        .goto(&format!("{base}/#token=not-a-token"))
        .await
        .unwrap();
    let page = browser
        .wait_for("the token form", SNAPSHOT, |p| {
            p["view"] == "sign-in" && p["signInMessage"] != ""
        })
        .await;
    assert_eq!(page["stored"], false, "a refused token is forgotten");
    assert_eq!(page["hash"], "");
    let input = browser
        .client
        .find(fantoccini::Locator::Id("token-input"))
        .await
        .unwrap();
    input.send_keys(&token).await.unwrap();
    browser
        .client
        .find(fantoccini::Locator::Css("#token-form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for("the dashboard after pasting a token", SNAPSHOT, settled)
        .await;

    // The server goes away: the panel says so and retries with backoff until it is back.
    let port = server.port;
    drop(server);
    browser
        .client
        .find(fantoccini::Locator::Css("#rec-controls select[name=limit]"))
        .await
        .unwrap()
        .select_by_value("3")
        .await
        .unwrap();
    browser
        .wait_for("the retry notice", SNAPSHOT, |p| {
            p["rec"] == "retrying"
                && p["recNote"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("retrying in")
        })
        .await;
    let _server = serve(&db, Some(port)).await;
    browser
        .wait_for("the panel to recover by itself", SNAPSHOT, |p| {
            p["rec"] == "ready" && p["recIds"].as_array().unwrap().len() <= 3
        })
        .await;

    browser.close().await;
}

/// 52 weeks of 3,000 patterns: the grid draws 60 rows at a time, its counts cover them all.
async fn heavy_user_renders_page_by_page(
    db: &TestDb,
    server: &ServerProcess,
    browser: &Browser,
    base: &str,
) {
    seed_many_patterns(db, "heavy", 3000).await;
    let heavy = user_token("heavy");
    let evo = api(server, &format!("{EVOLUTION}?weeks=52"), &heavy);
    let weeks = evo["evolution"].as_array().unwrap();
    let ids: BTreeSet<&str> = weeks
        .iter()
        .flat_map(|w| w["patterns"].as_array().unwrap())
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 2_000, "{} patterns in 52 weeks", ids.len());
    browser.client.goto("about:blank").await.unwrap();
    browser
        .client
        .goto(&format!("{base}/#token={heavy}"))
        .await
        .unwrap();
    browser
        .wait_for("the heavy user's panels", SNAPSHOT, settled)
        .await;
    let started = std::time::Instant::now();
    browser
        .client
        .find(fantoccini::Locator::Css("#evo-controls select[name=weeks]"))
        .await
        .unwrap()
        .select_by_value("52")
        .await
        .unwrap();
    let page = browser
        .wait_for("a 52-week grid", SNAPSHOT, |p| {
            p["weeks"].as_array().unwrap().len() == 52
        })
        .await;
    let fetch = browser
        .js("const r = performance.getEntriesByType('resource').filter((e) => e.name.includes('weeks=52')).pop(); return [r.duration, r.decodedBodySize]")
        .await;
    eprintln!(
        "{}: 52 weeks x {} patterns fetched and drawn in {:?}; the fetch (ms, body bytes): {fetch}",
        db.store.backend(),
        ids.len(),
        started.elapsed()
    );
    assert_eq!(page["patterns"].as_array().unwrap().len(), 60);
    let remaining = ids.len() - 60;
    assert!(
        page["more"]
            .as_str()
            .unwrap()
            .contains(&format!("{remaining} remaining")),
        "{page:#}"
    );
    let new_per_week: Vec<usize> = weeks
        .iter()
        .map(|w| {
            w["patterns"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["status"] == "new")
                .count()
        })
        .collect();
    assert_eq!(
        page["newPerWeek"],
        json!(new_per_week),
        "counts cover every pattern, shown or not"
    );
    browser
        .client
        .find(fantoccini::Locator::Css("#evolution .more"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait_for("60 more rows", SNAPSHOT, |p| {
            p["patterns"].as_array().unwrap().len() == 120
        })
        .await;
}

/// A database outage: the panel says "temporarily unavailable, retrying" for the 503 and
/// recovers by itself once the database is back. A PostgreSQL server of the test's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_503_is_shown_and_retried_until_the_database_is_back() {
    let pg = insights_testkit::TempPostgres::start().expect("own PostgreSQL");
    let url = pg.url();
    let server = tokio::task::spawn_blocking(move || {
        let secret = std::str::from_utf8(SECRET).expect("utf-8 secret");
        let args = [
            "--database-url",
            &url,
            "--jwt-secret",
            secret,
            "--checkout-timeout-ms",
            "500",
        ];
        ServerProcess::start(&args)
    })
    .await
    .expect("start server");
    let Some(browser) = Browser::start_or_skip("dashboard outage test", 1440, 1000).await else {
        return;
    };
    let base = format!("http://127.0.0.1:{}", server.port);
    browser
        .client
        .goto(&format!("{base}/#token={}", user_token("u1")))
        .await
        .unwrap();
    browser
        .wait_for("three loaded panels", SNAPSHOT, settled)
        .await;

    pg.stop().expect("stop PostgreSQL");
    // A window the server has not cached yet, so the request needs the database.
    browser
        .client
        .find(fantoccini::Locator::Css("#evo-controls select[name=weeks]"))
        .await
        .unwrap()
        .select_by_value("26")
        .await
        .unwrap();
    let page = browser
        .wait_for("the 503 notice", SNAPSHOT, |p| p["evo"] == "retrying")
        .await;
    let note = browser
        .js("return document.querySelector('#evolution .status').textContent")
        .await;
    assert!(
        note.as_str()
            .unwrap()
            .starts_with("Temporarily unavailable, retrying in"),
        "{note} {page:#}"
    );

    pg.resume().expect("start PostgreSQL again");
    browser
        .wait_for("the panel to recover by itself", SNAPSHOT, |p| {
            p["evo"] == "empty" && p["evoEmpty"] == "There are no patterns in these 26 weeks."
        })
        .await;
    browser.close().await;
}

fn eff_message() -> &'static str {
    "No active personalization. Enable personalization to track effectiveness."
}

/// Regenerates `docs/img/dashboard-{desktop,narrow}.png` from the demo data:
/// `cargo test -p insights-server --test http dashboard::screenshots -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/img; run by hand after changing the page"]
async fn screenshots() {
    let db = TestDb::sqlite().await;
    let server = demo_server(&db).await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/img");
    std::fs::create_dir_all(&out).unwrap();
    // Desktop: the whole page. Narrow: the first 1,600 px (effectiveness and the evolution
    // grid), so the README can show it beside the desktop one at a readable size.
    for (name, width, most) in [("desktop", 1440, u64::MAX), ("narrow", 360, 1600)] {
        let browser = Browser::start_or_skip("screenshots", width, 900)
            .await
            .expect("a browser to take screenshots with");
        browser
            .client
            .goto(&format!("{base}/#token={}", user_token("demo-user")))
            .await
            .unwrap();
        browser
            .wait_for("three loaded panels", SNAPSHOT, settled)
            .await;
        // Show a pattern's metadata, as hovering or tabbing to it does.
        browser
            .js("document.querySelector('#evo-grid [data-pattern]').focus({ preventScroll: true }); window.scrollTo(0, 0); return null")
            .await;
        // A viewport as tall as the document (the window adds its own frame), measured again
        // after each resize until the layout stops changing.
        browser.client.set_window_size(width, 900).await.unwrap();
        let mut height = 0;
        for _ in 0..5 {
            let wanted = browser
                .js("return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]")
                .await;
            let wanted = wanted[0].as_u64().unwrap().min(most) + wanted[1].as_u64().unwrap();
            if wanted == height {
                break;
            }
            height = wanted;
            let height = u32::try_from(height).unwrap();
            browser.client.set_window_size(width, height).await.unwrap();
        }
        browser
            .wait_for("the resized page", SNAPSHOT, settled)
            .await;
        let png = browser.client.screenshot().await.unwrap();
        std::fs::write(out.join(format!("dashboard-{name}.png")), png).unwrap();
        browser.close().await;
    }
}

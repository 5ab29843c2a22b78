//! A test application over a fresh database, and small request helpers.

use std::time::{Duration, Instant};

use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use insights_model::*;
use insights_server::AppState;
use insights_server::auth::JwtKeys;
use insights_service::{Insights, ServiceConfig};
use insights_store::Store;
use insights_testkit::TestDb;
use serde_json::{Value, json};

pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";
pub const DAY: i64 = 86_400_000;

pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
}

pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text))
    }

    pub fn data(&self) -> Value {
        let body = self.json();
        assert_eq!(body["success"], true, "{body}");
        body["data"].clone()
    }

    /// Asserts the error envelope and returns `error.code`.
    pub fn error_code(&self) -> String {
        let body = self.json();
        assert_eq!(body["success"], false, "{body}");
        assert!(body["error"]["message"].is_string(), "{body}");
        body["error"]["code"].as_str().expect("code").to_owned()
    }

    pub fn error_field(&self) -> Option<String> {
        self.json()["error"]["details"]["field"]
            .as_str()
            .map(str::to_owned)
    }
}

impl TestApp {
    pub async fn new(db: TestDb) -> Self {
        Self::with_config(db, ServiceConfig::default()).await
    }

    pub async fn with_config(db: TestDb, config: ServiceConfig) -> Self {
        let insights = Insights::new(db.store.clone(), config).expect("service");
        let mut state = AppState::new(insights, JwtKeys::new(SECRET)).expect("state");
        // As `insights serve` does: the deadline middleware is armed on PostgreSQL only.
        if db.store.backend() == "postgres" {
            state.deadline = Some(Duration::from_secs(30));
        }
        Self { db, state }
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    pub fn token(&self, user: &str) -> String {
        JwtKeys::new(SECRET)
            .issue(user, false, Duration::from_secs(600))
            .expect("token")
    }

    pub fn service_token(&self, user: &str) -> String {
        JwtKeys::new(SECRET)
            .issue(user, true, Duration::from_secs(600))
            .expect("token")
    }

    pub async fn call(&self, req: TestRequest) -> Resp {
        call_app(self.state.clone(), req).await
    }

    /// The same GET answered by a service without a cache over the same database: what any
    /// cached answer must equal once a write has been made.
    pub async fn get_uncached_as(&self, path: &str, user: &str) -> Resp {
        let config = ServiceConfig {
            cache_ttl: Duration::ZERO,
            ..ServiceConfig::default()
        };
        let insights = Insights::new(self.db.store.clone(), config).expect("service");
        let mut state = AppState::new(insights, JwtKeys::new(SECRET)).expect("state");
        state.deadline = self.state.deadline;
        let req = TestRequest::get()
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {}", self.token(user))));
        call_app(state, req).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let mut req = TestRequest::get().uri(path);
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        self.call(req).await
    }

    pub async fn get_as(&self, path: &str, user: &str) -> Resp {
        self.get(path, Some(&self.token(user))).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &str) -> Resp {
        let mut req = TestRequest::post()
            .uri(path)
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body.to_owned());
        if let Some(t) = token {
            req = req.insert_header(("Authorization", format!("Bearer {t}")));
        }
        self.call(req).await
    }

    pub async fn post_as(&self, path: &str, user: &str, body: Value) -> Resp {
        self.post(path, Some(&self.token(user)), &body.to_string())
            .await
    }

    pub async fn apply(&self, user: &str, id: &str, application_type: &str) -> Resp {
        self.post_as(
            &format!("/api/analytics/behavioral-insights/recommendations/{id}/apply"),
            user,
            json!({ "applicationType": application_type }),
        )
        .await
    }

    /// A user with patterns that the engine turns into recommendations.
    pub async fn seed_user_with_patterns(&self, user: &str) {
        let now = Timestamp::now().unix_millis();
        self.store()
            .ensure_user(user, None, None, Timestamp::now())
            .await
            .expect("user");
        self.store()
            .insert_patterns(&[
                pattern(
                    user,
                    PatternType::OptimalStudyTime,
                    0.85,
                    now - 20 * DAY,
                    now - DAY,
                ),
                pattern(
                    user,
                    PatternType::SessionDurationPreference,
                    0.8,
                    now - 30 * DAY,
                    now - 2 * DAY,
                ),
                pattern(
                    user,
                    PatternType::ForgettingCurve,
                    0.75,
                    now - 10 * DAY,
                    now - 3 * DAY,
                ),
            ])
            .await
            .expect("patterns");
    }

    /// The first recommendation the GET returns for `user`.
    pub async fn first_recommendation(&self, user: &str) -> Value {
        let res = self
            .get_as("/api/analytics/behavioral-insights/recommendations", user)
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
        res.data()["recommendations"][0].clone()
    }
}

/// One request through the application built from `state`.
async fn call_app(state: AppState, req: TestRequest) -> Resp {
    let service = test::init_service(insights_server::app(state)).await;
    // An error escaping the middleware is rendered by actix's dispatcher in production;
    // the test harness hands it back instead, so render it the same way here.
    let res = match test::try_call_service(&service, req.to_request()).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(err) => {
            let res = err.error_response();
            return Resp {
                status: res.status().as_u16(),
                headers: res.headers().clone(),
                text: String::from_utf8(
                    actix_web::body::to_bytes(res.into_body())
                        .await
                        .map(|b| b.to_vec())
                        .unwrap_or_default(),
                )
                .expect("utf-8 body"),
            };
        }
    };
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = test::read_body(res).await;
    Resp {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).expect("utf-8 body"),
    }
}

pub fn at(ms: i64) -> Timestamp {
    Timestamp::from_unix_millis(ms).expect("instant")
}

pub fn pattern(
    user: &str,
    t: PatternType,
    confidence: f64,
    detected: i64,
    last_seen: i64,
) -> NewPattern {
    NewPattern {
        user_id: user.into(),
        pattern_type: t,
        pattern_data: json!({"hourOfDay": 7, "sessionCount": 12, "recommendedDuration": 50}),
        confidence,
        pattern_name: Some(format!("{t} pattern")),
        evidence: vec![
            "42 sessions analyzed".into(),
            "Performance score: 82%".into(),
        ],
        occurrence_count: 5,
        detected_at: at(detected),
        last_seen_at: at(last_seen),
    }
}

/// Runs `sql` on `conn` and returns the one text column `n` of its one row.
pub async fn text_of(conn: &mut diesel_async::AsyncPgConnection, sql: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct One {
        #[diesel(sql_type = diesel::sql_types::Text)]
        n: String,
    }
    let rows: Vec<One> = diesel_async::RunQueryDsl::load(diesel::sql_query(sql), conn)
        .await
        .expect(sql);
    rows.into_iter().next().expect("one row").n
}

/// Polls `sql` on `conn` until its `n` is `expected`.
pub async fn poll_until(conn: &mut diesel_async::AsyncPgConnection, sql: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while text_of(conn, sql).await != expected {
        assert!(Instant::now() < deadline, "never true: {sql}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// SQL counting the other backends that wait for a lock the backend `pid` holds, as `n`.
pub fn blocked_by(pid: &str) -> String {
    format!(
        "SELECT count(*)::text AS n FROM pg_stat_activity \
         WHERE pid <> {pid} AND state = 'active' AND pg_blocking_pids(pid) @> ARRAY[{pid}]"
    )
}

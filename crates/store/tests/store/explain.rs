//! On a realistically filled PostgreSQL table, each endpoint query's plan uses the index that
//! was chosen for it (migrations/postgres/…_insights_indexes).

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use insights_model::*;
use insights_testkit::TestDb;

use crate::fixtures::*;

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

async fn plan(conn: &mut AsyncPgConnection, sql: &str) -> String {
    let lines: Vec<PlanLine> = diesel::sql_query(format!("EXPLAIN {sql}"))
        .load(conn)
        .await
        .expect("explain");
    lines
        .into_iter()
        .map(|l| l.line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_endpoint_query_uses_its_index() {
    let db = TestDb::postgres().await;
    let store = &db.store;
    let users: Vec<String> = (0..1_500).map(|i| format!("user-{i:05}")).collect();
    let mut patterns = Vec::new();
    let mut recs = Vec::new();
    let mut effectiveness_users = Vec::new();
    for (n, u) in users.iter().enumerate() {
        for i in 0..15_i64 {
            let detected = NOW - (i * 12 + (n as i64 % 7)) * DAY;
            patterns.push(pattern(
                u,
                PatternType::ALL[(i % 6) as usize],
                0.4 + (i as f64) * 0.04,
                detected,
                detected + 20 * DAY,
            ));
        }
        for i in 0..6 {
            recs.push(candidate(
                u,
                RecommendationType::ALL[i % 6],
                &format!("title {i}"),
                0.5,
            ));
        }
        effectiveness_users.push(u.clone());
    }
    // One heavy user (the `heavy` workload): thousands of patterns over two years, where the
    // window condition matters.
    for i in 0..5_000_i64 {
        let detected = NOW - (i % 730) * DAY;
        patterns.push(pattern(
            "heavy",
            PatternType::ALL[(i % 6) as usize],
            0.3 + (i % 70) as f64 / 100.0,
            detected,
            detected + 3 * DAY,
        ));
    }
    store.insert_patterns(&patterns).await.expect("patterns");
    for chunk in recs.chunks(1_000) {
        store
            .insert_recommendations(chunk, at(NOW))
            .await
            .expect("recs");
    }
    let mut rows = Vec::new();
    effectiveness_users.push("heavy".to_owned());
    for (n, u) in effectiveness_users.iter().rev().take(400).enumerate() {
        let weeks: i64 = if n == 0 { 500 } else { 26 };
        store
            .ensure_user(u, None, None, at(NOW))
            .await
            .expect("user");
        let config = store
            .insert_config(
                u,
                PersonalizationContext::Mission,
                "Balanced",
                0.7,
                true,
                at(NOW),
            )
            .await
            .expect("config");
        for w in 0..weeks {
            rows.push(NewEffectiveness {
                user_id: u.clone(),
                config_id: config.clone(),
                row: EffectivenessRow {
                    start_date: at(NOW - (w + 1) * 7 * DAY),
                    end_date: at(NOW - w * 7 * DAY),
                    retention_improvement: Some(1.0),
                    performance_improvement: None,
                    completion_rate_change: None,
                    engagement_change: None,
                    composite_score: 50.0,
                    is_statistically_significant: false,
                    sample_size: 10,
                    correlation: None,
                    p_value: None,
                },
            });
        }
    }
    store
        .insert_effectiveness(&rows, at(NOW))
        .await
        .expect("effectiveness");

    let mut conn = AsyncPgConnection::establish(&db.url)
        .await
        .expect("connect");
    diesel::sql_query("ANALYZE")
        .execute(&mut conn)
        .await
        .expect("analyze");
    // Typical users have ~15 rows each: any per-user index is fine, a sequential scan is not.
    for sql in [
        r#"SELECT * FROM behavioral_patterns WHERE "userId" = 'user-00042' AND "lastSeenAt" >= '2025-07-01' AND "detectedAt" <= '2025-10-20'"#,
        r#"SELECT * FROM personalization_effectiveness WHERE "userId" = 'user-01400' AND "startDate" >= '2025-10-01' AND "endDate" <= '2025-10-20' ORDER BY "startDate""#,
        // The unique partial index exists for idempotent inserts; reads may use any user index.
        r#"SELECT * FROM recommendations WHERE "userId" = 'user-00042' AND "appliedAt" IS NULL AND "dismissedAt" IS NULL"#,
    ] {
        let plan = plan(&mut conn, sql).await;
        assert!(
            plan.contains("Index") && !plan.contains("Seq Scan"),
            "{sql}\n{plan}"
        );
    }
    let u = "'heavy'";
    let cases = [
        (
            format!(
                r#"SELECT {EVOLUTION_COLUMNS} FROM behavioral_patterns WHERE "userId" = {u} AND "lastSeenAt" >= '2025-07-28' AND "detectedAt" <= '2025-10-20'"#
            ),
            "behavioral_patterns_userId_lastSeenAt_idx",
        ),
        (
            format!(
                r#"SELECT * FROM behavioral_patterns WHERE "userId" = {u} AND confidence >= 0.7 ORDER BY confidence DESC, id LIMIT 10"#
            ),
            "insights_patterns_user_confidence_idx",
        ),
        (
            format!(
                r#"SELECT * FROM personalization_effectiveness WHERE "userId" = {u} AND "startDate" >= '2025-10-01' AND "endDate" <= '2025-10-20' ORDER BY "startDate""#
            ),
            "insights_effectiveness_user_start_idx",
        ),
    ];
    for (sql, index) in cases {
        let plan = plan(&mut conn, &sql).await;
        assert!(
            plan.contains(index),
            "expected {index} in the plan of\n{sql}\n{plan}"
        );
    }
    // The store's statements are prepared once per connection, and PostgreSQL may then plan
    // them for any parameter values: that generic plan must use the window index too.
    diesel::sql_query(format!(
        r#"PREPARE evolution(text, timestamp, timestamp) AS SELECT {EVOLUTION_COLUMNS} FROM behavioral_patterns WHERE "userId" = $1 AND "lastSeenAt" >= $2 AND "detectedAt" <= $3"#
    ))
    .execute(&mut conn)
    .await
    .expect("prepare");
    diesel::sql_query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut conn)
        .await
        .expect("generic plans");
    for user in ["heavy", "user-00042"] {
        let plan = plan(
            &mut conn,
            &format!("EXECUTE evolution('{user}', '2025-07-28', '2025-10-20')"),
        )
        .await;
        assert!(
            plan.contains("behavioral_patterns_userId_lastSeenAt_idx"),
            "generic plan for {user}:\n{plan}"
        );
    }
}

//! SQLite's plan for the evolution query uses its covering index.

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, RunQueryDsl};
use insights_testkit::TestDb;

use crate::fixtures::EVOLUTION_COLUMNS;

#[derive(QueryableByName)]
struct SqlitePlanLine {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[tokio::test]
async fn sqlite_answers_the_evolution_query_from_its_covering_index() {
    let db = TestDb::sqlite().await;
    let path = db.url.trim_start_matches("sqlite://").to_owned();
    let mut conn = diesel_async::sync_connection_wrapper::SyncConnectionWrapper::<
        diesel::SqliteConnection,
    >::establish(&path)
    .await
    .expect("open");
    let lines: Vec<SqlitePlanLine> = diesel::sql_query(format!(
        r#"EXPLAIN QUERY PLAN SELECT {EVOLUTION_COLUMNS} FROM behavioral_patterns WHERE "userId" = ? AND "lastSeenAt" >= ? AND "detectedAt" <= ?"#
    ))
    .load(&mut conn)
    .await
    .expect("explain");
    let plan: Vec<String> = lines.into_iter().map(|l| l.detail).collect();
    assert!(
        plan.iter()
            .any(|l| l.contains("USING COVERING INDEX insights_patterns_user_timeline_idx")),
        "{plan:?}"
    );
}

//! The original application's tables and columns that this service never uses but our
//! migrations create (`insight_patterns`, `personalization_preferences."lastResetAt"`), and the
//! migration that drops the withdrawn PostgreSQL covering index.

use diesel::QueryableByName;
use diesel::sql_types::BigInt;
#[cfg(feature = "postgres")]
use diesel_async::AsyncPgConnection;
#[cfg(feature = "sqlite")]
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, SimpleAsyncConnection};
use insights_testkit::TestDb;

/// A direct connection to a test database, outside the store, to write and count rows in
/// tables the store has no API for.
enum Conn {
    #[cfg(feature = "postgres")]
    Postgres(Box<AsyncPgConnection>),
    #[cfg(feature = "sqlite")]
    Sqlite(SyncConnectionWrapper<diesel::SqliteConnection>),
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl Conn {
    async fn open(db: &TestDb) -> Self {
        #[cfg(feature = "sqlite")]
        if let Some(path) = db.url.strip_prefix("sqlite://") {
            let mut conn = SyncConnectionWrapper::<diesel::SqliteConnection>::establish(path)
                .await
                .expect("open");
            // Per connection in SQLite, as the store's pool sets it.
            conn.batch_execute("PRAGMA foreign_keys = ON")
                .await
                .expect("pragma");
            return Self::Sqlite(conn);
        }
        #[cfg(feature = "postgres")]
        return Self::Postgres(Box::new(
            AsyncPgConnection::establish(&db.url)
                .await
                .expect("connect"),
        ));
        #[cfg(not(feature = "postgres"))]
        panic!(
            "{} is not an SQLite URL, and PostgreSQL is compiled out",
            db.url
        );
    }

    async fn execute(&mut self, sql: &str) -> diesel::QueryResult<()> {
        match self {
            #[cfg(feature = "postgres")]
            Self::Postgres(conn) => conn.batch_execute(sql).await,
            #[cfg(feature = "sqlite")]
            Self::Sqlite(conn) => conn.batch_execute(sql).await,
        }
    }

    async fn count(&mut self, sql: &str) -> i64 {
        // Imported here only: in module scope its blanket `execute` would shadow
        // `TestDb::execute`.
        use diesel_async::RunQueryDsl;
        let rows: Vec<Count> = match self {
            #[cfg(feature = "postgres")]
            Self::Postgres(conn) => diesel::sql_query(sql).load(&mut **conn).await,
            #[cfg(feature = "sqlite")]
            Self::Sqlite(conn) => diesel::sql_query(sql).load(conn).await,
        }
        .expect("count");
        rows[0].n
    }
}

const TS: &str = "'2025-10-20 00:00:00'";

async fn the_migrated_schema_links_insights_to_patterns(db: TestDb) {
    assert_eq!(
        db.store.original_only_gaps().await.expect("catalog"),
        Vec::<String>::new()
    );
    let mut conn = Conn::open(&db).await;
    conn.execute(&format!(
        r#"INSERT INTO "behavioral_insights" ("id", "userId", "insightType", "title", "description", "actionableRecommendation", "confidence", "createdAt")
             VALUES ('i1', 'u1', 'STUDY_TIME_OPTIMIZATION', 't', 'd', 'a', 0.9, {TS});
           INSERT INTO "behavioral_patterns" ("id", "userId", "patternType", "patternData", "confidence", "firstDetectedAt", "lastSeenAt", "detectedAt")
             VALUES ('p1', 'u1', 'OPTIMAL_STUDY_TIME', '{{}}', 0.9, {TS}, {TS}, {TS}),
                    ('p2', 'u1', 'FORGETTING_CURVE', '{{}}', 0.8, {TS}, {TS}, {TS});
           INSERT INTO "insight_patterns" ("id", "insightId", "patternId")
             VALUES ('l1', 'i1', 'p1'), ('l2', 'i1', 'p2');
           INSERT INTO "personalization_preferences" ("id", "userId", "createdAt", "updatedAt", "lastResetAt")
             VALUES ('pp1', 'u1', {TS}, {TS}, {TS});"#
    ))
    .await
    .expect("the original's rows fit");

    let duplicate = conn
        .execute(r#"INSERT INTO "insight_patterns" ("id", "insightId", "patternId") VALUES ('l3', 'i1', 'p1')"#)
        .await;
    assert!(duplicate.is_err(), "one link per (insight, pattern)");
    let dangling = conn
        .execute(r#"INSERT INTO "insight_patterns" ("id", "insightId", "patternId") VALUES ('l4', 'i1', 'nope')"#)
        .await;
    assert!(dangling.is_err(), "the pattern must exist");

    let links = r#"SELECT COUNT(*) AS n FROM "insight_patterns""#;
    conn.execute(r#"DELETE FROM "behavioral_patterns" WHERE "id" = 'p2'"#)
        .await
        .expect("delete a pattern");
    assert_eq!(conn.count(links).await, 1, "its link goes with it");
    conn.execute(r#"DELETE FROM "behavioral_insights" WHERE "id" = 'i1'"#)
        .await
        .expect("delete the insight");
    assert_eq!(conn.count(links).await, 0, "its links go with it");

    // The unique pair and one index per foreign key (plus, on PostgreSQL, the primary key's).
    let (indexes, expected) = match conn {
        #[cfg(feature = "postgres")]
        Conn::Postgres(_) => (
            r#"SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'insight_patterns'"#,
            4,
        ),
        #[cfg(feature = "sqlite")]
        Conn::Sqlite(_) => (
            r#"SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND tbl_name = 'insight_patterns' AND sql IS NOT NULL"#,
            3,
        ),
    };
    assert_eq!(conn.count(indexes).await, expected);
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn the_migrated_schema_links_insights_to_patterns_on_postgres() {
    the_migrated_schema_links_insights_to_patterns(TestDb::postgres().await).await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn the_migrated_schema_links_insights_to_patterns_on_sqlite() {
    the_migrated_schema_links_insights_to_patterns(TestDb::sqlite().await).await;
}

/// A database created before migrations 000006 and 000007 (or by an original application
/// without them) is still valid for this service: they are only reported.
async fn an_old_shaped_database_passes_the_schema_check(db: TestDb) {
    Conn::open(&db)
        .await
        .execute(
            r#"DROP TABLE "insight_patterns";
               ALTER TABLE "personalization_preferences" DROP COLUMN "lastResetAt";"#,
        )
        .await
        .expect("take the database back to its old shape");
    db.store.check_schema().await.expect("still a valid schema");
    assert_eq!(
        db.store.original_only_gaps().await.expect("catalog"),
        [
            r#"table "insight_patterns" is missing"#,
            r#"column "personalization_preferences"."lastResetAt" is missing"#,
        ]
    );
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn an_old_shaped_database_passes_the_schema_check_on_postgres() {
    an_old_shaped_database_passes_the_schema_check(TestDb::postgres().await).await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn an_old_shaped_database_passes_the_schema_check_on_sqlite() {
    an_old_shaped_database_passes_the_schema_check(TestDb::sqlite().await).await;
}

#[cfg(feature = "postgres")]
/// PostgreSQL migration 000004 as it was applied on 2026-12-02 before it was withdrawn.
const WITHDRAWN_000004: &str = r#"CREATE INDEX IF NOT EXISTS "insights_patterns_user_timeline_idx" ON "behavioral_patterns" ("userId", "lastSeenAt") INCLUDE ("detectedAt", "patternType", "confidence", "id", "evidence");"#;

#[cfg(feature = "postgres")]
#[derive(QueryableByName)]
struct IndexName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    indexname: String,
}

#[cfg(feature = "postgres")]
async fn postgres_index_names(db: &TestDb) -> Vec<String> {
    use diesel_async::RunQueryDsl;
    let mut conn = AsyncPgConnection::establish(&db.url)
        .await
        .expect("connect");
    let rows: Vec<IndexName> =
        diesel::sql_query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            .load(&mut conn)
            .await
            .expect("indexes");
    rows.into_iter().map(|r| r.indexname).collect()
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn a_database_migrated_with_the_withdrawn_index_loses_it() {
    let db = TestDb::postgres_empty().await;
    // The state our migrations left on 2026-12-02 between adding 000004 and withdrawing it:
    // 000001 to 000004 applied and recorded the way diesel records them.
    db.execute(concat!(
        include_str!("../../../../migrations/postgres/2025-11-01-000001_original_schema/up.sql"),
        include_str!("../../../../migrations/postgres/2025-11-01-000002_insights_indexes/up.sql"),
        include_str!(
            "../../../../migrations/postgres/2025-11-01-000003_drop_closed_recommendations_index/up.sql"
        ),
    ))
    .await;
    db.execute(WITHDRAWN_000004).await;
    db.execute(
        r#"CREATE TABLE "__diesel_schema_migrations" (
               "version" VARCHAR(50) PRIMARY KEY NOT NULL,
               "run_on" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
           INSERT INTO "__diesel_schema_migrations" ("version")
             VALUES ('20251101000001'), ('20251101000002'), ('20251101000003'), ('20251101000004');"#,
    )
    .await;
    let timeline = "insights_patterns_user_timeline_idx".to_owned();
    assert!(postgres_index_names(&db).await.contains(&timeline));

    let applied = db.store.migrate().await.expect("migrate");
    assert_eq!(
        applied,
        ["20251101000005", "20251101000006", "20251101000007"]
    );
    assert!(!postgres_index_names(&db).await.contains(&timeline));
    db.store.check_schema().await.expect("schema matches");
    assert!(
        db.store
            .original_only_gaps()
            .await
            .expect("catalog")
            .is_empty()
    );
    assert!(
        db.store
            .missing_indexes()
            .await
            .expect("indexes")
            .is_empty()
    );
}

//! Engine inputs and the idempotent multi-row insert of generated recommendations.

use diesel::backend::Backend;
use diesel::dsl;
#[cfg(feature = "postgres")]
use diesel::pg::Pg;
use diesel::prelude::*;
#[cfg(feature = "sqlite")]
use diesel::sqlite::Sqlite;
use diesel_async::RunQueryDsl;
use insights_model::{
    BehavioralInsight, BehavioralPattern, EngineInputLimits, Intervention, InterventionStatus,
    NewRecommendation, Recommendation, Timestamp,
};
use time::PrimitiveDateTime;

use crate::pool::{Pools, with_conn};
use crate::rows::{InsightRow, InterventionRow, PatternRow, RecommendationRow, naive};
use crate::schema::{behavioral_insights as bi, behavioral_patterns as bp};
use crate::schema::{intervention_recommendations as ir, recommendations as r};
use crate::sql_types::DbEnum;
use crate::{Store, StoreError, new_id};

/// Everything the recommendation engine reads for one user (the original's four reads, plus the
/// closed rows our cool-down de-duplication and `includeApplied` need).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecommendationInputs {
    /// Patterns with at least the minimum confidence, highest first, at most the limit.
    pub patterns: Vec<BehavioralPattern>,
    /// Unacknowledged insights with at least the minimum confidence, highest first, at most
    /// the limit.
    pub insights: Vec<BehavioralInsight>,
    /// Pending interventions, highest priority first, at most the limit.
    pub interventions: Vec<Intervention>,
    /// Active recommendations (neither applied nor dismissed), highest priority first.
    pub active: Vec<Recommendation>,
    /// Applied recommendations (any time) and those dismissed at or after the cut-off.
    pub closed: Vec<Recommendation>,
}

// The engine's four reads, each one query for both backends.

/// The user's patterns with at least the minimum confidence, strongest first.
#[dsl::auto_type(no_type_alias)]
fn strong_patterns<'a, DB: Backend>(user: &'a str, limits: EngineInputLimits) -> _ {
    let min_confidence: f64 = limits.min_confidence;
    let limit: i64 = sql_limit(limits.patterns);
    let columns: dsl::AsSelect<PatternRow, DB> = PatternRow::as_select();
    bp::table
        .filter(bp::user_id.eq(user))
        .filter(bp::confidence.ge(min_confidence))
        .order((bp::confidence.desc(), bp::id.asc()))
        .limit(limit)
        .select(columns)
}

/// The user's unacknowledged insights with at least the minimum confidence, strongest first.
#[dsl::auto_type(no_type_alias)]
fn open_insights<'a, DB: Backend>(user: &'a str, limits: EngineInputLimits) -> _ {
    let min_confidence: f64 = limits.min_confidence;
    let limit: i64 = sql_limit(limits.insights);
    let columns: dsl::AsSelect<InsightRow, DB> = InsightRow::as_select();
    bi::table
        .filter(bi::user_id.eq(user))
        .filter(bi::acknowledged_at.is_null())
        .filter(bi::confidence.ge(min_confidence))
        .order((bi::confidence.desc(), bi::id.asc()))
        .limit(limit)
        .select(columns)
}

/// The user's pending interventions, highest priority first.
#[dsl::auto_type(no_type_alias)]
fn pending_interventions<'a, DB: Backend>(user: &'a str, limits: EngineInputLimits) -> _ {
    let pending: DbEnum<InterventionStatus> = DbEnum(InterventionStatus::Pending);
    let limit: i64 = sql_limit(limits.interventions);
    let columns: dsl::AsSelect<InterventionRow, DB> = InterventionRow::as_select();
    ir::table
        .filter(ir::user_id.eq(user))
        .filter(ir::status.eq(pending))
        .order((ir::priority.desc(), ir::id.asc()))
        .limit(limit)
        .select(columns)
}

/// The user's recommendations that are active, applied, or dismissed at or after
/// `dismissed_since`, in one statement, split afterwards by [`Recommendation::is_active`].
/// Reading the same ≈20 rows in two statements made PostgreSQL's share of the engine's reads
/// about a fifth larger, and the endpoint about a fifth slower with the cache off (measured in
/// docs/performance.md).
#[dsl::auto_type(no_type_alias)]
fn open_and_recent_recommendations<'a, DB: Backend>(
    user: &'a str,
    dismissed_since: PrimitiveDateTime,
) -> _ {
    let columns: dsl::AsSelect<RecommendationRow, DB> = RecommendationRow::as_select();
    r::table
        .filter(r::user_id.eq(user))
        .filter(
            r::applied_at
                .is_not_null()
                .or(r::dismissed_at.is_null())
                .or(r::dismissed_at.ge(dismissed_since)),
        )
        .order((r::priority_score.desc(), r::created_at.asc(), r::id.asc()))
        .select(columns)
}

/// A row count as SQL's `LIMIT` (a count beyond `i64` means no limit in practice).
fn sql_limit(rows: usize) -> i64 {
    i64::try_from(rows).unwrap_or(i64::MAX)
}

impl Store {
    /// The engine's inputs for `user`: four reads, pipelined on one connection on PostgreSQL,
    /// run in one blocking-thread hop on SQLite.
    /// `dismissed_since` bounds which dismissed rows are returned (the cool-down start);
    /// `limits` are the engine's (`insights_recommender::engine::INPUT_LIMITS`).
    pub async fn recommendation_inputs(
        &self,
        user: &str,
        dismissed_since: Timestamp,
        limits: &EngineInputLimits,
    ) -> Result<RecommendationInputs, StoreError> {
        let since = naive(dismissed_since);
        let limits = *limits;
        let (patterns, insights, interventions, recommendations) = with_conn!(self,
            pooled_read: |shared| {
                // Four independent reads share one connection: pipelined, one round trip.
                // Always a pooled connection, even with `StoreConfig::pipelined_reads`: on the
                // shared connection these reads (four statements, the largest rows) made the
                // endpoint's slowest requests slower, 32-164 ms against 12-55 ms pooled
                // (docs/performance.md, "Pipelined reads").
                futures_util::try_join!(
                    strong_patterns::<Pg>(user, limits).load::<PatternRow>(&mut &*shared),
                    open_insights::<Pg>(user, limits).load::<InsightRow>(&mut &*shared),
                    pending_interventions::<Pg>(user, limits)
                        .load::<InterventionRow>(&mut &*shared),
                    open_and_recent_recommendations::<Pg>(user, since)
                        .load::<RecommendationRow>(&mut &*shared),
                )?
            },
            sqlite: |conn| {
                // One hop to the connection's blocking thread for all four reads: with a hop
                // per read (what the async API does) the endpoint served half the requests/s
                // (docs/performance.md).
                let user = user.to_owned();
                conn.spawn_blocking(move |c| {
                    Ok((
                        diesel::RunQueryDsl::load::<PatternRow>(
                            strong_patterns::<Sqlite>(&user, limits),
                            c,
                        )?,
                        diesel::RunQueryDsl::load::<InsightRow>(
                            open_insights::<Sqlite>(&user, limits),
                            c,
                        )?,
                        diesel::RunQueryDsl::load::<InterventionRow>(
                            pending_interventions::<Sqlite>(&user, limits),
                            c,
                        )?,
                        diesel::RunQueryDsl::load::<RecommendationRow>(
                            open_and_recent_recommendations::<Sqlite>(&user, since),
                            c,
                        )?,
                    ))
                })
                .await?
            }
        );
        // `partition` keeps the read order within each side.
        let (active, closed) = recommendations
            .into_iter()
            .map(Recommendation::from)
            .partition(Recommendation::is_active);
        Ok(RecommendationInputs {
            patterns: patterns.into_iter().map(Into::into).collect(),
            insights: insights.into_iter().map(Into::into).collect(),
            interventions: interventions.into_iter().map(Into::into).collect(),
            active,
            closed,
        })
    }

    /// Creates the given recommendations in ONE statement
    /// (`INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING *`). A candidate that
    /// collides with an active row of the same (user, type, title) — created concurrently by
    /// another request, say — is skipped by the unique partial index, so generation is
    /// idempotent. Returns only the rows actually created. More than 1,000 candidates (far more
    /// than the engine ever proposes) take one statement per 1,000, to stay under the backends'
    /// bind-parameter limits.
    pub async fn insert_recommendations(
        &self,
        candidates: &[NewRecommendation],
        created_at: Timestamp,
    ) -> Result<Vec<Recommendation>, StoreError> {
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let mut created: Vec<RecommendationRow> = Vec::new();
        for chunk in candidates.chunks(crate::pool::ROWS_PER_STATEMENT) {
            let rows: Vec<RecommendationRow> = chunk
                .iter()
                .map(|c| RecommendationRow::new(new_id(), c, created_at))
                .collect();
            let chunk_created: Vec<RecommendationRow> = with_conn!(self,
                postgres: |conn| insert_returning(conn, &rows).await?,
                sqlite: |conn| {
                    // Sync diesel builds the multi-row form for SQLite (see `batch_insert`).
                    conn.spawn_blocking(move |c| {
                        diesel::RunQueryDsl::get_results(
                            diesel::insert_into(r::table)
                                .values(&rows)
                                .on_conflict_do_nothing()
                                .returning(RecommendationRow::as_returning()),
                            c,
                        )
                    })
                    .await?
                }
            );
            created.extend(chunk_created);
        }
        Ok(created.into_iter().map(Into::into).collect())
    }

    /// Creates a user's generated recommendations once each, whatever runs concurrently, and
    /// returns the rows created. A candidate whose (type, title) is already active for the user
    /// is skipped (docs/compatibility.md, section 5).
    ///
    /// Our migrations make that a unique partial index, and [`insert_recommendations`]'s
    /// `ON CONFLICT DO NOTHING` is then enough. A database created by the original app has no
    /// such index, so on PostgreSQL the insert runs in a transaction holding a per-user advisory
    /// lock, after re-reading the user's active (type, title) pairs: concurrent generations
    /// for one user (other cache keys, other instances) queue on the lock, and each sees what
    /// the previous one committed. Two statements more, only when there is something to create.
    /// SQLite databases are always created by our migrations, so they always have the index.
    ///
    /// Every candidate must belong to `user_id`.
    ///
    /// [`insert_recommendations`]: Store::insert_recommendations
    pub async fn create_recommendations(
        &self,
        user_id: &str,
        candidates: &[NewRecommendation],
        created_at: Timestamp,
    ) -> Result<Vec<Recommendation>, StoreError> {
        debug_assert!(candidates.iter().all(|c| c.user_id == user_id));
        match &self.pools {
            #[cfg(feature = "postgres")]
            Pools::Postgres(pool) => {
                self.create_under_advisory_lock(pool, user_id, candidates, created_at)
                    .await
            }
            #[cfg(feature = "sqlite")]
            Pools::Sqlite(_) => self.insert_recommendations(candidates, created_at).await,
        }
    }

    /// [`Store::create_recommendations`] on PostgreSQL: the insert runs in a transaction that
    /// holds the user's advisory lock, after re-reading the user's active (type, title) pairs.
    #[cfg(feature = "postgres")]
    async fn create_under_advisory_lock(
        &self,
        pool: &crate::postgres::PgPool,
        user_id: &str,
        candidates: &[NewRecommendation],
        created_at: Timestamp,
    ) -> Result<Vec<Recommendation>, StoreError> {
        use diesel_async::AsyncConnection;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let lock_key = format!("insights:recommendations:{user_id}");
        let mut conn =
            crate::pool::Counted::checkout(pool.local(), &self.statements, Some(&self.health))
                .await?;
        let created: Result<Vec<RecommendationRow>, StoreError> = conn
            .transaction::<_, StoreError, _>(async move |tx| {
                diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                    .bind::<diesel::sql_types::Text, _>(&lock_key)
                    .execute(tx)
                    .await?;
                let active: Vec<(DbEnum<insights_model::RecommendationType>, String)> = r::table
                    .filter(r::user_id.eq(user_id))
                    .filter(r::applied_at.is_null())
                    .filter(r::dismissed_at.is_null())
                    .select((r::recommendation_type, r::title))
                    .load(tx)
                    .await?;
                let rows: Vec<RecommendationRow> = candidates
                    .iter()
                    .filter(|c| {
                        !active.iter().any(|(kind, title)| {
                            kind.0 == c.recommendation_type && *title == c.title
                        })
                    })
                    .map(|c| RecommendationRow::new(new_id(), c, created_at))
                    .collect();
                let mut created = Vec::new();
                for chunk in rows.chunks(crate::pool::ROWS_PER_STATEMENT) {
                    created.extend(insert_returning(tx, chunk).await?);
                }
                Ok(created)
            })
            .await;
        // As `with_conn!` does: a lost connection must not go back to the pool as usable.
        crate::postgres::mark_broken_if_lost(&mut conn, &created);
        Ok(created?.into_iter().map(Into::into).collect())
    }

    /// One recommendation by id.
    pub async fn recommendation(&self, id: &str) -> Result<Option<Recommendation>, StoreError> {
        let row: Option<RecommendationRow> = with_conn!(self, |conn| {
            r::table
                .find(id)
                .select(RecommendationRow::as_select())
                .first(conn)
                .await
                .optional()?
        });
        Ok(row.map(Into::into))
    }

    /// Marks a recommendation dismissed (used by ingestion and tests of the cool-down).
    pub async fn dismiss_recommendation(
        &self,
        id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let at = naive(at);
        let n = with_conn!(self, |conn| {
            diesel::update(r::table.find(id))
                .filter(r::dismissed_at.is_null())
                .set(r::dismissed_at.eq(Some(at)))
                .execute(conn)
                .await?
        });
        Ok(n == 1)
    }
}

/// One multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` of recommendation rows on
/// PostgreSQL: the rows a conflict skipped are not returned.
#[cfg(feature = "postgres")]
async fn insert_returning(
    conn: &mut diesel_async::AsyncPgConnection,
    rows: &[RecommendationRow],
) -> diesel::QueryResult<Vec<RecommendationRow>> {
    diesel::insert_into(r::table)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(RecommendationRow::as_returning())
        .get_results(conn)
        .await
}

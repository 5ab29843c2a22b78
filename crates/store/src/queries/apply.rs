//! Applying a recommendation: one transaction, race-free, all or nothing.

use diesel::backend::Backend;
use diesel::dsl;
use diesel::prelude::*;
use diesel_async::methods::{ExecuteDsl, LoadQuery};
use diesel_async::{AsyncConnection, RunQueryDsl};
use insights_model::{
    ApplicationType, AppliedRecommendation, BaselineMetrics, LearningProfile, ProfileUpdate,
    Recommendation, Timestamp,
};
use time::{Duration, PrimitiveDateTime};

use crate::pool::with_conn;
use crate::rows::{NewAppliedRow, ProfileChanges, ProfileRow, RecommendationRow, naive};
use crate::schema::{
    applied_recommendations as ar, behavioral_patterns as bp, recommendations as r,
    study_sessions as ss, user_learning_profiles as ulp,
};
use crate::sql_types::{DbEnum, DbJson};
use crate::{Store, StoreError, new_id};

/// Who applies what, how and when.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// The recommendation.
    pub recommendation_id: String,
    /// The caller's user id; `None` for a trusted service caller acting for the owner.
    pub acting_user: Option<String>,
    /// How it is applied.
    pub application_type: ApplicationType,
    /// The apply instant (stored as `appliedAt`).
    pub now: Timestamp,
}

/// What an apply changed.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyOutcome {
    /// The recommendation, now with `appliedAt` set.
    pub recommendation: Recommendation,
    /// The `applied_recommendations` row created.
    pub applied: AppliedRecommendation,
    /// The profile changes written (empty when none).
    pub profile_update: ProfileUpdate,
}

impl Store {
    /// Applies a recommendation in one transaction: marks it applied, snapshots the baseline
    /// metrics into `applied_recommendations`, and writes the profile changes `derive` returns
    /// (given the recommendation and the user's current profile). Errors: `NotFound`,
    /// `Forbidden` (another user's), `Conflict` (already applied); nothing is written then.
    pub async fn apply_recommendation<F>(
        &self,
        req: ApplyRequest,
        derive: F,
    ) -> Result<ApplyOutcome, StoreError>
    where
        F: FnOnce(&Recommendation, Option<&LearningProfile>) -> ProfileUpdate + Send,
    {
        let req = &req;
        // `?` inside: `with_conn!` must see the error to drop a lost connection.
        Ok(with_conn!(self, |conn| {
            conn.transaction(async move |tx| apply_in_transaction(tx, req, derive).await)
                .await?
        }))
    }
}

/// The apply transaction's statements, for either backend's connection (the one difference is
/// [`ReadProfileForUpdate`]). The bounds name each statement's type (below) and require the
/// connection to run it.
async fn apply_in_transaction<C, DB>(
    tx: &mut C,
    req: &ApplyRequest,
    derive: impl FnOnce(&Recommendation, Option<&LearningProfile>) -> ProfileUpdate,
) -> Result<ApplyOutcome, StoreError>
where
    C: AsyncConnection<Backend = DB> + ReadProfileForUpdate,
    DB: Backend + Send,
    for<'q> MarkApplied<DB>: LoadQuery<'q, C, RecommendationRow>,
    for<'q> MarkOwnApplied<DB>: LoadQuery<'q, C, RecommendationRow>,
    for<'q> dsl::Limit<recommendation_by_id<DB>>: LoadQuery<'q, C, RecommendationRow>,
    for<'q> dsl::Limit<average_confidence>: LoadQuery<'q, C, Option<f64>>,
    for<'q> sessions_since: LoadQuery<'q, C, i64>,
    InsertApplied: ExecuteDsl<C>,
    UpdateProfile: ExecuteDsl<C>,
{
    let id = &req.recommendation_id;
    let now = naive(req.now);
    // The conditional UPDATE comes first and is the race-free check: of concurrent applies
    // exactly one finds `appliedAt` still NULL (the row lock / SQLite write lock serialises
    // them). Being the transaction's first statement also makes a SQLite transaction a
    // writer from its start, like `BEGIN IMMEDIATE`: a read before it would pin a snapshot
    // that another writer can make stale, and the write would then fail with
    // SQLITE_BUSY_SNAPSHOT instead of waiting for the lock.
    let unapplied = diesel::update(r::table.find(id.clone())).filter(r::applied_at.is_null());
    let mark_applied = r::applied_at.eq(Some(now));
    // Two statement types rather than one boxed query: boxing would need the backend's SQL
    // rendering bounds for every part of the query spelled out here.
    let updated: Option<RecommendationRow> = match &req.acting_user {
        Some(user) => {
            unapplied
                .filter(r::user_id.eq(user.clone()))
                .set(mark_applied)
                .returning(RecommendationRow::as_returning())
                .get_result(tx)
                .await
        }
        None => {
            unapplied
                .set(mark_applied)
                .returning(RecommendationRow::as_returning())
                .get_result(tx)
                .await
        }
    }
    .optional()?;
    let recommendation: Recommendation = match updated {
        Some(row) => row.into(),
        None => {
            let existing: Option<RecommendationRow> = recommendation_by_id::<DB>(id.clone())
                .first(tx)
                .await
                .optional()?;
            let existing: Recommendation = existing
                .ok_or(StoreError::NotFound(crate::Entity::Recommendation))?
                .into();
            return Err(match &req.acting_user {
                Some(user) if existing.user_id != *user => {
                    StoreError::Forbidden(crate::Entity::Recommendation)
                }
                _ => StoreError::Conflict(crate::ConflictKind::AlreadyApplied),
            });
        }
    };
    let user = &recommendation.user_id;
    let avg_confidence: Option<f64> = average_confidence(user.clone()).first(tx).await?;
    // The profile is read and written back as a whole by `derive`: two applies of different
    // recommendations must not both read the same version, or the second write loses the
    // first's change. PostgreSQL locks the row until commit (`FOR UPDATE`); SQLite already
    // holds the database's write lock since the UPDATE above.
    let profile: Option<LearningProfile> = tx.read_profile_for_update(user).await?.map(Into::into);
    let week_ago = naive(req.now.saturating_add(-Duration::days(7)));
    let session_count: i64 = sessions_since(user.clone(), week_ago)
        .get_result(tx)
        .await?;
    let baseline = BaselineMetrics {
        avg_confidence: avg_confidence.unwrap_or(0.0),
        behavioral_score: profile.as_ref().map_or(0.0, |p| p.data_quality_score),
        session_count,
        captured_at: req.now,
    };
    let applied = AppliedRecommendation {
        id: new_id(),
        recommendation_id: recommendation.id.clone(),
        user_id: recommendation.user_id.clone(),
        application_type: req.application_type,
        baseline_metrics: baseline,
        applied_at: req.now,
    };
    let baseline_json =
        serde_json::to_value(&applied.baseline_metrics).map_err(|source| StoreError::Encode {
            what: "baseline metrics",
            source,
        })?;
    diesel::insert_into(ar::table)
        .values(NewAppliedRow {
            id: applied.id.clone(),
            recommendation_id: applied.recommendation_id.clone(),
            user_id: applied.user_id.clone(),
            application_type: DbEnum(applied.application_type),
            baseline_metrics: DbJson(baseline_json),
            applied_at: now,
        })
        .execute(tx)
        .await?;
    let profile_update = derive(&recommendation, profile.as_ref());
    if !profile_update.is_empty() {
        diesel::update(ulp::table.filter(ulp::user_id.eq(user.clone())))
            .set(ProfileChanges::from(&profile_update))
            .execute(tx)
            .await?;
    }
    Ok(ApplyOutcome {
        recommendation,
        applied,
        profile_update,
    })
}

/// Reads a user's profile inside the apply transaction so that no other apply can read it
/// before this one commits: the one statement that differs between the backends.
trait ReadProfileForUpdate {
    fn read_profile_for_update(
        &mut self,
        user: &str,
    ) -> impl Future<Output = QueryResult<Option<ProfileRow>>> + Send;
}

#[cfg(feature = "postgres")]
impl ReadProfileForUpdate for diesel_async::AsyncPgConnection {
    /// `SELECT … FOR UPDATE`: the row stays locked until commit.
    async fn read_profile_for_update(&mut self, user: &str) -> QueryResult<Option<ProfileRow>> {
        profile_of::<diesel::pg::Pg>(user)
            .for_update()
            .first(self)
            .await
            .optional()
    }
}

#[cfg(feature = "sqlite")]
impl ReadProfileForUpdate for crate::pool::SqliteConn {
    /// A plain read: the transaction holds the database's write lock since its first UPDATE.
    async fn read_profile_for_update(&mut self, user: &str) -> QueryResult<Option<ProfileRow>> {
        profile_of::<diesel::sqlite::Sqlite>(user)
            .first(self)
            .await
            .optional()
    }
}

// The statements' types, which `apply_in_transaction` requires each backend to run. They own
// their binds (`String`, not `&str`): a borrowed bind ties the query's lifetime to the lifetime
// in `LoadQuery<'q, …>`, and rustc then cannot prove the transaction's future `Send`
// ("implementation of `Send` is not general enough").

/// Marks a recommendation that is not applied yet as applied and returns it.
type MarkApplied<DB> = dsl::Returning<
    dsl::Set<Unapplied, dsl::Eq<r::applied_at, Option<PrimitiveDateTime>>>,
    dsl::AsSelect<RecommendationRow, DB>,
>;
/// [`MarkApplied`], only if the recommendation is the given user's.
type MarkOwnApplied<DB> = dsl::Returning<
    dsl::Set<
        dsl::Filter<Unapplied, dsl::Eq<r::user_id, String>>,
        dsl::Eq<r::applied_at, Option<PrimitiveDateTime>>,
    >,
    dsl::AsSelect<RecommendationRow, DB>,
>;
/// The recommendation, if it is not applied yet.
type Unapplied = dsl::Filter<dsl::update<dsl::Find<r::table, String>>, dsl::IsNull<r::applied_at>>;
/// Records an apply.
type InsertApplied = dsl::Values<dsl::insert_into<ar::table>, NewAppliedRow>;
/// Writes profile changes.
type UpdateProfile =
    dsl::Set<dsl::update<dsl::Filter<ulp::table, dsl::Eq<ulp::user_id, String>>>, ProfileChanges>;

/// One recommendation by id.
#[dsl::auto_type]
fn recommendation_by_id<DB: Backend>(id: String) -> _ {
    let columns: dsl::AsSelect<RecommendationRow, DB> = RecommendationRow::as_select();
    r::table.find(id).select(columns)
}

/// The mean confidence of the user's patterns (NULL without patterns).
#[dsl::auto_type]
fn average_confidence(user: String) -> _ {
    // Annotated: `dsl::avg` names only the function, the type is in `helper_types`.
    let mean: diesel::helper_types::avg<bp::confidence> = dsl::avg(bp::confidence);
    bp::table.filter(bp::user_id.eq(user)).select(mean)
}

/// The user's learning profile.
#[dsl::auto_type(no_type_alias)]
fn profile_of<'a, DB: Backend>(user: &'a str) -> _ {
    let columns: dsl::AsSelect<ProfileRow, DB> = ProfileRow::as_select();
    ulp::table.filter(ulp::user_id.eq(user)).select(columns)
}

/// How many sessions the user started at or after `since`.
#[dsl::auto_type]
fn sessions_since(user: String, since: PrimitiveDateTime) -> _ {
    ss::table
        .filter(ss::user_id.eq(user))
        .filter(ss::started_at.ge(since))
        .count()
}

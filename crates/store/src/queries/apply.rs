//! Applying a recommendation: one transaction, race-free, all or nothing.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use insights_model::{
    ApplicationType, AppliedRecommendation, BaselineMetrics, LearningProfile, ProfileUpdate,
    Recommendation, Timestamp,
};
use time::Duration;

use crate::pool::with_conn;
use crate::rows::{NewAppliedRow, ProfileChanges, ProfileRow, RecommendationRow, naive};
use crate::schema::{
    applied_recommendations as ar, behavioral_patterns as bp, recommendations as r,
    study_sessions as ss, user_learning_profiles as ulp,
};
use crate::sql_types::{DbApplicationType, DbJson};
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

/// The body of the apply transaction, expanded once per backend. the optional tail is appended to the
/// profile read: `.for_update()` on PostgreSQL, nothing on SQLite (see below).
macro_rules! apply_in_transaction {
    ($tx:ident, $req:ident, $derive:ident $(, $($lock:tt)+)?) => {{
        let id = $req.recommendation_id.as_str();
        let now = naive($req.now);
        // The conditional UPDATE comes first and is the race-free check: of concurrent applies
        // exactly one finds `appliedAt` still NULL (the row lock / SQLite write lock serialises
        // them). Being the transaction's first statement also makes a SQLite transaction a
        // writer from its start, like `BEGIN IMMEDIATE`: a read before it would pin a snapshot
        // that another writer can make stale, and the write would then fail with
        // SQLITE_BUSY_SNAPSHOT instead of waiting for the lock.
        let mut update = diesel::update(r::table.find(id))
            .filter(r::applied_at.is_null())
            .into_boxed();
        if let Some(user) = &$req.acting_user {
            update = update.filter(r::user_id.eq(user.clone()));
        }
        let updated: Option<RecommendationRow> = update
            .set(r::applied_at.eq(Some(now)))
            .returning(RecommendationRow::as_returning())
            .get_result($tx)
            .await
            .optional()?;
        let recommendation: Recommendation = match updated {
            Some(row) => row.into(),
            None => {
                let existing: Option<RecommendationRow> = r::table
                    .find(id)
                    .select(RecommendationRow::as_select())
                    .first($tx)
                    .await
                    .optional()?;
                let existing: Recommendation = existing
                    .ok_or(StoreError::NotFound(crate::Entity::Recommendation))?
                    .into();
                return Err(match &$req.acting_user {
                    Some(user) if existing.user_id != *user => {
                        StoreError::Forbidden(crate::Entity::Recommendation)
                    }
                    _ => StoreError::Conflict(crate::ConflictKind::AlreadyApplied),
                });
            }
        };
        let user = recommendation.user_id.as_str();
        let avg_confidence: Option<f64> = bp::table
            .filter(bp::user_id.eq(user))
            .select(diesel::dsl::avg(bp::confidence))
            .first($tx)
            .await?;
        // The profile is read and written back as a whole by `derive`: two applies of different
        // recommendations must not both read the same version, or the second write loses the
        // first's change. PostgreSQL locks the row until commit (`FOR UPDATE`); SQLite already
        // holds the database's write lock since the UPDATE above.
        let profile: Option<LearningProfile> = ulp::table
            .filter(ulp::user_id.eq(user))
            .select(ProfileRow::as_select())
            $($($lock)+)?
            .first::<ProfileRow>($tx)
            .await
            .optional()?
            .map(Into::into);
        let week_ago = naive($req.now.saturating_add(-Duration::days(7)));
        let session_count: i64 = ss::table
            .filter(ss::user_id.eq(user))
            .filter(ss::started_at.ge(week_ago))
            .count()
            .get_result($tx)
            .await?;
        let baseline = BaselineMetrics {
            avg_confidence: avg_confidence.unwrap_or(0.0),
            behavioral_score: profile.as_ref().map_or(0.0, |p| p.data_quality_score),
            session_count,
            captured_at: $req.now,
        };
        let applied = AppliedRecommendation {
            id: new_id(),
            recommendation_id: recommendation.id.clone(),
            user_id: recommendation.user_id.clone(),
            application_type: $req.application_type,
            baseline_metrics: baseline,
            applied_at: $req.now,
        };
        let baseline_json = serde_json::to_value(&applied.baseline_metrics)
            .map_err(|source| StoreError::Encode {
                what: "baseline metrics",
                source,
            })?;
        diesel::insert_into(ar::table)
            .values(NewAppliedRow {
                id: applied.id.clone(),
                recommendation_id: applied.recommendation_id.clone(),
                user_id: applied.user_id.clone(),
                application_type: DbApplicationType(applied.application_type),
                baseline_metrics: DbJson(baseline_json),
                applied_at: now,
            })
            .execute($tx)
            .await?;
        let profile_update = $derive(&recommendation, profile.as_ref());
        if !profile_update.is_empty() {
            diesel::update(ulp::table.filter(ulp::user_id.eq(user)))
                .set(ProfileChanges::from(&profile_update))
                .execute($tx)
                .await?;
        }
        Ok(ApplyOutcome {
            recommendation,
            applied,
            profile_update,
        })
    }};
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
        with_conn!(self,
            postgres: |conn| {
                conn.transaction::<_, StoreError, _>(async move |tx| {
                    apply_in_transaction!(tx, req, derive, .for_update())
                })
                .await
            },
            sqlite: |conn| {
                conn.transaction::<_, StoreError, _>(async move |tx| {
                    apply_in_transaction!(tx, req, derive)
                })
                .await
            }
        )
    }
}

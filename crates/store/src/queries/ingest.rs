//! Writes that bring data in: users, patterns, insights, interventions, sessions, profiles,
//! personalization configs and effectiveness rows. Each batch is one multi-row statement.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use insights_model::{
    LearningProfile, NewEffectiveness, NewInsight, NewIntervention, NewPattern, NewStudySession,
    PersonalizationContext, Timestamp,
};

use crate::pool::{batch_insert, with_conn};
use crate::rows::{
    NewConfigRow, NewEffectivenessRow, NewInsightRow, NewInterventionRow, NewPreferencesRow,
    NewSessionRow, NewUserRow, PatternRow, ProfileRow, naive,
};
use crate::schema::{
    behavioral_insights as bi, behavioral_patterns as bp, intervention_recommendations as ir,
    personalization_configs as pc, personalization_effectiveness as pe,
    personalization_preferences as pp, study_sessions as ss, user_learning_profiles as ulp, users,
};
use crate::sql_types::DbEnum;
use crate::{Store, StoreError, new_id};

impl Store {
    /// Creates the user if no user has this id. Returns whether it was created.
    pub async fn ensure_user(
        &self,
        id: &str,
        email: Option<&str>,
        name: Option<&str>,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let row = NewUserRow {
            id: id.to_owned(),
            email: email.map(str::to_owned),
            name: name.map(str::to_owned),
            created_at: naive(now),
            updated_at: naive(now),
        };
        let n = with_conn!(self, |conn| {
            diesel::insert_into(users::table)
                .values(&row)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?
        });
        Ok(n == 1)
    }

    /// Inserts patterns; returns their new ids in input order.
    pub async fn insert_patterns(
        &self,
        patterns: &[NewPattern],
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<PatternRow> = patterns
            .iter()
            .map(|p| PatternRow::new(new_id(), p))
            .collect();
        let ids = rows.iter().map(|r| r.id.clone()).collect();
        batch_insert(self, bp::table, rows).await?;
        Ok(ids)
    }

    /// Inserts unacknowledged insights created at `now`; returns their ids.
    pub async fn insert_insights(
        &self,
        insights: &[NewInsight],
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<NewInsightRow> = insights
            .iter()
            .map(|i| NewInsightRow {
                id: new_id(),
                user_id: i.user_id.clone(),
                insight_type: DbEnum(i.insight_type),
                title: i.title.clone(),
                description: i.description.clone(),
                actionable_recommendation: i.actionable_recommendation.clone(),
                confidence: i.confidence,
                created_at: naive(now),
                acknowledged_at: None,
                applied: false,
            })
            .collect();
        let ids = rows.iter().map(|r| r.id.clone()).collect();
        batch_insert(self, bi::table, rows).await?;
        Ok(ids)
    }

    /// Inserts interventions created at `now`; returns their ids.
    pub async fn insert_interventions(
        &self,
        interventions: &[NewIntervention],
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<NewInterventionRow> = interventions
            .iter()
            .map(|i| NewInterventionRow {
                id: new_id(),
                user_id: i.user_id.clone(),
                intervention_type: DbEnum(i.intervention_type),
                description: i.description.clone(),
                reasoning: i.reasoning.clone(),
                priority: i.priority,
                status: DbEnum(i.status),
                created_at: naive(now),
            })
            .collect();
        let ids = rows.iter().map(|r| r.id.clone()).collect();
        batch_insert(self, ir::table, rows).await?;
        Ok(ids)
    }

    /// Inserts study sessions (their users must exist); returns their ids.
    pub async fn insert_sessions(
        &self,
        sessions: &[NewStudySession],
    ) -> Result<Vec<String>, StoreError> {
        let rows: Vec<NewSessionRow> = sessions
            .iter()
            .map(|s| NewSessionRow {
                id: new_id(),
                user_id: s.user_id.clone(),
                started_at: naive(s.started_at),
                completed_at: s.completed_at.map(naive),
                duration_ms: s.duration_ms,
                reviews_completed: s.reviews_completed,
                new_cards_studied: s.new_cards_studied,
            })
            .collect();
        let ids = rows.iter().map(|r| r.id.clone()).collect();
        batch_insert(self, ss::table, rows).await?;
        Ok(ids)
    }

    /// Creates the learning profile unless the user already has one. Returns whether it did.
    pub async fn insert_learning_profile(
        &self,
        profile: &LearningProfile,
    ) -> Result<bool, StoreError> {
        let row = ProfileRow::from(profile);
        let n = with_conn!(self, |conn| {
            diesel::insert_into(ulp::table)
                .values(&row)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?
        });
        Ok(n == 1)
    }

    /// The user's learning profile.
    pub async fn learning_profile(
        &self,
        user: &str,
    ) -> Result<Option<LearningProfile>, StoreError> {
        let row: Option<ProfileRow> = with_conn!(self, |conn| {
            ulp::table
                .filter(ulp::user_id.eq(user))
                .select(ProfileRow::as_select())
                .first(conn)
                .await
                .optional()?
        });
        Ok(row.map(Into::into))
    }

    /// Creates a personalization config (and the user's preferences row if missing); returns
    /// the config id.
    pub async fn insert_config(
        &self,
        user: &str,
        context: PersonalizationContext,
        strategy_variant: &str,
        confidence_score: f64,
        is_active: bool,
        now: Timestamp,
    ) -> Result<String, StoreError> {
        let prefs = NewPreferencesRow {
            id: new_id(),
            user_id: user.to_owned(),
            created_at: naive(now),
            updated_at: naive(now),
        };
        let config_id = new_id();
        let mut config = NewConfigRow {
            id: config_id.clone(),
            user_id: user.to_owned(),
            preferences_id: String::new(),
            context: DbEnum(context),
            strategy_variant: strategy_variant.to_owned(),
            confidence_score,
            is_active,
            activated_at: naive(now),
            created_at: naive(now),
            updated_at: naive(now),
        };
        with_conn!(self, |conn| {
            diesel::insert_into(pp::table)
                .values(&prefs)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            config.preferences_id = pp::table
                .filter(pp::user_id.eq(user))
                .select(pp::id)
                .first::<String>(conn)
                .await?;
            diesel::insert_into(pc::table)
                .values(&config)
                .execute(conn)
                .await?
        });
        Ok(config_id)
    }

    /// Inserts effectiveness rows (their configs must exist); returns how many.
    pub async fn insert_effectiveness(
        &self,
        rows: &[NewEffectiveness],
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let rows: Vec<NewEffectivenessRow> = rows
            .iter()
            .map(|e| NewEffectivenessRow {
                id: new_id(),
                config_id: e.config_id.clone(),
                user_id: e.user_id.clone(),
                start_date: naive(e.row.start_date),
                end_date: naive(e.row.end_date),
                retention_improvement: e.row.retention_improvement,
                performance_improvement: e.row.performance_improvement,
                completion_rate_change: e.row.completion_rate_change,
                engagement_change: e.row.engagement_change,
                sample_size: e.row.sample_size,
                correlation: e.row.correlation,
                p_value: e.row.p_value,
                composite_score: e.row.composite_score,
                is_statistically_significant: e.row.is_statistically_significant,
                calculated_at: naive(now),
            })
            .collect();
        batch_insert(self, pe::table, rows).await
    }
}

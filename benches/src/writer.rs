//! Writes generated users through the store's multi-row inserts, several users per call.

use std::collections::HashMap;

use futures_util::future::try_join_all;
use insights_model::{ApplicationType, NewEffectiveness, ProfileUpdate, Timestamp};
use insights_store::{ApplyRequest, Store, StoreError};

use crate::synth::UserData;

/// Writes a batch of users: one multi-row insert per table for the whole batch (chunked by the
/// store at 1,000 rows per statement), then the per-row operations the store only offers one at
/// a time (users, configs, profiles, applies, dismissals), issued concurrently over the pool.
/// Returns the number of rows written.
pub async fn write_batch(
    store: &Store,
    users: &[UserData],
    now: Timestamp,
) -> Result<usize, StoreError> {
    // Users first: study_sessions has a foreign key to users.
    try_join_all(users.iter().map(|u| {
        let email = format!("{}@bench.invalid", u.user_id);
        async move {
            store
                .ensure_user(&u.user_id, Some(&email), Some(&u.user_id), now)
                .await
        }
    }))
    .await?;

    let patterns: Vec<_> = users
        .iter()
        .flat_map(|u| u.patterns.iter().cloned())
        .collect();
    let insights: Vec<_> = users
        .iter()
        .flat_map(|u| u.insights.iter().cloned())
        .collect();
    let interventions: Vec<_> = users
        .iter()
        .flat_map(|u| u.interventions.iter().cloned())
        .collect();
    let sessions: Vec<_> = users
        .iter()
        .flat_map(|u| u.sessions.iter().cloned())
        .collect();
    let recommendations: Vec<_> = users
        .iter()
        .flat_map(|u| u.recommendations.iter().cloned())
        .collect();
    // Independent tables: written concurrently on separate pooled connections.
    let (_, _, _, _, created) = futures_util::try_join!(
        store.insert_patterns(&patterns),
        store.insert_insights(&insights, now),
        store.insert_interventions(&interventions, now),
        store.insert_sessions(&sessions),
        store.insert_recommendations(&recommendations, now),
    )?;

    close_recommendations(store, users, &created, now).await?;
    let config_ids = write_configs(store, users, now).await?;
    let effectiveness: Vec<NewEffectiveness> = users
        .iter()
        .zip(&config_ids)
        .flat_map(|(u, ids)| {
            u.effectiveness.iter().map(|e| NewEffectiveness {
                user_id: u.user_id.clone(),
                config_id: ids[e.config_index].clone(),
                row: e.row.clone(),
            })
        })
        .collect();
    store.insert_effectiveness(&effectiveness, now).await?;
    try_join_all(
        users
            .iter()
            .filter_map(|u| u.profile.as_ref())
            .map(|p| store.insert_learning_profile(p)),
    )
    .await?;

    Ok(users.iter().map(UserData::row_count).sum())
}

/// Applies and dismisses the recommendations the synthesis marked, found by (user, title).
async fn close_recommendations(
    store: &Store,
    users: &[UserData],
    created: &[insights_model::Recommendation],
    now: Timestamp,
) -> Result<(), StoreError> {
    let ids: HashMap<(&str, &str), &str> = created
        .iter()
        .map(|r| ((r.user_id.as_str(), r.title.as_str()), r.id.as_str()))
        .collect();
    let lookup = |user: &str, title: &str| ids.get(&(user, title)).map(|id| (*id).to_owned());
    let applies = users.iter().flat_map(|u| {
        u.applied_titles
            .iter()
            .filter_map(|t| lookup(&u.user_id, t))
            .map(|id| {
                let request = ApplyRequest {
                    recommendation_id: id,
                    acting_user: Some(u.user_id.clone()),
                    application_type: ApplicationType::Manual,
                    now,
                };
                async move {
                    store
                        .apply_recommendation(request, |_, _| ProfileUpdate::default())
                        .await
                        .map(drop)
                }
            })
    });
    try_join_all(applies).await?;
    let dismissals = users.iter().flat_map(|u| {
        u.dismissed_titles
            .iter()
            .filter_map(|t| lookup(&u.user_id, t))
            .map(|id| async move { store.dismiss_recommendation(&id, now).await.map(drop) })
    });
    try_join_all(dismissals).await?;
    Ok(())
}

/// Creates each user's configs (one at a time per user, users concurrently); returns the ids in
/// the users' config order.
async fn write_configs(
    store: &Store,
    users: &[UserData],
    now: Timestamp,
) -> Result<Vec<Vec<String>>, StoreError> {
    try_join_all(users.iter().map(|u| async move {
        let mut ids = Vec::with_capacity(u.configs.len());
        for c in &u.configs {
            ids.push(
                store
                    .insert_config(
                        &u.user_id,
                        c.context,
                        c.strategy,
                        c.confidence,
                        c.active,
                        now,
                    )
                    .await?,
            );
        }
        Ok::<_, StoreError>(ids)
    }))
    .await
}

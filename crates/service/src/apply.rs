//! POST apply.

use insights_model::{ApplicationType, Timestamp};
use insights_recommender::apply::{derive_profile_update, parse_settings, updated_settings};
use insights_store::{ApplyRequest, Entity};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{ApplyParams, Caller, Insights, ServiceError, text};

/// A recommendation applied ([`Insights::apply`]); serialised, the API's `data` payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Applied {
    /// Always `true` (the original's payload repeats it inside `data`).
    pub success: bool,
    /// What was recorded.
    pub applied_recommendation: AppliedSummary,
    /// The profile settings written (AUTO only; absent when nothing changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_settings: Option<Map<String, Value>>,
    /// The application's id, to correlate later outcome measurements.
    pub tracking_id: String,
}

/// The application record inside [`Applied`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedSummary {
    /// The application's id.
    pub id: String,
    /// How it was applied.
    pub application_type: ApplicationType,
    /// When.
    pub applied_at: Timestamp,
}

impl Insights {
    /// Applies a recommendation (in one transaction; a second apply is a conflict)
    /// and invalidates the owner's cached responses so the next GET shows it.
    pub async fn apply(
        &self,
        caller: &Caller,
        recommendation_id: &str,
        params: ApplyParams,
    ) -> Result<Applied, ServiceError> {
        let ApplyParams {
            application_type,
            settings,
        } = params;
        // No stored id contains U+0000, and PostgreSQL cannot even compare with one (it
        // answered 500): such an id simply does not exist.
        if !text::is_storable(recommendation_id) {
            return Err(ServiceError::NotFound {
                entity: Entity::Recommendation,
            });
        }
        // Only AUTO can write settings to the profile, so only then are they
        // checked, before anything is written; with the other application types the original
        // ignored any settings object, and so do we.
        let settings = settings.filter(|_| application_type == ApplicationType::Auto);
        if let Some(map) = &settings {
            parse_settings(map)?;
            // Settings are written to the profile's jsonb columns, which cannot hold U+0000.
            for (key, value) in map {
                text::check("settings", key)?;
                text::check_json("settings", value)?;
            }
        }
        let request = ApplyRequest {
            recommendation_id: recommendation_id.to_owned(),
            acting_user: (!caller.is_service).then(|| caller.user_id.clone()),
            application_type,
            now: Timestamp::now(),
        };
        let outcome = self
            .primary()
            .apply_recommendation(request, |rec, profile| {
                // The settings were validated above, so derivation cannot fail on them; a title
                // whose numbers do not fit simply changes nothing.
                derive_profile_update(rec, application_type, profile, settings.as_ref())
                    .unwrap_or_default()
            })
            .await?;
        self.invalidate_user(&outcome.recommendation.user_id).await;
        Ok(Applied {
            success: true,
            applied_recommendation: AppliedSummary {
                id: outcome.applied.id.clone(),
                application_type: outcome.applied.application_type,
                applied_at: outcome.applied.applied_at,
            },
            updated_settings: updated_settings(&outcome.profile_update),
            tracking_id: outcome.applied.id,
        })
    }
}

//! POST apply.

use insights_model::{ApplicationType, Timestamp};
use insights_recommender::apply::{derive_profile_update, parse_settings, updated_settings};
use insights_store::{ApplyRequest, Entity};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{ApplyParams, Caller, Insights, Json, ServiceError, text};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Applied<'a> {
    success: bool,
    applied_recommendation: AppliedSummary<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_settings: Option<Map<String, Value>>,
    tracking_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AppliedSummary<'a> {
    id: &'a str,
    application_type: ApplicationType,
    applied_at: Timestamp,
}

impl Insights {
    /// Applies a recommendation (in one transaction; a second apply is a conflict)
    /// and invalidates the owner's cached responses so the next GET shows it.
    pub async fn apply(
        &self,
        caller: &Caller,
        recommendation_id: &str,
        params: ApplyParams,
    ) -> Result<Json, ServiceError> {
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
            .store()
            .apply_recommendation(request, |rec, profile| {
                // The settings were validated above, so derivation cannot fail on them; a title
                // whose numbers do not fit simply changes nothing.
                derive_profile_update(rec, application_type, profile, settings.as_ref())
                    .unwrap_or_default()
            })
            .await?;
        self.invalidate_user(&outcome.recommendation.user_id).await;
        Json::render(&Applied {
            success: true,
            applied_recommendation: AppliedSummary {
                id: &outcome.applied.id,
                application_type: outcome.applied.application_type,
                applied_at: outcome.applied.applied_at,
            },
            updated_settings: updated_settings(&outcome.profile_update),
            tracking_id: &outcome.applied.id,
        })
    }
}

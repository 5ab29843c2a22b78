//! Validation of the apply request's `settings` object.
//!
//! The original copied `settings` into the profile UPDATE as it was (`Object.assign`), so any
//! key reached the database and an unknown one failed with a 500 after the recommendation had
//! already been marked applied. We accept only the four profile fields a recommendation can
//! change, each with its JSON type, and reject anything else before anything is written.

use insights_model::ProfileUpdate;
use serde_json::{Map, Value};

use crate::RecommenderError;

/// `preferredStudyTimes`: an array of objects.
pub const PREFERRED_STUDY_TIMES: &str = "preferredStudyTimes";
/// `optimalSessionDuration`: an integer number of minutes in [`SESSION_MINUTES_RANGE`].
pub const OPTIMAL_SESSION_DURATION: &str = "optimalSessionDuration";
/// `contentPreferences`: an object.
pub const CONTENT_PREFERENCES: &str = "contentPreferences";
/// `personalizedForgettingCurve`: an object.
pub const PERSONALIZED_FORGETTING_CURVE: &str = "personalizedForgettingCurve";
/// Accepted `optimalSessionDuration` values, minutes.
pub const SESSION_MINUTES_RANGE: std::ops::RangeInclusive<i64> = 1..=600;

fn invalid(key: &str, expected: &'static str) -> RecommenderError {
    RecommenderError::InvalidSetting {
        key: key.to_owned(),
        expected,
    }
}

/// An integral JSON number (`45` or `45.0`) as i64.
fn integer(value: &Value) -> Option<i64> {
    value.as_i64().or_else(|| {
        value
            .as_f64()
            // Integral and well inside i64, so the cast is exact.
            .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| f as i64)
    })
}

/// Checks every key of `settings` (in the map's order) and turns them into a profile update.
/// The first unknown key or badly typed value is the error.
pub fn parse_settings(settings: &Map<String, Value>) -> Result<ProfileUpdate, RecommenderError> {
    let mut update = ProfileUpdate::default();
    for (key, value) in settings {
        match key.as_str() {
            PREFERRED_STUDY_TIMES => match value {
                Value::Array(items) if items.iter().all(Value::is_object) => {
                    update.preferred_study_times = Some(value.clone());
                }
                _ => return Err(invalid(key, "an array of objects")),
            },
            OPTIMAL_SESSION_DURATION => {
                let minutes = integer(value)
                    .filter(|m| SESSION_MINUTES_RANGE.contains(m))
                    .and_then(|m| i32::try_from(m).ok())
                    .ok_or_else(|| invalid(key, "an integer from 1 to 600"))?;
                update.optimal_session_duration = Some(minutes);
            }
            CONTENT_PREFERENCES => match value {
                Value::Object(_) => update.content_preferences = Some(value.clone()),
                _ => return Err(invalid(key, "an object")),
            },
            PERSONALIZED_FORGETTING_CURVE => match value {
                Value::Object(_) => update.personalized_forgetting_curve = Some(value.clone()),
                _ => return Err(invalid(key, "an object")),
            },
            _ => return Err(RecommenderError::UnknownSetting { key: key.clone() }),
        }
    }
    Ok(update)
}

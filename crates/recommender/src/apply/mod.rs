//! What applying a recommendation changes in the user's learning profile (the original's rules;
//! see docs/compatibility.md, section 6).
//!
//! Only an `AUTO` apply changes anything, and only when the user has a profile. The change is
//! read from the recommendation's title with the original's four regexes; for the two types
//! without a regex the client's validated `settings` are used instead.

mod client_settings;
mod title_pattern;

use insights_model::{
    ApplicationType, LearningProfile, ProfileUpdate, Recommendation, RecommendationType,
};
use serde_json::{Map, Value, json};

pub use client_settings::{
    CONTENT_PREFERENCES, OPTIMAL_SESSION_DURATION, PERSONALIZED_FORGETTING_CURVE,
    PREFERRED_STUDY_TIMES, SESSION_MINUTES_RANGE, parse_settings,
};

use crate::RecommenderError;
use crate::js::js_number_value;
use title_pattern::{CONTENT_SHARE, HOUR_RANGE, REVIEW_DAYS, SESSION_MINUTES};

/// `dayOfWeek` of an appended study time: every day.
pub const ANY_DAY_OF_WEEK: i64 = -1;
/// `effectiveness` of an appended study time.
pub const APPENDED_TIME_EFFECTIVENESS: f64 = 0.8;

/// `contentPreferences` used when the profile has none (not an object).
pub fn default_content_preferences() -> Value {
    json!({"preferredTypes": [], "difficultyPreference": "balanced", "interactivityLevel": "medium"})
}

/// `personalizedForgettingCurve` used when the profile has none (not an object). JavaScript
/// wrote `1.0` as `1`, so it is an integer here too.
pub fn default_forgetting_curve() -> Value {
    json!({"initialRetention": 1, "decayRate": 0.14, "stabilityFactor": 5})
}

/// The profile change an apply makes.
///
/// - `settings` (the request's optional `settings` object) is validated whenever it is sent,
///   whatever the application type: only `preferredStudyTimes` (array of objects),
///   `optimalSessionDuration` (integer 1..=600), `contentPreferences` (object) and
///   `personalizedForgettingCurve` (object) are accepted; anything else is an error naming the
///   key, so the caller can answer 400 before writing anything.
/// - Not `AUTO`, or no profile: nothing changes.
/// - `STUDY_TIME_OPTIMIZATION`: `(H:00-H:00)` in the title appends
///   `{startHour, endHour, dayOfWeek: -1, effectiveness: 0.8}` to `preferredStudyTimes`.
/// - `SESSION_DURATION_ADJUSTMENT`: `to N minutes` sets `optimalSessionDuration`.
/// - `CONTENT_TYPE_BALANCE`: `Increase T content to P%` sets `contentPreferences[T] = P/100`.
/// - `RETENTION_STRATEGY`: `every N days` sets
///   `personalizedForgettingCurve.recommendedReviewInterval = N`.
/// - `CONSISTENCY_BUILDING`, `EXPERIMENTAL_SUGGESTION`: the validated `settings`.
///
/// A title that does not match changes nothing, as in the original; so does a captured number
/// too large for its column (the original failed with a 500 there).
pub fn derive_profile_update(
    recommendation: &Recommendation,
    application_type: ApplicationType,
    profile: Option<&LearningProfile>,
    settings: Option<&Map<String, Value>>,
) -> Result<ProfileUpdate, RecommenderError> {
    let client_update = settings.map(parse_settings).transpose()?;
    let Some(profile) = profile.filter(|_| application_type == ApplicationType::Auto) else {
        return Ok(ProfileUpdate::default());
    };
    let title = recommendation.title.as_str();
    let update = match recommendation.recommendation_type {
        RecommendationType::StudyTimeOptimization => study_times(title, profile),
        RecommendationType::SessionDurationAdjustment => session_duration(title),
        RecommendationType::ContentTypeBalance => content_preferences(title, profile),
        RecommendationType::RetentionStrategy => forgetting_curve(title, profile),
        RecommendationType::ConsistencyBuilding | RecommendationType::ExperimentalSuggestion => {
            client_update
        }
    };
    Ok(update.unwrap_or_default())
}

/// Captures parsed as an integer type; `None` when a capture is missing or out of range.
fn parse_capture<T: std::str::FromStr>(captures: &[&str], index: usize) -> Option<T> {
    captures.get(index).and_then(|c| c.parse().ok())
}

fn study_times(title: &str, profile: &LearningProfile) -> Option<ProfileUpdate> {
    let captures = HOUR_RANGE.captures(title)?;
    let start: i64 = parse_capture(&captures, 0)?;
    let end: i64 = parse_capture(&captures, 1)?;
    // `[...(existing || []), entry]`: a missing (null) list starts empty. A non-array value
    // would have thrown in the original; we replace it.
    let mut times = match &profile.preferred_study_times {
        Value::Array(items) => items.clone(),
        _ => Vec::new(),
    };
    times.push(json!({
        "startHour": start,
        "endHour": end,
        "dayOfWeek": ANY_DAY_OF_WEEK,
        "effectiveness": APPENDED_TIME_EFFECTIVENESS,
    }));
    Some(ProfileUpdate {
        preferred_study_times: Some(Value::Array(times)),
        ..ProfileUpdate::default()
    })
}

fn session_duration(title: &str) -> Option<ProfileUpdate> {
    let captures = SESSION_MINUTES.captures(title)?;
    Some(ProfileUpdate {
        optimal_session_duration: Some(parse_capture(&captures, 0)?),
        ..ProfileUpdate::default()
    })
}

/// The profile's object, or `default` when it is not an object (`existing || default`).
fn object_or(existing: &Value, default: impl FnOnce() -> Value) -> Map<String, Value> {
    match existing {
        Value::Object(map) => map.clone(),
        _ => match default() {
            Value::Object(map) => map,
            _ => Map::new(),
        },
    }
}

fn content_preferences(title: &str, profile: &LearningProfile) -> Option<ProfileUpdate> {
    let captures = CONTENT_SHARE.captures(title)?;
    let content_type = captures.first()?;
    let percent: i64 = parse_capture(&captures, 1)?;
    let mut preferences = object_or(&profile.content_preferences, default_content_preferences);
    // i64 → f64 is exact for any percentage a title can carry (< 2^53).
    preferences.insert(
        (*content_type).to_owned(),
        js_number_value(percent as f64 / 100.0),
    );
    Some(ProfileUpdate {
        content_preferences: Some(Value::Object(preferences)),
        ..ProfileUpdate::default()
    })
}

fn forgetting_curve(title: &str, profile: &LearningProfile) -> Option<ProfileUpdate> {
    let captures = REVIEW_DAYS.captures(title)?;
    let days: i64 = parse_capture(&captures, 0)?;
    let mut curve = object_or(
        &profile.personalized_forgetting_curve,
        default_forgetting_curve,
    );
    curve.insert("recommendedReviewInterval".to_owned(), Value::from(days));
    Some(ProfileUpdate {
        personalized_forgetting_curve: Some(Value::Object(curve)),
        ..ProfileUpdate::default()
    })
}

/// The response's `updatedSettings`: only the changed fields, camelCase; `None` when nothing
/// changed (the key is then absent from the response).
pub fn updated_settings(update: &ProfileUpdate) -> Option<Map<String, Value>> {
    if update.is_empty() {
        return None;
    }
    let mut out = Map::new();
    let fields = [
        (PREFERRED_STUDY_TIMES, update.preferred_study_times.clone()),
        (
            OPTIMAL_SESSION_DURATION,
            update.optimal_session_duration.map(Value::from),
        ),
        (CONTENT_PREFERENCES, update.content_preferences.clone()),
        (
            PERSONALIZED_FORGETTING_CURVE,
            update.personalized_forgetting_curve.clone(),
        ),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            out.insert(key.to_owned(), value);
        }
    }
    Some(out)
}

//! Placeholder values for a pattern's template: from the pattern's data where it has them,
//! otherwise the original's defaults (docs/compatibility.md, section 5).
//!
//! Each key is looked up on its own, in this order:
//! 1. `patternData[key]`, where the HEAD pattern engine writes the numbers;
//! 2. `evidence[key]` when `evidence` is a JSON object (databases from before the schema drift);
//! 3. the original's default for that key.
//!
//! A value counts only when it has the JSON type the template needs: a number for numeric keys,
//! a string for `topContentType`. `null`, a numeric string such as `"7"`, or any other type
//! falls through to the next source. (The original read `evidence` only, so on HEAD data every
//! placeholder took its default; reading `patternData` first is our documented fix.)

use insights_model::{BehavioralPattern, PatternType};
use serde_json::Value;

use crate::js::{js_number_string, js_round};

/// Placeholder name → text to insert.
pub type Placeholders = Vec<(&'static str, String)>;

/// The original engine's defaults, used when neither source has a usable value.
pub mod defaults {
    /// `hourOfDay`.
    pub const HOUR_OF_DAY: f64 = 9.0;
    /// `timeOfDayScore`; also the baseline the performance increase is measured against.
    pub const TIME_OF_DAY_SCORE: f64 = 70.0;
    /// `sessionCount`.
    pub const SESSION_COUNT: f64 = 0.0;
    /// `recommendedDuration`, minutes.
    pub const RECOMMENDED_DURATION: f64 = 45.0;
    /// `completionRate`, a constant in the original.
    pub const COMPLETION_RATE: &str = "85";
    /// `topContentType`.
    pub const TOP_CONTENT_TYPE: &str = "flashcards";
    /// `effectiveness`, 0..1.
    pub const EFFECTIVENESS: f64 = 0.5;
    /// `halfLife`, days.
    pub const HALF_LIFE: f64 = 5.0;
    /// `k`, the decay rate; also the average the user's rate is compared with.
    pub const DECAY_RATE: f64 = 0.14;
    /// `deviationPercent`, a constant in the original.
    pub const DEVIATION_PERCENT: &str = "15";
}

/// Finds `key` in `patternData`, then in an object-valued `evidence`, keeping the first value
/// that `accept` takes.
fn lookup<T>(
    pattern: &BehavioralPattern,
    key: &str,
    accept: impl Fn(&Value) -> Option<T>,
) -> Option<T> {
    // `Value::get` returns None for non-objects, so an array-valued `evidence` (the HEAD
    // shape) is skipped without a special case.
    pattern
        .pattern_data
        .get(key)
        .and_then(&accept)
        .or_else(|| pattern.evidence.get(key).and_then(&accept))
}

fn number(pattern: &BehavioralPattern, key: &str, default: f64) -> f64 {
    lookup(pattern, key, Value::as_f64).unwrap_or(default)
}

fn text(pattern: &BehavioralPattern, key: &str, default: &str) -> String {
    lookup(pattern, key, |v| v.as_str().map(str::to_owned)).unwrap_or_else(|| default.to_owned())
}

/// The placeholder values for `pattern`'s template, or `None` for pattern types without one.
pub fn placeholders_for(pattern: &BehavioralPattern) -> Option<Placeholders> {
    let values = match pattern.pattern_type {
        PatternType::OptimalStudyTime => {
            let hour = number(pattern, "hourOfDay", defaults::HOUR_OF_DAY);
            let score = number(pattern, "timeOfDayScore", defaults::TIME_OF_DAY_SCORE);
            let sessions = number(pattern, "sessionCount", defaults::SESSION_COUNT);
            let baseline = defaults::TIME_OF_DAY_SCORE;
            let increase = js_round((score - baseline) / baseline * 100.0);
            vec![
                (
                    "hourRange",
                    format!(
                        "{}:00-{}:00",
                        js_number_string(hour),
                        js_number_string(hour + 1.0)
                    ),
                ),
                ("performanceIncrease", js_number_string(increase)),
                ("sessionCount", js_number_string(sessions)),
            ]
        }
        PatternType::SessionDurationPreference => {
            let duration = number(
                pattern,
                "recommendedDuration",
                defaults::RECOMMENDED_DURATION,
            );
            vec![
                ("duration", js_number_string(duration)),
                ("completionRate", defaults::COMPLETION_RATE.to_owned()),
            ]
        }
        PatternType::ContentTypePreference => {
            let content_type = text(pattern, "topContentType", defaults::TOP_CONTENT_TYPE);
            let effectiveness = number(pattern, "effectiveness", defaults::EFFECTIVENESS);
            let percent = js_number_string(js_round(effectiveness * 100.0));
            vec![
                ("contentType", content_type),
                ("targetPercentage", percent.clone()),
                ("effectiveness", percent),
            ]
        }
        PatternType::ForgettingCurve => {
            let half_life = number(pattern, "halfLife", defaults::HALF_LIFE);
            let k = number(pattern, "k", defaults::DECAY_RATE);
            let faster_slower = if k > defaults::DECAY_RATE {
                "faster"
            } else {
                "slower"
            };
            vec![
                ("halfLife", js_number_string(half_life)),
                ("reviewDays", js_number_string(js_round(half_life * 0.7))),
                ("deviationPercent", defaults::DEVIATION_PERCENT.to_owned()),
                ("fasterSlower", faster_slower.to_owned()),
            ]
        }
        PatternType::PerformancePeak | PatternType::AttentionCycle => return None,
    };
    Some(values)
}

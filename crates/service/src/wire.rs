//! The original API's wire forms, and their conversion into the typed parameters and requests
//! with the original's rules: query parameters are strings (empty means absent), integers
//! follow JavaScript's `parseInt`, enum names are exact, and every message is the original's.
//! A server deserialises a query string into one of the `…Query` types and a body into a
//! `serde_json::Value`, then converts with `TryFrom`.

use insights_model::{ApplicationType, PatternType, Timestamp};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::requests::check_count;
use crate::{
    ApplyParams, EffectivenessParams, EvolutionParams, IngestBatch, RecommendationParams,
    ServiceError,
};
use insights_recommender::effectiveness::EffectivenessMetric;

/// `GET /api/personalization/effectiveness` query, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectivenessQuery {
    /// ISO date or date-time; default now − 14 days.
    pub start_date: Option<String>,
    /// ISO date or date-time; default now.
    pub end_date: Option<String>,
    /// `retention|performance|completion|all`; default `all`.
    pub metric: Option<String>,
    /// Optional; must be the caller unless the caller is a service.
    pub user_id: Option<String>,
}

/// `GET …/patterns/evolution` query, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvolutionQuery {
    /// Optional for us (the caller by default).
    pub user_id: Option<String>,
    /// 1..=52, default 12.
    pub weeks: Option<String>,
    /// One of the six pattern types; default all.
    pub pattern_type: Option<String>,
}

/// `GET …/recommendations` query, as sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecommendationsQuery {
    /// Optional; must be the caller unless the caller is a service.
    pub user_id: Option<String>,
    /// `"true"` includes applied ones; anything else does not.
    pub include_applied: Option<String>,
    /// 1..=20, default 5.
    pub limit: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// JavaScript `parseInt(s, 10)`: leading whitespace skipped, optional sign, then as many
/// digits as there are; trailing garbage ignored; no digits → `None` (NaN).
pub(crate) fn parse_int_js(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (negative, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: &str = &rest[..rest.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return None;
    }
    // Anything longer than 18 digits is out of every range we accept; saturate instead of
    // overflowing.
    let value: i64 = digits.parse().unwrap_or(i64::MAX);
    Some(if negative { -value } else { value })
}

/// The parameter as an integer in `range`, `default` when absent or empty.
fn int_in_range(
    raw: &Option<String>,
    field: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
    message: &str,
) -> Result<i64, ServiceError> {
    match non_empty(raw) {
        None => Ok(default),
        Some(s) => match parse_int_js(s) {
            Some(n) if range.contains(&n) => Ok(n),
            _ => Err(ServiceError::validation(field, message)),
        },
    }
}

impl EffectivenessQuery {
    /// The parameters, with absent dates defaulted from `now`.
    pub(crate) fn params_at(&self, now: Timestamp) -> Result<EffectivenessParams, ServiceError> {
        let parse = |raw: &Option<String>, field: &str, default: Timestamp| match non_empty(raw) {
            None => Ok(default),
            Some(s) => Timestamp::parse(s).map_err(|_| {
                ServiceError::bad_request(
                    field,
                    format!("Invalid {field} format. Use ISO date string"),
                )
            }),
        };
        let start = parse(
            &self.start_date,
            "startDate",
            EffectivenessParams::default_start(now),
        )?;
        let end = parse(&self.end_date, "endDate", now)?;
        // The window is checked before the metric, as the original did.
        let explicit = non_empty(&self.start_date).is_some() && non_empty(&self.end_date).is_some();
        let window = EffectivenessParams::window(start, end, EffectivenessMetric::All, explicit)?;
        let metric = match non_empty(&self.metric) {
            None => EffectivenessMetric::All,
            Some(m) => m.parse().map_err(|_| {
                ServiceError::bad_request(
                    "metric",
                    "Invalid metric. Must be one of: retention, performance, completion, all",
                )
            })?,
        };
        Ok(window.with_metric(metric))
    }
}

/// Absent dates default from the current instant.
impl TryFrom<&EffectivenessQuery> for EffectivenessParams {
    type Error = ServiceError;

    fn try_from(query: &EffectivenessQuery) -> Result<Self, ServiceError> {
        query.params_at(Timestamp::now())
    }
}

impl TryFrom<EffectivenessQuery> for EffectivenessParams {
    type Error = ServiceError;

    fn try_from(query: EffectivenessQuery) -> Result<Self, ServiceError> {
        Self::try_from(&query)
    }
}

impl TryFrom<&EvolutionQuery> for EvolutionParams {
    type Error = ServiceError;

    fn try_from(query: &EvolutionQuery) -> Result<Self, ServiceError> {
        let weeks = int_in_range(
            &query.weeks,
            "weeks",
            i64::from(EvolutionParams::DEFAULT_WEEKS),
            i64::from(EvolutionParams::MIN_WEEKS)..=i64::from(EvolutionParams::MAX_WEEKS),
            EvolutionParams::WEEKS_MESSAGE,
        )?;
        let pattern_type = match non_empty(&query.pattern_type) {
            None => None,
            Some(t) => Some(t.parse::<PatternType>().map_err(|_| {
                ServiceError::validation(
                    "patternType",
                    format!(
                        "patternType must be one of: {}",
                        PatternType::ALL
                            .iter()
                            .map(|p| p.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?),
        };
        // In range, so the conversion cannot fail; `new` checks it once more anyway.
        let weeks = u32::try_from(weeks)
            .map_err(|_| ServiceError::validation("weeks", EvolutionParams::WEEKS_MESSAGE))?;
        EvolutionParams::new(weeks, pattern_type)
    }
}

impl TryFrom<EvolutionQuery> for EvolutionParams {
    type Error = ServiceError;

    fn try_from(query: EvolutionQuery) -> Result<Self, ServiceError> {
        Self::try_from(&query)
    }
}

impl TryFrom<&RecommendationsQuery> for RecommendationParams {
    type Error = ServiceError;

    fn try_from(query: &RecommendationsQuery) -> Result<Self, ServiceError> {
        let limit = int_in_range(
            &query.limit,
            "limit",
            RecommendationParams::DEFAULT_LIMIT as i64,
            1..=RecommendationParams::MAX_LIMIT as i64,
            RecommendationParams::LIMIT_MESSAGE,
        )?;
        let limit = usize::try_from(limit)
            .map_err(|_| ServiceError::validation("limit", RecommendationParams::LIMIT_MESSAGE))?;
        RecommendationParams::new(limit, query.include_applied.as_deref() == Some("true"))
    }
}

impl TryFrom<RecommendationsQuery> for RecommendationParams {
    type Error = ServiceError;

    fn try_from(query: RecommendationsQuery) -> Result<Self, ServiceError> {
        Self::try_from(&query)
    }
}

/// The apply body: `applicationType` (required) and optional `settings`; other keys are
/// ignored (the original's schema stripped them).
impl TryFrom<Value> for ApplyParams {
    type Error = ServiceError;

    fn try_from(body: Value) -> Result<Self, ServiceError> {
        let Value::Object(mut object) = body else {
            return Err(ServiceError::validation(
                "body",
                "request body must be a JSON object",
            ));
        };
        let application_type = match object.get("applicationType") {
            None | Some(Value::Null) => {
                return Err(ServiceError::validation(
                    "applicationType",
                    "applicationType is required",
                ));
            }
            Some(Value::String(s)) => s.parse::<ApplicationType>().map_err(|_| {
                ServiceError::validation(
                    "applicationType",
                    "applicationType must be one of: AUTO, MANUAL, REMINDER, GOAL",
                )
            })?,
            Some(_) => {
                return Err(ServiceError::validation(
                    "applicationType",
                    "applicationType must be a string",
                ));
            }
        };
        let settings = match object.remove("settings") {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                return Err(ServiceError::validation(
                    "settings",
                    "settings must be an object",
                ));
            }
        };
        Ok(Self {
            application_type,
            settings,
        })
    }
}

/// An ingestion body: a JSON array of items or `{"items": [...]}`; the count is checked
/// before the items are, and an item's error names it (`items[3]`).
impl<T: DeserializeOwned> TryFrom<Value> for IngestBatch<T> {
    type Error = ServiceError;

    fn try_from(body: Value) -> Result<Self, ServiceError> {
        let shape =
            || ServiceError::validation("items", "expected a JSON array or {\"items\": [...]}");
        let array = match body {
            Value::Array(a) => a,
            Value::Object(mut o) => match o.remove("items") {
                Some(Value::Array(a)) => a,
                _ => return Err(shape()),
            },
            _ => return Err(shape()),
        };
        check_count(array.len())?;
        let items = array
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                serde_json::from_value(v)
                    .map_err(|e| ServiceError::validation(&format!("items[{i}]"), e.to_string()))
            })
            .collect::<Result<Vec<T>, _>>()?;
        Self::new(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PatternInput;
    use serde_json::json;

    fn is_validation(err: &ServiceError, expected_field: &str) -> bool {
        matches!(err, ServiceError::Validation { field, .. } if field == expected_field)
    }

    #[test]
    fn parse_int_follows_javascript() {
        let cases = [
            ("12", Some(12)),
            ("  7", Some(7)),
            ("12abc", Some(12)),
            ("3.9", Some(3)),
            ("1e3", Some(1)),
            ("0x10", Some(0)),
            ("-4", Some(-4)),
            ("+5", Some(5)),
            ("abc", None),
            ("", None),
            ("-", None),
            ("99999999999999999999999", Some(i64::MAX)),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_int_js(input), expected, "{input:?}");
        }
    }

    #[test]
    fn evolution_defaults_and_ranges() {
        let q = |weeks: &str| EvolutionQuery {
            weeks: Some(weeks.into()),
            ..Default::default()
        };
        let params = |q: EvolutionQuery| EvolutionParams::try_from(q);
        assert_eq!(
            params(EvolutionQuery::default()).expect("defaults"),
            EvolutionParams::default()
        );
        assert_eq!(params(q("")).expect("empty is default").weeks(), 12);
        assert_eq!(params(q("52")).expect("max").weeks(), 52);
        assert_eq!(params(q("3.9")).expect("parseInt").weeks(), 3);
        for bad in ["0", "53", "abc", "-1", "99999999999"] {
            let err = params(q(bad)).expect_err(bad);
            assert!(is_validation(&err, "weeks"), "{err:?}");
            assert_eq!(err.to_string(), "weeks must be between 1 and 52");
        }
        let t = EvolutionQuery {
            pattern_type: Some("FORGETTING_CURVE".into()),
            ..Default::default()
        };
        assert_eq!(
            params(t).expect("type").pattern_type(),
            Some(PatternType::ForgettingCurve)
        );
        let bad = EvolutionQuery {
            pattern_type: Some("forgetting_curve".into()),
            ..Default::default()
        };
        assert!(is_validation(
            &params(bad).expect_err("case"),
            "patternType"
        ));
    }

    #[test]
    fn recommendation_limits_and_include_applied() {
        let q = |limit: Option<&str>, inc: Option<&str>| RecommendationsQuery {
            user_id: None,
            include_applied: inc.map(Into::into),
            limit: limit.map(Into::into),
        };
        let params = |q: RecommendationsQuery| RecommendationParams::try_from(q);
        let p = params(q(None, None)).expect("defaults");
        assert_eq!(p, RecommendationParams::default());
        assert!(
            params(q(None, Some("true")))
                .expect("true")
                .include_applied()
        );
        assert!(
            !params(q(None, Some("TRUE")))
                .expect("only exact true")
                .include_applied()
        );
        assert_eq!(params(q(Some("20"), None)).expect("max").limit(), 20);
        for bad in ["0", "21", "x"] {
            let err = params(q(Some(bad), None)).expect_err(bad);
            assert_eq!(err.to_string(), "limit must be between 1 and 20");
        }
    }

    #[test]
    fn effectiveness_dates_and_metric() {
        let now = Timestamp::parse("2025-11-01T17:00:00Z").expect("now");
        let p = EffectivenessQuery::default()
            .params_at(now)
            .expect("defaults");
        assert_eq!(p.end(), now);
        assert_eq!(p.start().to_string(), "2025-10-18T17:00:00.000Z");
        assert!(!p.is_explicit());
        let q = |s: &str, e: &str, m: &str| EffectivenessQuery {
            start_date: Some(s.into()),
            end_date: Some(e.into()),
            metric: Some(m.into()),
            user_id: None,
        };
        let p = q("2025-10-01", "2025-10-15T00:00:00.000Z", "retention")
            .params_at(now)
            .expect("ok");
        assert!(p.is_explicit());
        assert_eq!(p.metric(), EffectivenessMetric::Retention);
        let err = q("nope", "2025-10-15", "all")
            .params_at(now)
            .expect_err("bad start");
        assert_eq!(
            err.to_string(),
            "Invalid startDate format. Use ISO date string"
        );
        let err = q("2025-10-01", "nope", "all")
            .params_at(now)
            .expect_err("bad end");
        assert_eq!(
            err.to_string(),
            "Invalid endDate format. Use ISO date string"
        );
        // Past 9999-12-31 in UTC: a 400, not a panic (either date).
        for late in ["9999-12-31T23:00:00-02:00", "9999-12-31T23:59:59.999-00:01"] {
            let err = q("2025-10-01", late, "all").params_at(now).expect_err(late);
            assert_eq!(
                err.to_string(),
                "Invalid endDate format. Use ISO date string"
            );
            let err = q(late, "2025-10-01", "all").params_at(now).expect_err(late);
            assert_eq!(
                err.to_string(),
                "Invalid startDate format. Use ISO date string"
            );
        }
        let p = q("2025-10-01", "9999-12-31T23:59:59.999Z", "all")
            .params_at(now)
            .expect("the last instant is fine");
        assert_eq!(p.end(), Timestamp::MAX);
        // The order is checked before the metric.
        let err = q("2025-10-15", "2025-10-01", "engagement")
            .params_at(now)
            .expect_err("order");
        assert_eq!(err.to_string(), "startDate must be before endDate");
        let err = q("2025-10-01", "2025-10-15", "engagement")
            .params_at(now)
            .expect_err("metric");
        assert!(matches!(err, ServiceError::BadRequest { ref field, .. } if field == "metric"));
    }

    #[test]
    fn apply_body_rules() {
        let ok = ApplyParams::try_from(json!({"applicationType": "MANUAL", "x": 1})).expect("ok");
        assert_eq!(ok, ApplyParams::new(ApplicationType::Manual));
        let auto = ApplyParams::try_from(json!({"applicationType": "AUTO", "settings": {"a": 1}}))
            .expect("settings");
        assert_eq!(auto.settings.expect("kept")["a"], 1);
        for (body, field) in [
            (json!({}), "applicationType"),
            (json!({"applicationType": "manual"}), "applicationType"),
            (json!({"applicationType": 3}), "applicationType"),
            (
                json!({"applicationType": "AUTO", "settings": []}),
                "settings",
            ),
            (json!([1]), "body"),
        ] {
            let err = ApplyParams::try_from(body.clone()).expect_err("invalid");
            assert!(is_validation(&err, field), "{body}: {err:?}");
        }
    }

    #[test]
    fn ingestion_bodies_are_an_array_or_items_of_1_to_1000() {
        let item = json!({"patternType": "ATTENTION_CYCLE", "confidence": 0.5});
        let batch = IngestBatch::<PatternInput>::try_from(json!([item.clone()])).expect("array");
        assert_eq!(batch.items()[0].pattern_type, PatternType::AttentionCycle);
        let batch = IngestBatch::<PatternInput>::try_from(json!({"items": [item.clone(), item]}))
            .expect("items");
        assert_eq!(batch.items().len(), 2);
        for body in [
            json!({"x": []}),
            json!(3),
            json!([]),
            json!(vec![json!({}); 1001]),
        ] {
            let err = IngestBatch::<PatternInput>::try_from(body).expect_err("refused");
            assert!(is_validation(&err, "items"), "{err:?}");
        }
        let err =
            IngestBatch::<PatternInput>::try_from(json!([{"patternType": "X", "confidence": 1}]))
                .expect_err("bad item");
        assert!(is_validation(&err, "items[0]"), "{err:?}");
    }
}

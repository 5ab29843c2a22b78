//! Raw query parameters as clients send them, and their validation into typed values with the
//! original's rules: defaults for empty values, `parseInt` semantics for
//! integers, exact enum names, and the original's messages.

use insights_model::{PatternType, Timestamp};
use insights_recommender::effectiveness::EffectivenessMetric;
use serde::Deserialize;
use time::Duration;

use crate::ServiceError;

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

/// Validated effectiveness parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EffectivenessParams {
    pub start: Timestamp,
    pub end: Timestamp,
    pub metric: EffectivenessMetric,
    /// Both dates were given: the response depends only on the parameters, not on "now".
    pub explicit_window: bool,
}

/// Validated evolution parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EvolutionParams {
    pub weeks: u32,
    pub pattern_type: Option<PatternType>,
}

/// Validated recommendation-list parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecommendationParams {
    pub include_applied: bool,
    pub limit: usize,
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
    pub(crate) fn validate(&self, now: Timestamp) -> Result<EffectivenessParams, ServiceError> {
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
            now.saturating_add(-Duration::days(14)),
        )?;
        let end = parse(&self.end_date, "endDate", now)?;
        if start >= end {
            return Err(ServiceError::bad_request(
                "startDate",
                "startDate must be before endDate",
            ));
        }
        let metric = match non_empty(&self.metric) {
            None => EffectivenessMetric::All,
            Some(m) => m.parse().map_err(|_| {
                ServiceError::bad_request(
                    "metric",
                    "Invalid metric. Must be one of: retention, performance, completion, all",
                )
            })?,
        };
        Ok(EffectivenessParams {
            start,
            end,
            metric,
            explicit_window: non_empty(&self.start_date).is_some()
                && non_empty(&self.end_date).is_some(),
        })
    }
}

impl EvolutionQuery {
    pub(crate) fn validate(&self) -> Result<EvolutionParams, ServiceError> {
        let weeks = int_in_range(
            &self.weeks,
            "weeks",
            12,
            1..=52,
            "weeks must be between 1 and 52",
        )?;
        let pattern_type = match non_empty(&self.pattern_type) {
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
        // The range check above bounds `weeks` to 1..=52.
        Ok(EvolutionParams {
            weeks: weeks as u32,
            pattern_type,
        })
    }
}

impl RecommendationsQuery {
    pub(crate) fn validate(&self) -> Result<RecommendationParams, ServiceError> {
        let limit = int_in_range(
            &self.limit,
            "limit",
            5,
            1..=20,
            "limit must be between 1 and 20",
        )?;
        Ok(RecommendationParams {
            include_applied: self.include_applied.as_deref() == Some("true"),
            // The range check above bounds `limit` to 1..=20.
            limit: limit as usize,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            EvolutionQuery::default()
                .validate()
                .expect("defaults")
                .weeks,
            12
        );
        assert_eq!(q("").validate().expect("empty is default").weeks, 12);
        assert_eq!(q("52").validate().expect("max").weeks, 52);
        assert_eq!(q("3.9").validate().expect("parseInt").weeks, 3);
        for bad in ["0", "53", "abc", "-1"] {
            let err = q(bad).validate().expect_err(bad);
            assert!(
                matches!(&err, ServiceError::Validation { field, message }
                    if field == "weeks" && message == "weeks must be between 1 and 52"),
                "{err:?}"
            );
        }
        let t = EvolutionQuery {
            pattern_type: Some("FORGETTING_CURVE".into()),
            ..Default::default()
        };
        assert_eq!(
            t.validate().expect("type").pattern_type,
            Some(PatternType::ForgettingCurve)
        );
        let bad = EvolutionQuery {
            pattern_type: Some("forgetting_curve".into()),
            ..Default::default()
        };
        assert!(
            matches!(bad.validate(), Err(ServiceError::Validation { field, .. }) if field == "patternType")
        );
    }

    #[test]
    fn recommendation_limits_and_include_applied() {
        let q = |limit: Option<&str>, inc: Option<&str>| RecommendationsQuery {
            user_id: None,
            include_applied: inc.map(Into::into),
            limit: limit.map(Into::into),
        };
        let p = q(None, None).validate().expect("defaults");
        assert_eq!((p.limit, p.include_applied), (5, false));
        assert!(
            q(None, Some("true"))
                .validate()
                .expect("true")
                .include_applied
        );
        assert!(
            !q(None, Some("TRUE"))
                .validate()
                .expect("only exact true")
                .include_applied
        );
        assert_eq!(q(Some("20"), None).validate().expect("max").limit, 20);
        for bad in ["0", "21", "x"] {
            assert!(q(Some(bad), None).validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn effectiveness_dates_and_metric() {
        let now = Timestamp::parse("2025-11-01T17:00:00Z").expect("now");
        let p = EffectivenessQuery::default()
            .validate(now)
            .expect("defaults");
        assert_eq!(p.end, now);
        assert_eq!(p.start.to_string(), "2025-10-18T17:00:00.000Z");
        assert!(!p.explicit_window);
        let q = |s: &str, e: &str, m: &str| EffectivenessQuery {
            start_date: Some(s.into()),
            end_date: Some(e.into()),
            metric: Some(m.into()),
            user_id: None,
        };
        let p = q("2025-10-01", "2025-10-15T00:00:00.000Z", "retention")
            .validate(now)
            .expect("ok");
        assert!(p.explicit_window);
        assert_eq!(p.metric, EffectivenessMetric::Retention);
        let err = q("nope", "2025-10-15", "all")
            .validate(now)
            .expect_err("bad start");
        assert_eq!(
            err.to_string(),
            "Invalid startDate format. Use ISO date string"
        );
        let err = q("2025-10-01", "nope", "all")
            .validate(now)
            .expect_err("bad end");
        assert_eq!(
            err.to_string(),
            "Invalid endDate format. Use ISO date string"
        );
        // Past 9999-12-31 in UTC: a 400, not a panic (either date).
        for late in ["9999-12-31T23:00:00-02:00", "9999-12-31T23:59:59.999-00:01"] {
            let err = q("2025-10-01", late, "all").validate(now).expect_err(late);
            assert_eq!(
                err.to_string(),
                "Invalid endDate format. Use ISO date string"
            );
            let err = q(late, "2025-10-01", "all").validate(now).expect_err(late);
            assert_eq!(
                err.to_string(),
                "Invalid startDate format. Use ISO date string"
            );
        }
        let p = q("2025-10-01", "9999-12-31T23:59:59.999Z", "all")
            .validate(now)
            .expect("the last instant is fine");
        assert_eq!(p.end, Timestamp::MAX);
        let err = q("2025-10-15", "2025-10-01", "all")
            .validate(now)
            .expect_err("order");
        assert_eq!(err.to_string(), "startDate must be before endDate");
        let err = q("2025-10-01", "2025-10-15", "engagement")
            .validate(now)
            .expect_err("metric");
        assert!(matches!(err, ServiceError::BadRequest { ref field, .. } if field == "metric"));
    }
}

//! The effectiveness payload, compared as JSON values with the original's answers.

use insights_model::{EffectivenessRow, PersonalizationConfig, PersonalizationContext};
use insights_recommender::RecommenderError;
use insights_recommender::effectiveness::{
    Aggregate, EffectivenessMetric, Period, aggregate, personalization_effectiveness,
};
use serde_json::{Value, json};

use crate::fixtures::*;

fn config() -> PersonalizationConfig {
    PersonalizationConfig {
        id: "c1".to_owned(),
        context: PersonalizationContext::Mission,
        strategy_variant: "Balanced".to_owned(),
        confidence_score: 0.7,
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    start: &str,
    end: &str,
    ret: Option<f64>,
    perf: Option<f64>,
    compl: Option<f64>,
    eng: Option<f64>,
    n: i32,
    r: Option<f64>,
    p: Option<f64>,
    composite: f64,
) -> EffectivenessRow {
    EffectivenessRow {
        start_date: ts(start),
        end_date: ts(end),
        retention_improvement: ret,
        performance_improvement: perf,
        completion_rate_change: compl,
        engagement_change: eng,
        composite_score: composite,
        is_statistically_significant: true,
        sample_size: n,
        correlation: r,
        p_value: p,
    }
}

const START: &str = "2025-10-01T00:00:00.000Z";
const MID: &str = "2025-10-08T00:00:00.000Z";
const END: &str = "2025-10-15T00:00:00.000Z";

fn contract_rows() -> Vec<EffectivenessRow> {
    vec![
        row(
            START,
            MID,
            Some(10.0),
            Some(7.5),
            None,
            Some(2.0),
            20,
            Some(0.55),
            Some(0.04),
            61.2,
        ),
        row(
            MID,
            END,
            Some(15.0),
            Some(9.0),
            Some(10.0),
            Some(5.0),
            22,
            Some(0.67),
            Some(0.02),
            70.4,
        ),
    ]
}

fn payload_json(
    configs: &[PersonalizationConfig],
    rows: &[EffectivenessRow],
    metric: EffectivenessMetric,
) -> Value {
    let payload = personalization_effectiveness(configs, rows, metric, ts(START), ts(END));
    serde_json::to_value(&payload).expect("payload serialises")
}

#[test]
fn the_contract_a1_example_matches_field_by_field() {
    let got = payload_json(&[config()], &contract_rows(), EffectivenessMetric::All);
    let want = json!({
        "effectiveness": {
            "hasPersonalization": true,
            "metrics": {
                "retentionImprovement": 12.5,
                "performanceImprovement": 8.25,
                "completionRateChange": 5,
                "engagementChange": 3.5
            },
            "statistical": {
                "sampleSize": 42,
                "correlation": 0.6100000000000001,
                "pValue": 0.03,
                "isStatisticallySignificant": true
            },
            "activeConfigs": [
                { "context": "MISSION", "strategy": "Balanced", "confidence": 0.7 }
            ],
            // Our addition for the original chart (docs/compatibility.md).
            "timeline": [
                { "date": START, "retentionImprovement": 10, "performanceImprovement": 7.5,
                  "completionRateChange": null, "engagementChange": 2 },
                { "date": MID, "retentionImprovement": 15, "performanceImprovement": 9,
                  "completionRateChange": 10, "engagementChange": 5 }
            ]
        },
        "period": { "startDate": START, "endDate": END, "days": 14 },
        "timeline": [
            { "startDate": START, "endDate": MID,
              "retentionImprovement": 10, "performanceImprovement": 7.5, "completionRateChange": null,
              "compositeScore": 61.2, "isStatisticallySignificant": true },
            { "startDate": MID, "endDate": END,
              "retentionImprovement": 15, "performanceImprovement": 9, "completionRateChange": 10,
              "compositeScore": 70.4, "isStatisticallySignificant": true }
        ]
    });
    assert_eq!(got, want);
}

#[test]
fn integral_numbers_print_without_a_fraction_like_json_stringify() {
    let payload = personalization_effectiveness(
        &[config()],
        &contract_rows(),
        EffectivenessMetric::All,
        ts(START),
        ts(END),
    );
    let text = serde_json::to_string(&payload).expect("serialises");
    assert!(text.contains(r#""completionRateChange":5,"#), "{text}");
    assert!(
        text.contains(r#""correlation":0.6100000000000001,"#),
        "{text}"
    );
    assert!(text.contains(r#""days":14"#), "{text}");
}

#[test]
fn a_single_metric_emits_only_its_key() {
    let cases = [
        (
            EffectivenessMetric::Retention,
            json!({"retentionImprovement": 12.5}),
        ),
        (
            EffectivenessMetric::Performance,
            json!({"performanceImprovement": 8.25}),
        ),
        (
            EffectivenessMetric::Completion,
            json!({"completionRateChange": 5}),
        ),
    ];
    for (metric, want) in cases {
        let got = payload_json(&[config()], &contract_rows(), metric);
        assert_eq!(got["effectiveness"]["metrics"], want, "{metric}");
        // The rest of the payload does not depend on the selector.
        assert_eq!(got["effectiveness"]["statistical"]["sampleSize"], 42);
        assert_eq!(got["timeline"].as_array().map(Vec::len), Some(2));
    }
}

#[test]
fn the_metric_selector_parses_exact_values_only() {
    for (s, m) in [
        ("retention", EffectivenessMetric::Retention),
        ("performance", EffectivenessMetric::Performance),
        ("completion", EffectivenessMetric::Completion),
        ("all", EffectivenessMetric::All),
    ] {
        assert_eq!(s.parse::<EffectivenessMetric>(), Ok(m));
        assert_eq!(m.to_string(), s);
    }
    for bad in ["ALL", "engagement", "", " all"] {
        let err = bad.parse::<EffectivenessMetric>().expect_err("rejected");
        assert_eq!(
            err.to_string(),
            "Invalid metric. Must be one of: retention, performance, completion, all"
        );
        assert_eq!(
            err,
            RecommenderError::InvalidMetric {
                value: bad.to_owned()
            }
        );
        assert_eq!(err.field(), "metric");
    }
    assert_eq!(EffectivenessMetric::default(), EffectivenessMetric::All);
}

#[test]
fn nulls_count_as_zero_but_stay_in_the_denominator() {
    let rows = [
        row(
            START,
            MID,
            Some(10.0),
            None,
            None,
            None,
            5,
            None,
            None,
            50.0,
        ),
        row(
            MID,
            END,
            None,
            Some(6.0),
            Some(3.0),
            None,
            7,
            Some(0.5),
            None,
            50.0,
        ),
    ];
    let refs: Vec<_> = rows.iter().collect();
    let a = aggregate(&refs);
    assert_eq!(a.retention_improvement, 5.0);
    assert_eq!(a.performance_improvement, 3.0);
    assert_eq!(a.completion_rate_change, 1.5);
    assert_eq!(a.engagement_change, 0.0);
    assert_eq!(a.sample_size, 12);
    // Correlation: mean of the present values only; p-value: none present → 1, not significant.
    assert_eq!(a.correlation, 0.5);
    assert_eq!(a.p_value, 1.0);
    assert!(!a.is_statistically_significant);
}

#[test]
fn rows_without_retention_and_performance_are_not_valid() {
    let all_null = [
        row(
            START,
            MID,
            None,
            None,
            Some(50.0),
            Some(9.0),
            100,
            Some(0.9),
            Some(0.001),
            80.0,
        ),
        row(MID, END, None, None, None, None, 100, None, None, 10.0),
    ];
    let got = payload_json(&[config()], &all_null, EffectivenessMetric::All);
    assert_eq!(
        got["effectiveness"]["metrics"],
        json!({"retentionImprovement": 0, "performanceImprovement": 0, "completionRateChange": 0, "engagementChange": 0})
    );
    assert_eq!(
        got["effectiveness"]["statistical"],
        json!({"sampleSize": 0, "correlation": 0, "pValue": 1, "isStatisticallySignificant": false})
    );
    // The timeline still lists every row, valid or not.
    assert_eq!(got["timeline"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        got["effectiveness"]["timeline"].as_array().map(Vec::len),
        Some(2)
    );

    // One valid row among invalid ones: only it is averaged.
    let mixed = [
        all_null[0].clone(),
        row(
            MID,
            END,
            Some(4.0),
            None,
            None,
            None,
            3,
            None,
            Some(0.01),
            10.0,
        ),
    ];
    let refs: Vec<_> = mixed.iter().collect();
    let a = aggregate(&refs);
    assert_eq!(
        (
            a.retention_improvement,
            a.completion_rate_change,
            a.sample_size
        ),
        (4.0, 0.0, 3)
    );
    assert!(a.is_statistically_significant);
}

#[test]
fn no_rows_give_zeros_and_an_empty_timeline() {
    assert_eq!(aggregate(&[]), Aggregate::EMPTY);
    let got = payload_json(&[config()], &[], EffectivenessMetric::All);
    assert_eq!(got["effectiveness"]["hasPersonalization"], true);
    assert_eq!(got["effectiveness"]["statistical"]["pValue"], 1);
    assert_eq!(got["timeline"], json!([]));
    assert_eq!(got["effectiveness"]["timeline"], json!([]));
}

#[test]
fn significance_needs_a_mean_p_value_strictly_below_five_percent() {
    let with_p = |p: f64| {
        let rows = [row(
            START,
            END,
            Some(1.0),
            None,
            None,
            None,
            1,
            None,
            Some(p),
            1.0,
        )];
        let refs: Vec<_> = rows.iter().collect();
        aggregate(&refs).is_statistically_significant
    };
    assert!(with_p(0.049));
    assert!(!with_p(0.05));
    assert!(!with_p(0.2));
}

#[test]
fn without_active_configs_the_baseline_shape_has_no_timeline() {
    let got = payload_json(&[], &contract_rows(), EffectivenessMetric::Retention);
    assert_eq!(
        got,
        json!({
            "effectiveness": {
                "hasPersonalization": false,
                "message": "No active personalization. Enable personalization to track effectiveness.",
                "baseline": { "retentionImprovement": 0, "performanceImprovement": 0, "completionRateChange": 0, "engagementChange": 0 }
            },
            "period": { "startDate": START, "endDate": END, "days": 14 }
        })
    );
}

#[test]
fn period_days_round_up() {
    let start = ts(START);
    let days = |end: &str| Period::new(start, ts(end)).days;
    assert_eq!(days(END), 14);
    assert_eq!(days("2025-10-15T00:00:00.001Z"), 15);
    assert_eq!(days("2025-10-01T00:00:00.001Z"), 1);
    assert_eq!(Period::new(ts(END), start).days, -14);
}

#[test]
fn rows_outside_the_window_are_dropped_and_the_rest_sorted() {
    let mut rows = contract_rows();
    rows.reverse();
    rows.push(row(
        "2025-09-20T00:00:00.000Z",
        MID,
        Some(99.0),
        None,
        None,
        None,
        9,
        None,
        None,
        1.0,
    ));
    rows.push(row(
        MID,
        "2025-10-20T00:00:00.000Z",
        Some(99.0),
        None,
        None,
        None,
        9,
        None,
        None,
        1.0,
    ));
    let got = payload_json(&[config()], &rows, EffectivenessMetric::All);
    let want = payload_json(&[config()], &contract_rows(), EffectivenessMetric::All);
    assert_eq!(got, want);
}

#[test]
fn active_configs_keep_their_order() {
    let second = PersonalizationConfig {
        id: "c2".to_owned(),
        context: PersonalizationContext::Session,
        strategy_variant: "Conservative".to_owned(),
        confidence_score: 0.55,
    };
    let got = payload_json(&[config(), second], &[], EffectivenessMetric::All);
    assert_eq!(
        got["effectiveness"]["activeConfigs"],
        json!([
            { "context": "MISSION", "strategy": "Balanced", "confidence": 0.7 },
            { "context": "SESSION", "strategy": "Conservative", "confidence": 0.55 }
        ])
    );
}

#[test]
fn the_payload_round_trips_through_json() {
    let payload = personalization_effectiveness(
        &[config()],
        &contract_rows(),
        EffectivenessMetric::All,
        ts(START),
        ts(END),
    );
    let text = serde_json::to_string(&payload).expect("serialises");
    let back: insights_recommender::effectiveness::EffectivenessPayload =
        serde_json::from_str(&text).expect("deserialises");
    assert_eq!(back, payload);
    let inactive =
        personalization_effectiveness(&[], &[], EffectivenessMetric::All, ts(START), ts(END));
    let text = serde_json::to_string(&inactive).expect("serialises");
    let back: insights_recommender::effectiveness::EffectivenessPayload =
        serde_json::from_str(&text).expect("deserialises");
    assert_eq!(back, inactive);
}

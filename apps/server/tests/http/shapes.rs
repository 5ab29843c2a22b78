//! Success payloads field by field: the original's names and types, plus the additions the
//! original front end needs (docs/compatibility.md).

use insights_model::*;
use insights_testkit::{TestDb, both_backends};
use serde_json::{Value, json};

use crate::support::*;

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

fn is_timestamp(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 24 && s.ends_with('Z') && Timestamp::parse(s).is_ok())
}

fn eff_row(
    start: &str,
    end: &str,
    vals: (Option<f64>, Option<f64>, Option<f64>, Option<f64>),
    n: i32,
    r: f64,
    p: f64,
    composite: f64,
) -> EffectivenessRow {
    EffectivenessRow {
        start_date: Timestamp::parse(start).unwrap(),
        end_date: Timestamp::parse(end).unwrap(),
        retention_improvement: vals.0,
        performance_improvement: vals.1,
        completion_rate_change: vals.2,
        engagement_change: vals.3,
        composite_score: composite,
        is_statistically_significant: true,
        sample_size: n,
        correlation: Some(r),
        p_value: Some(p),
    }
}

both_backends!(
    effectiveness_matches_the_contract_example,
    effectiveness_without_active_configs,
    evolution_shape,
    recommendations_and_apply_shapes
);

async fn effectiveness_matches_the_contract_example(db: TestDb) {
    let app = TestApp::new(db).await;
    let store = app.store();
    let now = Timestamp::now();
    store.ensure_user("u1", None, None, now).await.unwrap();
    let config = store
        .insert_config(
            "u1",
            PersonalizationContext::Mission,
            "Balanced",
            0.7,
            true,
            now,
        )
        .await
        .unwrap();
    let rows = [
        eff_row(
            "2025-10-01T00:00:00.000Z",
            "2025-10-08T00:00:00.000Z",
            (Some(10.0), Some(7.5), None, Some(2.0)),
            20,
            0.55,
            0.04,
            61.2,
        ),
        eff_row(
            "2025-10-08T00:00:00.000Z",
            "2025-10-15T00:00:00.000Z",
            (Some(15.0), Some(9.0), Some(10.0), Some(5.0)),
            22,
            0.67,
            0.02,
            70.4,
        ),
    ];
    let rows: Vec<NewEffectiveness> = rows
        .into_iter()
        .map(|row| NewEffectiveness {
            user_id: "u1".into(),
            config_id: config.clone(),
            row,
        })
        .collect();
    store.insert_effectiveness(&rows, now).await.unwrap();

    let query = "startDate=2025-10-01T00:00:00.000Z&endDate=2025-10-15T00:00:00.000Z&metric=all";
    let res = app
        .get_as(&format!("/api/personalization/effectiveness?{query}"), "u1")
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(
        res.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let data = res.data();
    assert_eq!(keys(&data), ["effectiveness", "period", "timeline"]);
    let eff = &data["effectiveness"];
    assert_eq!(
        keys(eff),
        [
            "activeConfigs",
            "hasPersonalization",
            "metrics",
            "statistical",
            "timeline"
        ]
    );
    assert_eq!(eff["hasPersonalization"], true);
    assert_eq!(
        eff["metrics"],
        json!({"retentionImprovement": 12.5, "performanceImprovement": 8.25,
        "completionRateChange": 5, "engagementChange": 3.5})
    );
    assert_eq!(
        eff["statistical"],
        json!({"sampleSize": 42, "correlation": 0.6100000000000001,
        "pValue": 0.03, "isStatisticallySignificant": true})
    );
    assert_eq!(
        eff["activeConfigs"],
        json!([{"context": "MISSION", "strategy": "Balanced", "confidence": 0.7}])
    );
    // Added for the front end's chart: `date` and `engagementChange` per item.
    let t0 = &eff["timeline"][0];
    assert_eq!(t0["date"], "2025-10-01T00:00:00.000Z");
    assert_eq!(t0["engagementChange"], 2);
    assert_eq!(t0["retentionImprovement"], 10);
    assert!(t0["completionRateChange"].is_null());
    assert_eq!(
        data["period"],
        json!({"startDate": "2025-10-01T00:00:00.000Z",
        "endDate": "2025-10-15T00:00:00.000Z", "days": 14})
    );
    assert_eq!(
        data["timeline"],
        json!([
            { "startDate": "2025-10-01T00:00:00.000Z", "endDate": "2025-10-08T00:00:00.000Z",
              "retentionImprovement": 10, "performanceImprovement": 7.5, "completionRateChange": null,
              "compositeScore": 61.2, "isStatisticallySignificant": true },
            { "startDate": "2025-10-08T00:00:00.000Z", "endDate": "2025-10-15T00:00:00.000Z",
              "retentionImprovement": 15, "performanceImprovement": 9, "completionRateChange": 10,
              "compositeScore": 70.4, "isStatisticallySignificant": true }
        ])
    );

    let res = app
        .get_as(
            &format!(
                "/api/personalization/effectiveness?{}",
                query.replace("all", "retention")
            ),
            "u1",
        )
        .await;
    assert_eq!(
        res.data()["effectiveness"]["metrics"],
        json!({"retentionImprovement": 12.5})
    );
}

async fn effectiveness_without_active_configs(db: TestDb) {
    let app = TestApp::new(db).await;
    let data = app
        .get_as("/api/personalization/effectiveness", "nobody")
        .await
        .data();
    assert_eq!(keys(&data), ["effectiveness", "period"]);
    assert_eq!(
        data["effectiveness"],
        json!({
            "hasPersonalization": false,
            "message": "No active personalization. Enable personalization to track effectiveness.",
            "baseline": {"retentionImprovement": 0, "performanceImprovement": 0, "completionRateChange": 0, "engagementChange": 0}
        })
    );
    assert_eq!(data["period"]["days"], 14);
    assert!(is_timestamp(&data["period"]["startDate"]) && is_timestamp(&data["period"]["endDate"]));
}

async fn evolution_shape(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    let data = app
        .get_as(
            "/api/analytics/behavioral-insights/patterns/evolution?weeks=6",
            "u1",
        )
        .await
        .data();
    assert_eq!(keys(&data), ["evolution", "meta"]);
    let weeks = data["evolution"].as_array().unwrap();
    assert_eq!(weeks.len(), 6);
    for (i, week) in weeks.iter().enumerate() {
        assert_eq!(
            keys(week),
            ["patterns", "weekEnd", "weekNumber", "weekStart"]
        );
        assert_eq!(week["weekNumber"], i + 1);
        assert!(is_timestamp(&week["weekStart"]) && is_timestamp(&week["weekEnd"]));
        for p in week["patterns"].as_array().unwrap() {
            assert_eq!(
                keys(p),
                ["confidence", "id", "metadata", "patternType", "status"]
            );
            assert!(p["id"].is_string() && p["confidence"].is_f64());
            assert!(
                PatternType::ALL
                    .iter()
                    .any(|t| p["patternType"] == t.to_string())
            );
            assert!(["new", "existing", "disappeared"].contains(&p["status"].as_str().unwrap()));
            assert_eq!(
                p["metadata"],
                json!(["42 sessions analyzed", "Performance score: 82%"])
            );
        }
    }
    // Every pattern was last seen in the final week or before: the last week shows the
    // one seen a day ago as active (fixed rule), never as disappeared.
    let last = weeks.last().unwrap()["patterns"].as_array().unwrap();
    assert!(
        last.iter()
            .any(|p| p["patternType"] == "OPTIMAL_STUDY_TIME" && p["status"] != "disappeared")
    );
    assert_eq!(
        keys(&data["meta"]),
        [
            "endDate",
            "patternTypeFilter",
            "startDate",
            "totalPatterns",
            "totalWeeks"
        ]
    );
    assert_eq!(data["meta"]["totalWeeks"], 6);
    assert_eq!(data["meta"]["totalPatterns"], 3);
    assert_eq!(data["meta"]["patternTypeFilter"], "all");

    let data = app
        .get_as(
            "/api/analytics/behavioral-insights/patterns/evolution\
             ?weeks=6&patternType=FORGETTING_CURVE",
            "u1",
        )
        .await
        .data();
    assert_eq!(data["meta"]["patternTypeFilter"], "FORGETTING_CURVE");
    assert_eq!(data["meta"]["totalPatterns"], 1);
}

async fn recommendations_and_apply_shapes(db: TestDb) {
    let app = TestApp::new(db).await;
    app.seed_user_with_patterns("u1").await;
    let data = app
        .get_as(
            "/api/analytics/behavioral-insights/recommendations?limit=20",
            "u1",
        )
        .await
        .data();
    assert_eq!(keys(&data), ["count", "recommendations", "total"]);
    let items = data["recommendations"].as_array().unwrap();
    assert!(!items.is_empty());
    assert_eq!(data["count"], items.len());
    assert!(data["total"].as_u64().unwrap() >= items.len() as u64);
    let mut previous = f64::INFINITY;
    for r in items {
        assert_eq!(
            keys(r),
            [
                "actionable",
                "actionableText",
                "appliedAt",
                "category",
                "confidence",
                "createdAt",
                "description",
                "dismissedAt",
                "easeOfImplementation",
                "estimatedImpact",
                "evidence",
                "id",
                "priority",
                "priorityScore",
                "recommendationType",
                "sourceInsightIds",
                "sourcePatternIds",
                "status",
                "title",
                "userId",
                "userReadiness",
            ]
        );
        assert_eq!(r["userId"], "u1");
        for f in [
            "id",
            "title",
            "description",
            "actionableText",
            "status",
            "recommendationType",
        ] {
            assert!(r[f].is_string(), "{f}");
        }
        for f in [
            "confidence",
            "estimatedImpact",
            "easeOfImplementation",
            "userReadiness",
            "priorityScore",
            "priority",
        ] {
            assert!(r[f].is_number(), "{f}");
        }
        assert_eq!(r["priority"], r["priorityScore"]);
        assert!(
            ["TIMING", "DURATION", "CONTENT", "STRATEGY"]
                .contains(&r["category"].as_str().unwrap())
        );
        assert!(
            r["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_string)
        );
        assert_eq!(r["actionable"], true);
        assert!(r["appliedAt"].is_null() && r["dismissedAt"].is_null());
        assert!(is_timestamp(&r["createdAt"]));
        assert!(r["sourcePatternIds"].is_array() && r["sourceInsightIds"].is_array());
        let p = r["priorityScore"].as_f64().unwrap();
        assert!(p <= previous, "ordered by priorityScore desc");
        previous = p;
    }
    // The peak-hours title carries the number from patternData (hourOfDay 7).
    assert!(
        items
            .iter()
            .any(|r| r["title"] == "Study during your peak hours (7:00-8:00)"),
        "{items:?}"
    );

    let id = items[0]["id"].as_str().unwrap();
    let res = app.apply("u1", id, "MANUAL").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let data = res.data();
    assert_eq!(data["success"], true);
    assert_eq!(
        keys(&data["appliedRecommendation"]),
        ["applicationType", "appliedAt", "id"]
    );
    assert_eq!(data["appliedRecommendation"]["applicationType"], "MANUAL");
    assert!(is_timestamp(&data["appliedRecommendation"]["appliedAt"]));
    assert_eq!(data["trackingId"], data["appliedRecommendation"]["id"]);
    assert!(
        data.get("updatedSettings").is_none(),
        "MANUAL changes no settings"
    );
}

//! Verifies that an existing database has every table and column this service reads or writes,
//! with the expected types, and names each mismatch. It only reads the catalog: a database this
//! service did not create is never altered.

use diesel::QueryableByName;
use diesel::sql_types::Text;

/// `(table, column, PostgreSQL udt_name)` for every column the store touches.
const EXPECTED_POSTGRES: &[(&str, &str, &str)] = &[
    ("users", "id", "text"),
    ("users", "email", "text"),
    ("users", "name", "text"),
    ("users", "createdAt", "timestamp"),
    ("users", "updatedAt", "timestamp"),
    ("behavioral_patterns", "id", "text"),
    ("behavioral_patterns", "userId", "text"),
    (
        "behavioral_patterns",
        "patternType",
        "BehavioralPatternType",
    ),
    ("behavioral_patterns", "patternData", "jsonb"),
    ("behavioral_patterns", "confidence", "float8"),
    ("behavioral_patterns", "firstDetectedAt", "timestamp"),
    ("behavioral_patterns", "lastSeenAt", "timestamp"),
    ("behavioral_patterns", "patternName", "text"),
    ("behavioral_patterns", "evidence", "_text"),
    ("behavioral_patterns", "occurrenceCount", "int4"),
    ("behavioral_patterns", "detectedAt", "timestamp"),
    ("behavioral_insights", "id", "text"),
    ("behavioral_insights", "userId", "text"),
    ("behavioral_insights", "insightType", "InsightType"),
    ("behavioral_insights", "title", "text"),
    ("behavioral_insights", "description", "text"),
    ("behavioral_insights", "actionableRecommendation", "text"),
    ("behavioral_insights", "confidence", "float8"),
    ("behavioral_insights", "createdAt", "timestamp"),
    ("behavioral_insights", "acknowledgedAt", "timestamp"),
    ("behavioral_insights", "applied", "bool"),
    ("intervention_recommendations", "id", "text"),
    ("intervention_recommendations", "userId", "text"),
    (
        "intervention_recommendations",
        "interventionType",
        "InterventionType",
    ),
    ("intervention_recommendations", "description", "text"),
    ("intervention_recommendations", "reasoning", "text"),
    ("intervention_recommendations", "priority", "int4"),
    (
        "intervention_recommendations",
        "status",
        "InterventionStatus",
    ),
    ("intervention_recommendations", "createdAt", "timestamp"),
    ("recommendations", "id", "text"),
    ("recommendations", "userId", "text"),
    (
        "recommendations",
        "recommendationType",
        "RecommendationType",
    ),
    ("recommendations", "title", "text"),
    ("recommendations", "description", "text"),
    ("recommendations", "actionableText", "text"),
    ("recommendations", "confidence", "float8"),
    ("recommendations", "estimatedImpact", "float8"),
    ("recommendations", "easeOfImplementation", "float8"),
    ("recommendations", "userReadiness", "float8"),
    ("recommendations", "priorityScore", "float8"),
    ("recommendations", "status", "RecommendationStatus"),
    ("recommendations", "sourcePatternIds", "_text"),
    ("recommendations", "sourceInsightIds", "_text"),
    ("recommendations", "createdAt", "timestamp"),
    ("recommendations", "appliedAt", "timestamp"),
    ("recommendations", "dismissedAt", "timestamp"),
    ("applied_recommendations", "id", "text"),
    ("applied_recommendations", "recommendationId", "text"),
    ("applied_recommendations", "userId", "text"),
    (
        "applied_recommendations",
        "applicationType",
        "ApplicationType",
    ),
    ("applied_recommendations", "baselineMetrics", "jsonb"),
    ("applied_recommendations", "appliedAt", "timestamp"),
    ("user_learning_profiles", "id", "text"),
    ("user_learning_profiles", "userId", "text"),
    ("user_learning_profiles", "preferredStudyTimes", "jsonb"),
    ("user_learning_profiles", "averageSessionDuration", "int4"),
    ("user_learning_profiles", "optimalSessionDuration", "int4"),
    ("user_learning_profiles", "contentPreferences", "jsonb"),
    ("user_learning_profiles", "learningStyleProfile", "jsonb"),
    (
        "user_learning_profiles",
        "personalizedForgettingCurve",
        "jsonb",
    ),
    ("user_learning_profiles", "lastAnalyzedAt", "timestamp"),
    ("user_learning_profiles", "dataQualityScore", "float8"),
    ("study_sessions", "id", "text"),
    ("study_sessions", "userId", "text"),
    ("study_sessions", "startedAt", "timestamp"),
    ("study_sessions", "completedAt", "timestamp"),
    ("study_sessions", "durationMs", "int4"),
    ("study_sessions", "reviewsCompleted", "int4"),
    ("study_sessions", "newCardsStudied", "int4"),
    ("personalization_preferences", "id", "text"),
    ("personalization_preferences", "userId", "text"),
    ("personalization_preferences", "createdAt", "timestamp"),
    ("personalization_preferences", "updatedAt", "timestamp"),
    ("personalization_configs", "id", "text"),
    ("personalization_configs", "userId", "text"),
    ("personalization_configs", "preferencesId", "text"),
    (
        "personalization_configs",
        "context",
        "PersonalizationContext",
    ),
    ("personalization_configs", "strategyVariant", "text"),
    ("personalization_configs", "confidenceScore", "float8"),
    ("personalization_configs", "isActive", "bool"),
    ("personalization_configs", "activatedAt", "timestamp"),
    ("personalization_configs", "createdAt", "timestamp"),
    ("personalization_configs", "updatedAt", "timestamp"),
    ("personalization_effectiveness", "id", "text"),
    ("personalization_effectiveness", "configId", "text"),
    ("personalization_effectiveness", "userId", "text"),
    ("personalization_effectiveness", "startDate", "timestamp"),
    ("personalization_effectiveness", "endDate", "timestamp"),
    (
        "personalization_effectiveness",
        "retentionImprovement",
        "float8",
    ),
    (
        "personalization_effectiveness",
        "performanceImprovement",
        "float8",
    ),
    (
        "personalization_effectiveness",
        "completionRateChange",
        "float8",
    ),
    (
        "personalization_effectiveness",
        "engagementChange",
        "float8",
    ),
    ("personalization_effectiveness", "sampleSize", "int4"),
    ("personalization_effectiveness", "correlation", "float8"),
    ("personalization_effectiveness", "pValue", "float8"),
    ("personalization_effectiveness", "compositeScore", "float8"),
    (
        "personalization_effectiveness",
        "isStatisticallySignificant",
        "bool",
    ),
    ("personalization_effectiveness", "calculatedAt", "timestamp"),
];

/// `(table, column, PostgreSQL udt_name)` of the original application's columns that the store
/// never touches but our migrations create (000006, 000007) so that the original application
/// also runs on a database we created. A database without them is still valid for this service
/// (it predates those migrations, or the original application's version lacks them): they are
/// reported by [`original_only_gaps`], never by [`mismatches`].
const ORIGINAL_ONLY_POSTGRES: &[(&str, &str, &str)] = &[
    ("insight_patterns", "id", "text"),
    ("insight_patterns", "insightId", "text"),
    ("insight_patterns", "patternId", "text"),
    ("personalization_preferences", "lastResetAt", "timestamp"),
];

/// `(table, column, type)` of every column of a database: the PostgreSQL `udt_name`, or the
/// type SQLite declares.
pub(crate) type Catalog = Vec<(String, String, String)>;

/// One row of a backend's catalog query (`postgres::read_catalog`, `sqlite::read_catalog`).
#[derive(QueryableByName)]
pub(crate) struct CatalogColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    udt_name: String,
}

impl CatalogColumn {
    pub(crate) fn into_tuple(self) -> (String, String, String) {
        (self.table_name, self.column_name, self.udt_name)
    }
}

/// Compares a catalog with what the store needs and returns one line per mismatch. On SQLite
/// only presence is checked (types there are affinities, not contracts).
pub(crate) fn mismatches(catalog: &[(String, String, String)], check_types: bool) -> Vec<String> {
    compare(EXPECTED_POSTGRES, catalog, check_types)
}

/// Compares a catalog with the original application's columns the store does not use
/// ([`ORIGINAL_ONLY_POSTGRES`]) and returns one line per gap, for information only.
pub(crate) fn original_only_gaps(
    catalog: &[(String, String, String)],
    check_types: bool,
) -> Vec<String> {
    compare(ORIGINAL_ONLY_POSTGRES, catalog, check_types)
}

fn compare(
    expected: &[(&str, &str, &str)],
    catalog: &[(String, String, String)],
    check_types: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (table, column, udt) in expected {
        let table_exists = catalog.iter().any(|(t, _, _)| t == table);
        if !table_exists {
            let line = format!("table \"{table}\" is missing");
            if !problems.contains(&line) {
                problems.push(line);
            }
            continue;
        }
        match catalog.iter().find(|(t, c, _)| t == table && c == column) {
            None => problems.push(format!("column \"{table}\".\"{column}\" is missing")),
            Some((_, _, found)) if check_types && found != udt => problems.push(format!(
                "column \"{table}\".\"{column}\" has type {found}, expected {udt}"
            )),
            Some(_) => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full_catalog() -> Vec<(String, String, String)> {
        EXPECTED_POSTGRES
            .iter()
            .map(|(t, c, u)| (t.to_string(), c.to_string(), u.to_string()))
            .collect()
    }

    #[test]
    fn a_complete_catalog_has_no_mismatch() {
        assert!(mismatches(&full_catalog(), true).is_empty());
    }

    #[test]
    fn names_each_missing_column_and_wrong_type() {
        let mut catalog = full_catalog();
        catalog.retain(|(t, c, _)| !(t == "recommendations" && c == "dismissedAt"));
        for row in &mut catalog {
            if row.0 == "behavioral_patterns" && row.1 == "evidence" {
                row.2 = "jsonb".into();
            }
        }
        let problems = mismatches(&catalog, true);
        assert_eq!(
            problems,
            vec![
                "column \"behavioral_patterns\".\"evidence\" has type jsonb, expected _text",
                "column \"recommendations\".\"dismissedAt\" is missing",
            ]
        );
        assert_eq!(
            mismatches(&catalog, false).len(),
            1,
            "types ignored on SQLite"
        );
    }

    #[test]
    fn the_original_only_columns_are_optional_but_known() {
        let mut catalog = full_catalog();
        assert_eq!(
            original_only_gaps(&catalog, true),
            vec![
                "table \"insight_patterns\" is missing",
                "column \"personalization_preferences\".\"lastResetAt\" is missing",
            ]
        );
        catalog.extend(
            ORIGINAL_ONLY_POSTGRES
                .iter()
                .map(|(t, c, u)| (t.to_string(), c.to_string(), u.to_string())),
        );
        assert!(original_only_gaps(&catalog, true).is_empty());
        assert!(mismatches(&catalog, true).is_empty());
        for row in &mut catalog {
            if row.1 == "lastResetAt" {
                row.2 = "text".into();
            }
        }
        assert_eq!(
            original_only_gaps(&catalog, true),
            vec![
                "column \"personalization_preferences\".\"lastResetAt\" has type text, expected timestamp"
            ]
        );
        assert!(
            mismatches(&catalog, true).is_empty(),
            "never a reason to refuse"
        );
    }

    #[test]
    fn a_missing_table_is_reported_once() {
        let mut catalog = full_catalog();
        catalog.retain(|(t, _, _)| t != "users");
        assert_eq!(
            mismatches(&catalog, true),
            vec!["table \"users\" is missing"]
        );
    }
}

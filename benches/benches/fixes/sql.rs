//! Hand-written SQL equal to the store's endpoint queries (crates/store/src/queries), for the
//! sequential-vs-pipelined comparison and for `EXPLAIN`. `$1` is the user id.

/// The recommendation engine's four reads, as `recommendation_inputs` issues them. Each row is
/// returned as one JSON text so a single `QueryableByName` type can load them all while still
/// transferring every column.
pub const ENGINE_READS: [&str; 4] = [
    r#"SELECT row_to_json(p)::text AS row FROM (SELECT * FROM "behavioral_patterns"
        WHERE "userId" = $1 AND "confidence" >= 0.7 ORDER BY "confidence" DESC, "id" LIMIT 10) p"#,
    r#"SELECT row_to_json(i)::text AS row FROM (SELECT * FROM "behavioral_insights"
        WHERE "userId" = $1 AND "acknowledgedAt" IS NULL AND "confidence" >= 0.7
        ORDER BY "confidence" DESC, "id" LIMIT 10) i"#,
    r#"SELECT row_to_json(v)::text AS row FROM (SELECT * FROM "intervention_recommendations"
        WHERE "userId" = $1 AND "status" = 'PENDING' ORDER BY "priority" DESC, "id" LIMIT 5) v"#,
    r#"SELECT row_to_json(r)::text AS row FROM (SELECT * FROM "recommendations"
        WHERE "userId" = $1 AND ("appliedAt" IS NOT NULL OR "dismissedAt" IS NULL
            OR "dismissedAt" >= now() - interval '30 days')
        ORDER BY "priorityScore" DESC, "createdAt", "id") r"#,
];

/// One endpoint query to EXPLAIN, with its parameters inlined.
pub struct Explained {
    /// Short name (file name of the captured plan).
    pub name: &'static str,
    /// SQL with `{user}`, `{start}` and `{end}` placeholders.
    pub sql: &'static str,
}

/// Every query the three GET endpoints run.
pub const ENDPOINT_QUERIES: [Explained; 7] = [
    Explained {
        name: "evolution_patterns_overlapping",
        sql: r#"SELECT "id", "patternType", "confidence", "evidence", "detectedAt", "lastSeenAt"
            FROM "behavioral_patterns" WHERE "userId" = '{user}'
            AND "lastSeenAt" >= '{start}' AND "detectedAt" <= '{end}'"#,
    },
    Explained {
        name: "effectiveness_active_configs",
        sql: r#"SELECT * FROM "personalization_configs" WHERE "userId" = '{user}' AND "isActive" = true
            ORDER BY "createdAt", "id""#,
    },
    Explained {
        name: "effectiveness_rows_in_window",
        sql: r#"SELECT * FROM "personalization_effectiveness" WHERE "userId" = '{user}'
            AND "startDate" >= '{start}' AND "endDate" <= '{end}' ORDER BY "startDate", "id""#,
    },
    Explained {
        name: "engine_patterns",
        sql: r#"SELECT * FROM "behavioral_patterns" WHERE "userId" = '{user}' AND "confidence" >= 0.7
            ORDER BY "confidence" DESC, "id" LIMIT 10"#,
    },
    Explained {
        name: "engine_insights",
        sql: r#"SELECT * FROM "behavioral_insights" WHERE "userId" = '{user}' AND "acknowledgedAt" IS NULL
            AND "confidence" >= 0.7 ORDER BY "confidence" DESC, "id" LIMIT 10"#,
    },
    Explained {
        name: "engine_interventions",
        sql: r#"SELECT * FROM "intervention_recommendations" WHERE "userId" = '{user}'
            AND "status" = 'PENDING' ORDER BY "priority" DESC, "id" LIMIT 5"#,
    },
    Explained {
        name: "engine_recommendations",
        sql: r#"SELECT * FROM "recommendations" WHERE "userId" = '{user}' AND ("appliedAt" IS NOT NULL
            OR "dismissedAt" IS NULL OR "dismissedAt" >= '{start}')
            ORDER BY "priorityScore" DESC, "createdAt", "id""#,
    },
];

/// Names of our read indexes, as the store reads them from its migration text. The unique
/// partial index is kept: generation depends on it.
pub fn our_read_indexes() -> Vec<String> {
    insights_store::postgres_indexes()
        .filter(|index| !index.unique)
        .map(|index| index.name.to_owned())
        .collect()
}

DROP TABLE IF EXISTS "insight_patterns";

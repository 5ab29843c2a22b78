-- GET …/patterns/evolution: "userId" = $1 AND "lastSeenAt" >= $start AND "detectedAt" <= $end,
-- selecting id, "patternType", confidence, evidence, "detectedAt", "lastSeenAt".
-- The HEAD schema's ("userId", "lastSeenAt") index finds the rows, but each one (≈ 180 for a
-- 12-week window on `original-scale`, 3,087 for `heavy-user`) is then fetched from the heap.
-- Carrying the selected columns in the index makes it an index-only scan (the visibility map,
-- kept by autovacuum, lets PostgreSQL skip the heap). Measured on `original-scale`
-- (docs/performance.md, 2026-12-02): PostgreSQL alone answered the query 35–40 % more often
-- (pgbench), and the endpoint, cache off, served 3,289 vs 2,823 req/s (mean of five alternated
-- rounds, higher and with a lower p99 in each).
CREATE INDEX IF NOT EXISTS "insights_patterns_user_timeline_idx" ON "behavioral_patterns" ("userId", "lastSeenAt") INCLUDE ("detectedAt", "patternType", "confidence", "id", "evidence");

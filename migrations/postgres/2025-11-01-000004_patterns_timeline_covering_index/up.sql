-- GET …/patterns/evolution: "userId" = $1 AND "lastSeenAt" >= $start AND "detectedAt" <= $end,
-- selecting id, "patternType", confidence, evidence, "detectedAt", "lastSeenAt".
-- The HEAD schema's ("userId", "lastSeenAt") index finds the rows but every one of them (≈ 300
-- a user on `original-scale`, thousands for a heavy user) is then fetched from the heap.
-- Carrying the selected columns in the index makes it an index-only scan: PostgreSQL alone
-- answered the query 40 % more often (pgbench, 5.7 k → 8.0 k tps) and the endpoint served
-- 11 % more requests with a lower p99 (docs/performance.md, 2026-12-02 AMD run).
CREATE INDEX IF NOT EXISTS "insights_patterns_user_timeline_idx" ON "behavioral_patterns" ("userId", "lastSeenAt") INCLUDE ("detectedAt", "patternType", "confidence", "id", "evidence");

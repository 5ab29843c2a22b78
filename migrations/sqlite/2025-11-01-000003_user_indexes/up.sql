-- Per-user indexes for the two engine reads whose filter is a bound parameter
-- ("status" = ?, "dismissedAt" >= ?). SQLite's planner cannot use a partial index whose
-- WHERE clause depends on a bound value, so without these it scanned the whole table on
-- every recommendations request (measured: 47 req/s with the cache off on `typical`). The
-- HEAD Prisma schema has the same two indexes on PostgreSQL.
CREATE INDEX IF NOT EXISTS "intervention_recommendations_userId_idx" ON "intervention_recommendations" ("userId");
CREATE INDEX IF NOT EXISTS "recommendations_userId_idx" ON "recommendations" ("userId");

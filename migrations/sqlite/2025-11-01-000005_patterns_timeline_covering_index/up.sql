-- The evolution query's covering index (see migrations/postgres/…000004): SQLite has no
-- INCLUDE, so the selected columns are trailing key columns. It replaces the
-- ("userId", "lastSeenAt") index of 000002, which is its prefix.
CREATE INDEX IF NOT EXISTS "insights_patterns_user_timeline_idx" ON "behavioral_patterns" ("userId", "lastSeenAt", "detectedAt", "patternType", "confidence", "id", "evidence");
DROP INDEX IF EXISTS "insights_patterns_user_lastseen_idx";

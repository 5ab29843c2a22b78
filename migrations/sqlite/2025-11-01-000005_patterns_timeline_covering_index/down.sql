CREATE INDEX IF NOT EXISTS "insights_patterns_user_lastseen_idx" ON "behavioral_patterns" ("userId", "lastSeenAt");
DROP INDEX IF EXISTS "insights_patterns_user_timeline_idx";

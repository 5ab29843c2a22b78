DROP INDEX IF EXISTS "insights_patterns_user_timeline_idx";

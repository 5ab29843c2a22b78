-- Restores the index an earlier 000002 created.
CREATE INDEX IF NOT EXISTS "insights_recommendations_user_closed_idx" ON "recommendations" ("userId") WHERE "appliedAt" IS NOT NULL OR "dismissedAt" IS NOT NULL;

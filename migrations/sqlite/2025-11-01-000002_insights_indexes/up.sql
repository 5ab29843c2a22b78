-- The same query-derived indexes as migrations/postgres/…_insights_indexes (see the comments
-- there); SQLite has no INCLUDE or DESC-ordered use that matters here.
CREATE INDEX "insights_patterns_user_lastseen_idx" ON "behavioral_patterns" ("userId", "lastSeenAt");
CREATE INDEX "insights_patterns_user_confidence_idx" ON "behavioral_patterns" ("userId", "confidence");
CREATE INDEX "insights_insights_user_unack_confidence_idx" ON "behavioral_insights" ("userId", "confidence") WHERE "acknowledgedAt" IS NULL;
CREATE INDEX "insights_interventions_user_pending_priority_idx" ON "intervention_recommendations" ("userId", "priority") WHERE "status" = 'PENDING';
CREATE UNIQUE INDEX "insights_recommendations_active_unique_idx" ON "recommendations" ("userId", "recommendationType", "title") WHERE "appliedAt" IS NULL AND "dismissedAt" IS NULL;
CREATE INDEX "insights_configs_user_active_idx" ON "personalization_configs" ("userId") WHERE "isActive";
CREATE INDEX "insights_effectiveness_user_start_idx" ON "personalization_effectiveness" ("userId", "startDate", "endDate");
CREATE INDEX "insights_sessions_user_started_idx" ON "study_sessions" ("userId", "startedAt");

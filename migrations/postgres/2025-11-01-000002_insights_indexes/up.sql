-- Indexes derived from the queries this service actually runs (crates/store/src/queries).
-- Each names the query it serves. IF NOT EXISTS so the file can also be applied by hand to a
-- database of the original application (`insights indexes` prints it).

-- GET …/patterns/evolution: "userId" = $1 AND "lastSeenAt" >= $start AND "detectedAt" <= $end.
-- Served by the HEAD schema's own "behavioral_patterns_userId_lastSeenAt_idx" (the lastSeenAt
-- range is the selective side for recent windows); a wider (userId, lastSeenAt, detectedAt)
-- index was measured and the planner preferred the existing one, so none is added.

-- Engine input 1: "userId" = $1 AND confidence >= 0.7 ORDER BY confidence DESC LIMIT 10,
-- and the apply baseline avg(confidence) (index-only).
CREATE INDEX IF NOT EXISTS "insights_patterns_user_confidence_idx"
    ON "behavioral_patterns" ("userId", "confidence" DESC);

-- Engine input 2: unacknowledged insights by confidence.
CREATE INDEX IF NOT EXISTS "insights_insights_user_unack_confidence_idx"
    ON "behavioral_insights" ("userId", "confidence" DESC) WHERE "acknowledgedAt" IS NULL;

-- Engine input 3: pending interventions by priority.
CREATE INDEX IF NOT EXISTS "insights_interventions_user_pending_priority_idx"
    ON "intervention_recommendations" ("userId", "priority" DESC) WHERE "status" = 'PENDING';

-- Engine input 4 and the idempotent generation: at most one ACTIVE recommendation per
-- (user, type, title). The multi-row INSERT … ON CONFLICT DO NOTHING relies on it. The engine's
-- read of a user's recommendations (active, applied and recently dismissed ones in one
-- statement) is served by the HEAD schema's "recommendations_userId_idx" (≈20 rows a user).
CREATE UNIQUE INDEX IF NOT EXISTS "insights_recommendations_active_unique_idx"
    ON "recommendations" ("userId", "recommendationType", "title")
    WHERE "appliedAt" IS NULL AND "dismissedAt" IS NULL;

-- GET …/personalization/effectiveness: active configs of a user.
CREATE INDEX IF NOT EXISTS "insights_configs_user_active_idx"
    ON "personalization_configs" ("userId") WHERE "isActive";

-- GET …/personalization/effectiveness: "userId" = $1 AND "startDate" >= $s AND "endDate" <= $e
-- ORDER BY "startDate" (the original had no index for this at all).
CREATE INDEX IF NOT EXISTS "insights_effectiveness_user_start_idx"
    ON "personalization_effectiveness" ("userId", "startDate") INCLUDE ("endDate");

-- Apply baseline: sessions of a user started in the last 7 days.
CREATE INDEX IF NOT EXISTS "insights_sessions_user_started_idx"
    ON "study_sessions" ("userId", "startedAt");

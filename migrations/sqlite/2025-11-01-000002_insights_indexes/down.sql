DROP INDEX "insights_patterns_user_lastseen_idx";
DROP INDEX "insights_patterns_user_confidence_idx";
DROP INDEX "insights_insights_user_unack_confidence_idx";
DROP INDEX "insights_interventions_user_pending_priority_idx";
DROP INDEX "insights_recommendations_active_unique_idx";
DROP INDEX IF EXISTS "insights_recommendations_user_closed_idx";
DROP INDEX "insights_configs_user_active_idx";
DROP INDEX "insights_effectiveness_user_start_idx";
DROP INDEX "insights_sessions_user_started_idx";

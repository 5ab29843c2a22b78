DROP INDEX IF EXISTS "recommendations_userId_idx";
DROP INDEX IF EXISTS "intervention_recommendations_userId_idx";

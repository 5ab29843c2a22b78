-- Until 2026-12-01 migration 000002 also created "insights_recommendations_user_closed_idx"
-- for a separate read of a user's closed recommendations. That read is now part of one read of
-- all the user's recommendations (crates/store/src/queries/recommendations.rs), which the
-- per-user index serves, so the partial index only cost writes. 000002 no longer creates it;
-- this drops it where an earlier 000002 did.
DROP INDEX IF EXISTS "insights_recommendations_user_closed_idx";

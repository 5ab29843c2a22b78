-- GET …/patterns/evolution: "userId" = ? AND "lastSeenAt" >= ? AND "detectedAt" <= ?, selecting
-- id, "patternType", confidence, evidence, "detectedAt", "lastSeenAt". With every selected
-- column in the index SQLite answers from the index alone (`USING COVERING INDEX`): +19 %
-- requests/s on `typical` in alternated rounds (docs/performance.md, 2026-12-02). SQLite stores
-- index entries of any size (overflow pages), so long evidence arrays stay insertable. It
-- replaces the ("userId", "lastSeenAt") index of 000002, which is its prefix.
--
-- PostgreSQL has no such migration: a B-tree entry there must fit in a third of a page
-- (2,704 bytes after compression), so INCLUDE ("evidence") would make inserting a pattern with
-- long evidence fail — in the original application too, on a shared database.
CREATE INDEX IF NOT EXISTS "insights_patterns_user_timeline_idx" ON "behavioral_patterns" ("userId", "lastSeenAt", "detectedAt", "patternType", "confidence", "id", "evidence");
DROP INDEX IF EXISTS "insights_patterns_user_lastseen_idx";

-- The original application's link table between an insight and the patterns it was drawn
-- from, as on PostgreSQL (migrations/postgres/…000006). This service never reads or writes it.
-- (SQLite has no migration 000005 counterpart of PostgreSQL's: its covering index of 000005
-- stays, since SQLite stores index entries of any size.)
CREATE TABLE IF NOT EXISTS "insight_patterns" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "insightId" TEXT NOT NULL REFERENCES "behavioral_insights"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    "patternId" TEXT NOT NULL REFERENCES "behavioral_patterns"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "insight_patterns_insightId_patternId_key" ON "insight_patterns"("insightId", "patternId");
CREATE INDEX IF NOT EXISTS "insight_patterns_insightId_idx" ON "insight_patterns"("insightId");
CREATE INDEX IF NOT EXISTS "insight_patterns_patternId_idx" ON "insight_patterns"("patternId");

-- The original application's link table between an insight and the patterns it was drawn
-- from (Prisma model InsightPattern). This service never reads or writes it; it is created so
-- that the original application also runs on a database our migrations created. Names follow
-- Prisma's convention, like 000001. IF NOT EXISTS: a database the original created has it.
CREATE TABLE IF NOT EXISTS "insight_patterns" (
    "id" TEXT NOT NULL,
    "insightId" TEXT NOT NULL,
    "patternId" TEXT NOT NULL,
    CONSTRAINT "insight_patterns_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "insight_patterns_insightId_fkey" FOREIGN KEY ("insightId") REFERENCES "behavioral_insights"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "insight_patterns_patternId_fkey" FOREIGN KEY ("patternId") REFERENCES "behavioral_patterns"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS "insight_patterns_insightId_patternId_key" ON "insight_patterns"("insightId", "patternId");
CREATE INDEX IF NOT EXISTS "insight_patterns_insightId_idx" ON "insight_patterns"("insightId");
CREATE INDEX IF NOT EXISTS "insight_patterns_patternId_idx" ON "insight_patterns"("patternId");

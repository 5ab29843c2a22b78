-- The original application's `personalization_preferences."lastResetAt"`, as on PostgreSQL
-- (migrations/postgres/…000007): UTC TEXT like every timestamp here, NULL until a reset. This
-- service never reads or writes it.
ALTER TABLE "personalization_preferences" ADD COLUMN "lastResetAt" TEXT;

-- The original application's `personalization_preferences."lastResetAt"` (when the user last
-- reset their personalization; NULL until then). This service never reads or writes it; it is
-- added so that the original application also runs on a database our migrations created.
ALTER TABLE "personalization_preferences" ADD COLUMN IF NOT EXISTS "lastResetAt" TIMESTAMP(3);

ALTER TABLE "personalization_preferences" DROP COLUMN IF EXISTS "lastResetAt";

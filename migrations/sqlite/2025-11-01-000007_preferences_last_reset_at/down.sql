ALTER TABLE "personalization_preferences" DROP COLUMN "lastResetAt";

-- The original application's current Prisma shape for every table the API
-- touches: quoted camelCase columns, Postgres enum types, text[], jsonb and timestamp(3) holding
-- UTC. Index names follow Prisma's convention so an existing database compares equal.
-- Foreign keys to tables this service never reads (missions, struggle_predictions) are omitted.

CREATE TYPE "BehavioralPatternType" AS ENUM ('OPTIMAL_STUDY_TIME', 'SESSION_DURATION_PREFERENCE', 'CONTENT_TYPE_PREFERENCE', 'PERFORMANCE_PEAK', 'ATTENTION_CYCLE', 'FORGETTING_CURVE');
CREATE TYPE "InsightType" AS ENUM ('STUDY_TIME_OPTIMIZATION', 'SESSION_LENGTH_ADJUSTMENT', 'CONTENT_PREFERENCE', 'RETENTION_STRATEGY');
CREATE TYPE "InterventionType" AS ENUM ('PREREQUISITE_REVIEW', 'DIFFICULTY_PROGRESSION', 'SPACING_ADJUSTMENT', 'CONTENT_VARIATION', 'BREAK_RECOMMENDATION', 'FOCUS_SESSION', 'CONTENT_FORMAT_ADAPT', 'COGNITIVE_LOAD_REDUCE', 'SPACED_REPETITION_BOOST', 'BREAK_SCHEDULE_ADJUST');
CREATE TYPE "InterventionStatus" AS ENUM ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'SKIPPED', 'FAILED');
CREATE TYPE "RecommendationType" AS ENUM ('STUDY_TIME_OPTIMIZATION', 'SESSION_DURATION_ADJUSTMENT', 'CONTENT_TYPE_BALANCE', 'RETENTION_STRATEGY', 'CONSISTENCY_BUILDING', 'EXPERIMENTAL_SUGGESTION');
CREATE TYPE "RecommendationStatus" AS ENUM ('PENDING', 'VIEWED', 'DISMISSED', 'RATED');
CREATE TYPE "ApplicationType" AS ENUM ('AUTO', 'MANUAL', 'REMINDER', 'GOAL');
CREATE TYPE "PersonalizationContext" AS ENUM ('MISSION', 'CONTENT', 'ASSESSMENT', 'SESSION');
CREATE TYPE "PersonalizationLevel" AS ENUM ('NONE', 'LOW', 'MEDIUM', 'HIGH');

CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT,
    "name" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "autoGenerateMissions" BOOLEAN NOT NULL DEFAULT true,
    "defaultMissionMinutes" INTEGER NOT NULL DEFAULT 50,
    "missionDifficulty" TEXT NOT NULL DEFAULT 'AUTO',
    "preferredStudyTime" TEXT,
    "includeInAnalytics" BOOLEAN NOT NULL DEFAULT true,
    "performanceTrackingEnabled" BOOLEAN NOT NULL DEFAULT true,
    "lastMissionAdaptation" TIMESTAMP(3),
    "behavioralAnalysisEnabled" BOOLEAN NOT NULL DEFAULT true,
    "learningStyleProfilingEnabled" BOOLEAN NOT NULL DEFAULT true,
    "shareAnonymizedPatterns" BOOLEAN NOT NULL DEFAULT false,
    "sharePeerCalibrationData" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

CREATE TABLE "behavioral_patterns" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "patternType" "BehavioralPatternType" NOT NULL,
    "patternData" JSONB NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "firstDetectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "patternName" TEXT,
    "evidence" TEXT[],
    "occurrenceCount" INTEGER NOT NULL DEFAULT 0,
    "detectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "behavioral_patterns_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "behavioral_patterns_userId_idx" ON "behavioral_patterns"("userId");
CREATE INDEX "behavioral_patterns_patternType_idx" ON "behavioral_patterns"("patternType");
CREATE INDEX "behavioral_patterns_confidence_idx" ON "behavioral_patterns"("confidence");
CREATE INDEX "behavioral_patterns_occurrenceCount_idx" ON "behavioral_patterns"("occurrenceCount");
CREATE INDEX "behavioral_patterns_detectedAt_idx" ON "behavioral_patterns"("detectedAt");
CREATE INDEX "behavioral_patterns_userId_patternType_confidence_idx" ON "behavioral_patterns"("userId", "patternType", "confidence");
CREATE INDEX "behavioral_patterns_userId_lastSeenAt_idx" ON "behavioral_patterns"("userId", "lastSeenAt");

CREATE TABLE "behavioral_insights" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "insightType" "InsightType" NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "actionableRecommendation" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMP(3),
    "applied" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "behavioral_insights_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "behavioral_insights_userId_idx" ON "behavioral_insights"("userId");
CREATE INDEX "behavioral_insights_createdAt_idx" ON "behavioral_insights"("createdAt");
CREATE INDEX "behavioral_insights_acknowledgedAt_idx" ON "behavioral_insights"("acknowledgedAt");

CREATE TABLE "intervention_recommendations" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "predictionId" TEXT,
    "interventionType" "InterventionType" NOT NULL,
    "description" TEXT NOT NULL,
    "reasoning" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 5,
    "status" "InterventionStatus" NOT NULL DEFAULT 'PENDING',
    "relatedObjectiveId" TEXT,
    "appliedToMissionId" TEXT,
    "appliedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledgedAt" TIMESTAMP(3),
    CONSTRAINT "intervention_recommendations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "intervention_recommendations_userId_idx" ON "intervention_recommendations"("userId");
CREATE INDEX "intervention_recommendations_predictionId_idx" ON "intervention_recommendations"("predictionId");
CREATE INDEX "intervention_recommendations_status_idx" ON "intervention_recommendations"("status");
CREATE INDEX "intervention_recommendations_priority_idx" ON "intervention_recommendations"("priority");

CREATE TABLE "recommendations" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "recommendationType" "RecommendationType" NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "actionableText" TEXT NOT NULL,
    "confidence" DOUBLE PRECISION NOT NULL,
    "estimatedImpact" DOUBLE PRECISION NOT NULL,
    "easeOfImplementation" DOUBLE PRECISION NOT NULL,
    "userReadiness" DOUBLE PRECISION NOT NULL,
    "priorityScore" DOUBLE PRECISION NOT NULL,
    "status" "RecommendationStatus" NOT NULL DEFAULT 'PENDING',
    "sourcePatternIds" TEXT[],
    "sourceInsightIds" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "appliedAt" TIMESTAMP(3),
    "dismissedAt" TIMESTAMP(3),
    CONSTRAINT "recommendations_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "recommendations_userId_idx" ON "recommendations"("userId");
CREATE INDEX "recommendations_status_idx" ON "recommendations"("status");
CREATE INDEX "recommendations_recommendationType_idx" ON "recommendations"("recommendationType");
CREATE INDEX "recommendations_priorityScore_idx" ON "recommendations"("priorityScore");
CREATE INDEX "recommendations_userId_status_priorityScore_idx" ON "recommendations"("userId", "status", "priorityScore");
CREATE INDEX "recommendations_userId_createdAt_idx" ON "recommendations"("userId", "createdAt");

CREATE TABLE "applied_recommendations" (
    "id" TEXT NOT NULL,
    "recommendationId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "applicationType" "ApplicationType" NOT NULL,
    "baselineMetrics" JSONB NOT NULL,
    "currentMetrics" JSONB,
    "effectiveness" DOUBLE PRECISION,
    "appliedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "evaluatedAt" TIMESTAMP(3),
    CONSTRAINT "applied_recommendations_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "applied_recommendations_recommendationId_fkey" FOREIGN KEY ("recommendationId") REFERENCES "recommendations"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "applied_recommendations_userId_idx" ON "applied_recommendations"("userId");
CREATE INDEX "applied_recommendations_recommendationId_idx" ON "applied_recommendations"("recommendationId");
CREATE INDEX "applied_recommendations_applicationType_idx" ON "applied_recommendations"("applicationType");

CREATE TABLE "user_learning_profiles" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "preferredStudyTimes" JSONB NOT NULL,
    "averageSessionDuration" INTEGER NOT NULL,
    "optimalSessionDuration" INTEGER NOT NULL,
    "contentPreferences" JSONB NOT NULL,
    "learningStyleProfile" JSONB NOT NULL,
    "personalizedForgettingCurve" JSONB NOT NULL,
    "lastAnalyzedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dataQualityScore" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
    CONSTRAINT "user_learning_profiles_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "user_learning_profiles_userId_key" ON "user_learning_profiles"("userId");
CREATE INDEX "user_learning_profiles_userId_idx" ON "user_learning_profiles"("userId");

CREATE TABLE "study_sessions" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "missionId" TEXT,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "durationMs" INTEGER,
    "reviewsCompleted" INTEGER NOT NULL DEFAULT 0,
    "newCardsStudied" INTEGER NOT NULL DEFAULT 0,
    "sessionNotes" TEXT,
    "currentObjectiveIndex" INTEGER NOT NULL DEFAULT 0,
    "missionObjectives" JSONB,
    "objectiveCompletions" JSONB,
    CONSTRAINT "study_sessions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "study_sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "study_sessions_userId_idx" ON "study_sessions"("userId");
CREATE INDEX "study_sessions_startedAt_idx" ON "study_sessions"("startedAt");

CREATE TABLE "personalization_preferences" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "personalizationLevel" "PersonalizationLevel" NOT NULL DEFAULT 'MEDIUM',
    "missionPersonalizationEnabled" BOOLEAN NOT NULL DEFAULT true,
    "contentPersonalizationEnabled" BOOLEAN NOT NULL DEFAULT true,
    "assessmentPersonalizationEnabled" BOOLEAN NOT NULL DEFAULT true,
    "sessionPersonalizationEnabled" BOOLEAN NOT NULL DEFAULT true,
    "autoAdaptEnabled" BOOLEAN NOT NULL DEFAULT true,
    "disabledFeatures" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "personalization_preferences_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "personalization_preferences_userId_key" ON "personalization_preferences"("userId");

CREATE TABLE "personalization_configs" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "preferencesId" TEXT NOT NULL,
    "context" "PersonalizationContext" NOT NULL,
    "strategyVariant" TEXT NOT NULL,
    "missionPersonalization" JSONB,
    "contentPersonalization" JSONB,
    "assessmentPersonalization" JSONB,
    "sessionPersonalization" JSONB,
    "effectivenessScore" DOUBLE PRECISION,
    "confidenceScore" DOUBLE PRECISION NOT NULL DEFAULT 0.7,
    "timesSelected" INTEGER NOT NULL DEFAULT 0,
    "totalReward" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "avgReward" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "activatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deactivatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "personalization_configs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "personalization_configs_preferencesId_fkey" FOREIGN KEY ("preferencesId") REFERENCES "personalization_preferences"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "personalization_configs_userId_idx" ON "personalization_configs"("userId");
CREATE INDEX "personalization_configs_context_idx" ON "personalization_configs"("context");
CREATE INDEX "personalization_configs_strategyVariant_idx" ON "personalization_configs"("strategyVariant");
CREATE INDEX "personalization_configs_isActive_idx" ON "personalization_configs"("isActive");
CREATE INDEX "personalization_configs_userId_context_isActive_idx" ON "personalization_configs"("userId", "context", "isActive");
CREATE INDEX "personalization_configs_userId_avgReward_idx" ON "personalization_configs"("userId", "avgReward");

CREATE TABLE "personalization_effectiveness" (
    "id" TEXT NOT NULL,
    "configId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "startDate" TIMESTAMP(3) NOT NULL,
    "endDate" TIMESTAMP(3) NOT NULL,
    "retentionImprovement" DOUBLE PRECISION,
    "performanceImprovement" DOUBLE PRECISION,
    "completionRateChange" DOUBLE PRECISION,
    "engagementChange" DOUBLE PRECISION,
    "sampleSize" INTEGER NOT NULL,
    "correlation" DOUBLE PRECISION,
    "pValue" DOUBLE PRECISION,
    "confidenceInterval" JSONB,
    "compositeScore" DOUBLE PRECISION NOT NULL,
    "isStatisticallySignificant" BOOLEAN NOT NULL DEFAULT false,
    "calculatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "personalization_effectiveness_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "personalization_effectiveness_configId_fkey" FOREIGN KEY ("configId") REFERENCES "personalization_configs"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "personalization_effectiveness_userId_idx" ON "personalization_effectiveness"("userId");
CREATE INDEX "personalization_effectiveness_configId_idx" ON "personalization_effectiveness"("configId");
CREATE INDEX "personalization_effectiveness_startDate_endDate_idx" ON "personalization_effectiveness"("startDate", "endDate");

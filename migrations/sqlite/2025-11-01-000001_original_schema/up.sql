-- Embedded (SQLite) form of the original's tables: same table and column names; enums as TEXT
-- (checked), text[] and jsonb as JSON TEXT, timestamps as UTC TEXT written by the store,
-- booleans as INTEGER 0/1. Only the columns this service reads or writes, plus the NOT NULL ones.

CREATE TABLE "users" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT UNIQUE,
    "name" TEXT,
    "createdAt" TEXT NOT NULL,
    "updatedAt" TEXT NOT NULL
);

CREATE TABLE "behavioral_patterns" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "patternType" TEXT NOT NULL CHECK ("patternType" IN ('OPTIMAL_STUDY_TIME', 'SESSION_DURATION_PREFERENCE', 'CONTENT_TYPE_PREFERENCE', 'PERFORMANCE_PEAK', 'ATTENTION_CYCLE', 'FORGETTING_CURVE')),
    "patternData" TEXT NOT NULL,
    "confidence" REAL NOT NULL,
    "firstDetectedAt" TEXT NOT NULL,
    "lastSeenAt" TEXT NOT NULL,
    "patternName" TEXT,
    "evidence" TEXT,
    "occurrenceCount" INTEGER NOT NULL DEFAULT 0,
    "detectedAt" TEXT NOT NULL
);
CREATE INDEX "behavioral_patterns_userId_idx" ON "behavioral_patterns"("userId");

CREATE TABLE "behavioral_insights" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "insightType" TEXT NOT NULL CHECK ("insightType" IN ('STUDY_TIME_OPTIMIZATION', 'SESSION_LENGTH_ADJUSTMENT', 'CONTENT_PREFERENCE', 'RETENTION_STRATEGY')),
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "actionableRecommendation" TEXT NOT NULL,
    "confidence" REAL NOT NULL,
    "createdAt" TEXT NOT NULL,
    "acknowledgedAt" TEXT,
    "applied" INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE "intervention_recommendations" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "predictionId" TEXT,
    "interventionType" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "reasoning" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 5,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "relatedObjectiveId" TEXT,
    "appliedToMissionId" TEXT,
    "appliedAt" TEXT,
    "createdAt" TEXT NOT NULL,
    "acknowledgedAt" TEXT
);

CREATE TABLE "recommendations" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "recommendationType" TEXT NOT NULL CHECK ("recommendationType" IN ('STUDY_TIME_OPTIMIZATION', 'SESSION_DURATION_ADJUSTMENT', 'CONTENT_TYPE_BALANCE', 'RETENTION_STRATEGY', 'CONSISTENCY_BUILDING', 'EXPERIMENTAL_SUGGESTION')),
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "actionableText" TEXT NOT NULL,
    "confidence" REAL NOT NULL,
    "estimatedImpact" REAL NOT NULL,
    "easeOfImplementation" REAL NOT NULL,
    "userReadiness" REAL NOT NULL,
    "priorityScore" REAL NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "sourcePatternIds" TEXT,
    "sourceInsightIds" TEXT,
    "createdAt" TEXT NOT NULL,
    "appliedAt" TEXT,
    "dismissedAt" TEXT
);

CREATE TABLE "applied_recommendations" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "recommendationId" TEXT NOT NULL REFERENCES "recommendations"("id") ON DELETE CASCADE,
    "userId" TEXT NOT NULL,
    "applicationType" TEXT NOT NULL CHECK ("applicationType" IN ('AUTO', 'MANUAL', 'REMINDER', 'GOAL')),
    "baselineMetrics" TEXT NOT NULL,
    "currentMetrics" TEXT,
    "effectiveness" REAL,
    "appliedAt" TEXT NOT NULL,
    "evaluatedAt" TEXT
);
CREATE INDEX "applied_recommendations_recommendationId_idx" ON "applied_recommendations"("recommendationId");

CREATE TABLE "user_learning_profiles" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL UNIQUE,
    "preferredStudyTimes" TEXT NOT NULL,
    "averageSessionDuration" INTEGER NOT NULL,
    "optimalSessionDuration" INTEGER NOT NULL,
    "contentPreferences" TEXT NOT NULL,
    "learningStyleProfile" TEXT NOT NULL,
    "personalizedForgettingCurve" TEXT NOT NULL,
    "lastAnalyzedAt" TEXT NOT NULL,
    "dataQualityScore" REAL NOT NULL DEFAULT 0.0
);

CREATE TABLE "study_sessions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
    "missionId" TEXT,
    "startedAt" TEXT NOT NULL,
    "completedAt" TEXT,
    "durationMs" INTEGER,
    "reviewsCompleted" INTEGER NOT NULL DEFAULT 0,
    "newCardsStudied" INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE "personalization_preferences" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL UNIQUE,
    "personalizationLevel" TEXT NOT NULL DEFAULT 'MEDIUM',
    "createdAt" TEXT NOT NULL,
    "updatedAt" TEXT NOT NULL
);

CREATE TABLE "personalization_configs" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "preferencesId" TEXT NOT NULL REFERENCES "personalization_preferences"("id") ON DELETE CASCADE,
    "context" TEXT NOT NULL CHECK ("context" IN ('MISSION', 'CONTENT', 'ASSESSMENT', 'SESSION')),
    "strategyVariant" TEXT NOT NULL,
    "confidenceScore" REAL NOT NULL DEFAULT 0.7,
    "isActive" INTEGER NOT NULL DEFAULT 1,
    "activatedAt" TEXT NOT NULL,
    "createdAt" TEXT NOT NULL,
    "updatedAt" TEXT NOT NULL
);

CREATE TABLE "personalization_effectiveness" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "configId" TEXT NOT NULL REFERENCES "personalization_configs"("id") ON DELETE CASCADE,
    "userId" TEXT NOT NULL,
    "startDate" TEXT NOT NULL,
    "endDate" TEXT NOT NULL,
    "retentionImprovement" REAL,
    "performanceImprovement" REAL,
    "completionRateChange" REAL,
    "engagementChange" REAL,
    "sampleSize" INTEGER NOT NULL,
    "correlation" REAL,
    "pValue" REAL,
    "compositeScore" REAL NOT NULL,
    "isStatisticallySignificant" INTEGER NOT NULL DEFAULT 0,
    "calculatedAt" TEXT NOT NULL
);

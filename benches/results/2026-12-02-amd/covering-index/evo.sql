\set u random(0, 999)
SELECT id, "patternType", confidence, evidence, "detectedAt", "lastSeenAt" FROM behavioral_patterns WHERE "userId" = 'user-' || lpad(:u::text, 5, '0') AND "lastSeenAt" >= (now() - interval '84 days')::timestamp AND "detectedAt" <= now()::timestamp;

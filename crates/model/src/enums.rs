//! The original application's enums, each with its exact wire name (the Postgres enum label,
//! the JSON string).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;

/// Declares a closed enum whose variants serialise as their SCREAMING_CASE wire names, in
/// declaration order (which is also the Postgres enum order used by `ORDER BY`).
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Every wire name, in declaration order (for schemas and documents).
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// The exact wire name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ModelError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    other => Err(ModelError::UnknownVariant {
                        kind: stringify!($name),
                        value: other.to_owned(),
                    }),
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                raw.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

wire_enum! {
    /// `BehavioralPatternType`: what a detected behavioral pattern describes.
    PatternType {
        /// Hours of the day with the best performance.
        OptimalStudyTime => "OPTIMAL_STUDY_TIME",
        /// The session length with the best completion.
        SessionDurationPreference => "SESSION_DURATION_PREFERENCE",
        /// The content type the user learns best from.
        ContentTypePreference => "CONTENT_TYPE_PREFERENCE",
        /// Peak performance periods.
        PerformancePeak => "PERFORMANCE_PEAK",
        /// Attention rises and falls within a session.
        AttentionCycle => "ATTENTION_CYCLE",
        /// The user's personal forgetting curve.
        ForgettingCurve => "FORGETTING_CURVE",
    }
}

wire_enum! {
    /// `InsightType`: the subject of a behavioral insight.
    InsightType {
        /// When to study.
        StudyTimeOptimization => "STUDY_TIME_OPTIMIZATION",
        /// How long to study.
        SessionLengthAdjustment => "SESSION_LENGTH_ADJUSTMENT",
        /// What to study with.
        ContentPreference => "CONTENT_PREFERENCE",
        /// How to retain.
        RetentionStrategy => "RETENTION_STRATEGY",
    }
}

wire_enum! {
    /// `InterventionType`: what a struggle-prediction intervention proposes.
    InterventionType {
        /// Review prerequisites first.
        PrerequisiteReview => "PREREQUISITE_REVIEW",
        /// Step difficulty up gradually.
        DifficultyProgression => "DIFFICULTY_PROGRESSION",
        /// Change the review spacing.
        SpacingAdjustment => "SPACING_ADJUSTMENT",
        /// Vary the content.
        ContentVariation => "CONTENT_VARIATION",
        /// Take a break.
        BreakRecommendation => "BREAK_RECOMMENDATION",
        /// A focused session.
        FocusSession => "FOCUS_SESSION",
        /// Adapt the content format.
        ContentFormatAdapt => "CONTENT_FORMAT_ADAPT",
        /// Reduce cognitive load.
        CognitiveLoadReduce => "COGNITIVE_LOAD_REDUCE",
        /// More spaced repetition.
        SpacedRepetitionBoost => "SPACED_REPETITION_BOOST",
        /// Change the break schedule.
        BreakScheduleAdjust => "BREAK_SCHEDULE_ADJUST",
    }
}

wire_enum! {
    /// `InterventionStatus`: where an intervention stands.
    InterventionStatus {
        /// Not acted on yet; the only status the engine reads.
        Pending => "PENDING",
        /// Being acted on.
        InProgress => "IN_PROGRESS",
        /// Done.
        Completed => "COMPLETED",
        /// Skipped by the user.
        Skipped => "SKIPPED",
        /// Tried and failed.
        Failed => "FAILED",
    }
}

wire_enum! {
    /// `RecommendationType`: the kind of a study recommendation.
    RecommendationType {
        /// Study at the best hours.
        StudyTimeOptimization => "STUDY_TIME_OPTIMIZATION",
        /// Change the session length.
        SessionDurationAdjustment => "SESSION_DURATION_ADJUSTMENT",
        /// Rebalance content types.
        ContentTypeBalance => "CONTENT_TYPE_BALANCE",
        /// Review at the right interval.
        RetentionStrategy => "RETENTION_STRATEGY",
        /// Study on more days.
        ConsistencyBuilding => "CONSISTENCY_BUILDING",
        /// Try something new.
        ExperimentalSuggestion => "EXPERIMENTAL_SUGGESTION",
    }
}

impl RecommendationType {
    /// The front end's card category for this type (the original front end reads one, but the
    /// original API never defined it, so this mapping is ours; see docs/compatibility.md).
    pub const fn category(self) -> RecommendationCategory {
        match self {
            RecommendationType::StudyTimeOptimization | RecommendationType::ConsistencyBuilding => {
                RecommendationCategory::Timing
            }
            RecommendationType::SessionDurationAdjustment => RecommendationCategory::Duration,
            RecommendationType::ContentTypeBalance => RecommendationCategory::Content,
            RecommendationType::RetentionStrategy | RecommendationType::ExperimentalSuggestion => {
                RecommendationCategory::Strategy
            }
        }
    }
}

wire_enum! {
    /// `RecommendationStatus` (shared with content recommendations; there is no APPLIED value,
    /// an applied recommendation is one with `appliedAt` set).
    RecommendationStatus {
        /// Created, not acted on.
        Pending => "PENDING",
        /// Seen by the user.
        Viewed => "VIEWED",
        /// Dismissed by the user.
        Dismissed => "DISMISSED",
        /// Rated by the user.
        Rated => "RATED",
    }
}

wire_enum! {
    /// `ApplicationType`: how a recommendation was applied.
    ApplicationType {
        /// The service changes the learning profile itself.
        Auto => "AUTO",
        /// The user applies it by hand.
        Manual => "MANUAL",
        /// A reminder is set.
        Reminder => "REMINDER",
        /// A goal is set.
        Goal => "GOAL",
    }
}

wire_enum! {
    /// `PersonalizationContext`: where a personalization config applies.
    PersonalizationContext {
        /// Daily missions.
        Mission => "MISSION",
        /// Content selection.
        Content => "CONTENT",
        /// Assessments.
        Assessment => "ASSESSMENT",
        /// Study sessions.
        Session => "SESSION",
    }
}

wire_enum! {
    /// The front end's recommendation card category (an addition of ours, not a database enum).
    RecommendationCategory {
        /// When to study.
        Timing => "TIMING",
        /// How long to study.
        Duration => "DURATION",
        /// What to study with.
        Content => "CONTENT",
        /// How hard to study (no type maps here yet; the front end knows the value).
        Difficulty => "DIFFICULTY",
        /// How to study.
        Strategy => "STRATEGY",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_json_and_from_str() {
        for t in PatternType::ALL {
            let json = serde_json::to_string(t).expect("serialise");
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            let back: PatternType = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, *t);
            assert_eq!(t.as_str().parse::<PatternType>().expect("parse"), *t);
        }
    }

    #[test]
    fn unknown_and_lower_case_names_are_rejected() {
        assert!("optimal_study_time".parse::<PatternType>().is_err());
        assert!("".parse::<ApplicationType>().is_err());
        let err = "auto"
            .parse::<ApplicationType>()
            .expect_err("lower case is not a wire name");
        assert!(err.to_string().contains("auto"));
    }

    #[test]
    fn declaration_order_is_the_postgres_enum_order() {
        assert!(PatternType::OptimalStudyTime < PatternType::SessionDurationPreference);
        assert!(PatternType::AttentionCycle < PatternType::ForgettingCurve);
        assert_eq!(PatternType::ALL.len(), 6);
        assert_eq!(InterventionType::ALL.len(), 10);
    }

    #[test]
    fn every_recommendation_type_has_a_front_end_category() {
        use RecommendationCategory as C;
        use RecommendationType as T;
        let expected = [
            (T::StudyTimeOptimization, C::Timing),
            (T::ConsistencyBuilding, C::Timing),
            (T::SessionDurationAdjustment, C::Duration),
            (T::ContentTypeBalance, C::Content),
            (T::RetentionStrategy, C::Strategy),
            (T::ExperimentalSuggestion, C::Strategy),
        ];
        for (t, c) in expected {
            assert_eq!(t.category(), c, "{t}");
        }
    }
}

//! The three data sets every performance figure is measured on (docs/performance.md), as row
//! counts.

use clap::ValueEnum;

/// Which data set to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Workload {
    /// 10,000 ordinary users.
    Typical,
    /// `typical` plus one user (`heavy-user`) with 5,000 patterns and 500 effectiveness rows.
    Heavy,
    /// The volumes the original implementation was measured with (docs/performance.md).
    OriginalScale,
}

/// The id of the one heavy user the `heavy` workload adds.
pub const HEAVY_USER_ID: &str = "heavy-user";

/// Rows generated for one user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Volumes {
    /// `behavioral_patterns` rows.
    pub patterns: usize,
    /// `behavioral_insights` rows.
    pub insights: usize,
    /// `intervention_recommendations` rows.
    pub interventions: usize,
    /// Whether every intervention is PENDING (typical) or statuses are mixed (original-scale).
    pub all_interventions_pending: bool,
    /// `recommendations` rows.
    pub recommendations: usize,
    /// Of those, how many get applied (through the store's apply transaction).
    pub applied: usize,
    /// Of those, how many get dismissed.
    pub dismissed: usize,
    /// `personalization_configs` rows.
    pub configs: usize,
    /// Of those, how many are active.
    pub active_configs: usize,
    /// `personalization_effectiveness` rows.
    pub effectiveness: usize,
    /// Whether effectiveness rows are consecutive weeks (typical) or random periods.
    pub weekly_effectiveness: bool,
    /// `study_sessions` rows.
    pub sessions: usize,
    /// Whether the user has a learning profile.
    pub profile: bool,
}

impl Workload {
    /// Users generated unless `--users` overrides it.
    pub fn default_users(self) -> usize {
        match self {
            Self::Typical | Self::Heavy => 10_000,
            Self::OriginalScale => 1_000,
        }
    }

    /// Per-user volumes of the ordinary users of this workload.
    pub fn per_user(self) -> Volumes {
        match self {
            Self::Typical | Self::Heavy => Volumes {
                patterns: 15,
                insights: 10,
                interventions: 3,
                all_interventions_pending: true,
                recommendations: 20,
                applied: 1,
                dismissed: 2,
                configs: 3,
                active_configs: 2,
                effectiveness: 26,
                weekly_effectiveness: true,
                sessions: 150,
                profile: true,
            },
            Self::OriginalScale => Volumes {
                patterns: 300,
                insights: 50,
                interventions: 10,
                all_interventions_pending: false,
                recommendations: 20,
                applied: 1,
                dismissed: 2,
                configs: 4,
                active_configs: 3,
                effectiveness: 200,
                weekly_effectiveness: false,
                sessions: 500,
                profile: true,
            },
        }
    }

    /// Volumes of the extra heavy user, when this workload has one.
    pub fn heavy_user(self) -> Option<Volumes> {
        match self {
            Self::Heavy => Some(Volumes {
                patterns: 5_000,
                effectiveness: 500,
                weekly_effectiveness: false,
                ..Self::Typical.per_user()
            }),
            Self::Typical | Self::OriginalScale => None,
        }
    }
}

/// The id of the `index`-th generated user (1-based): `user-00001`, `user-00002`, …
pub fn user_id(index: usize) -> String {
    format!("user-{index:05}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_are_zero_padded_and_one_based() {
        assert_eq!(user_id(1), "user-00001");
        assert_eq!(user_id(10_000), "user-10000");
    }

    #[test]
    fn workloads_have_their_documented_sizes() {
        let t = Workload::Typical.per_user();
        assert_eq!(
            (
                t.patterns,
                t.insights,
                t.recommendations,
                t.effectiveness,
                t.sessions
            ),
            (15, 10, 20, 26, 150)
        );
        let o = Workload::OriginalScale.per_user();
        assert_eq!(
            (
                o.patterns,
                o.insights,
                o.interventions,
                o.configs,
                o.active_configs
            ),
            (300, 50, 10, 4, 3)
        );
        assert_eq!((o.effectiveness, o.sessions), (200, 500));
        let h = Workload::Heavy
            .heavy_user()
            .expect("heavy has a heavy user");
        assert_eq!((h.patterns, h.effectiveness), (5_000, 500));
    }
}

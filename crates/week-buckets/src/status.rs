//! What a week says about an item present in it, and the two rules that decide it.

use serde::{Deserialize, Serialize};

/// The status of an item in one week it is present in.
///
/// Serialises to (and deserialises from) the wire names of the original API (`"new"`, `"existing"`, `"disappeared"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The item's start instant lies in this week.
    New,
    /// The item is present and neither starts nor (per the rule) disappears in this week.
    Existing,
    /// The item's end instant lies in this week and the rule says it is gone afterwards.
    Disappeared,
}

impl Status {
    /// The wire name: `"new"`, `"existing"` or `"disappeared"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Existing => "existing",
            Self::Disappeared => "disappeared",
        }
    }
}

/// Which rule decides `disappeared`. `new` always wins: an item starting in a week is `new`
/// there even if it also ends in that week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StatusRule {
    /// Our fixed rule (docs/compatibility.md, section 4): `disappeared` when the item's end lies in
    /// the week and that week is **not** the final week of the window. An item still seen in the
    /// current week is active there (`new` or `existing`).
    #[default]
    Fixed,
    /// The original's exact rule: `disappeared` when the item's end lies in the
    /// week and is strictly before the window's anchor instant (the request time). For rolling
    /// windows every instant of the final week is before the anchor, so an item last seen
    /// yesterday shows as "disappeared" in the current week — the quirk the fix removes.
    Original,
}

/// Per-week number of entries by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct StatusCounts {
    /// Entries with [`Status::New`].
    pub new: usize,
    /// Entries with [`Status::Existing`].
    pub existing: usize,
    /// Entries with [`Status::Disappeared`].
    pub disappeared: usize,
}

impl StatusCounts {
    /// All entries of the week.
    pub const fn total(&self) -> usize {
        self.new + self.existing + self.disappeared
    }

    /// The count for one status.
    pub const fn get(&self, status: Status) -> usize {
        match status {
            Status::New => self.new,
            Status::Existing => self.existing,
            Status::Disappeared => self.disappeared,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_the_original() {
        assert_eq!(Status::New.as_str(), "new");
        assert_eq!(Status::Existing.as_str(), "existing");
        assert_eq!(Status::Disappeared.as_str(), "disappeared");
    }

    #[test]
    fn default_rule_is_the_fixed_one() {
        assert_eq!(StatusRule::default(), StatusRule::Fixed);
    }

    #[test]
    fn counts_total_and_get() {
        let c = StatusCounts {
            new: 1,
            existing: 2,
            disappeared: 3,
        };
        assert_eq!(c.total(), 6);
        assert_eq!(c.get(Status::Existing), 2);
    }
}

//! Reading the server's Prometheus `/metrics` text: the totals the load report needs.

/// The counters sampled before and after a measured phase.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServerCounters {
    /// `insights_db_statements_total`.
    pub statements: f64,
    /// `insights_cache_hits_total`.
    pub cache_hits: f64,
    /// `insights_cache_misses_total`.
    pub cache_misses: f64,
}

impl ServerCounters {
    /// Parses the exposition text; absent metrics read as zero.
    pub fn parse(text: &str) -> Self {
        Self {
            statements: sum_of(text, "insights_db_statements_total"),
            cache_hits: sum_of(text, "insights_cache_hits_total"),
            cache_misses: sum_of(text, "insights_cache_misses_total"),
        }
    }

    /// `after - self`.
    pub fn delta(&self, after: &Self) -> Self {
        Self {
            statements: after.statements - self.statements,
            cache_hits: after.cache_hits - self.cache_hits,
            cache_misses: after.cache_misses - self.cache_misses,
        }
    }

    /// Hits / (hits + misses), when there were lookups.
    pub fn hit_rate(&self) -> Option<f64> {
        let lookups = self.cache_hits + self.cache_misses;
        (lookups > 0.0).then(|| self.cache_hits / lookups)
    }
}

/// Sum over every sample of `name` (all label sets).
fn sum_of(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let rest = line.strip_prefix(name)?;
            // Exactly this metric: followed by labels or the value, not a longer name.
            if !(rest.starts_with(' ') || rest.starts_with('{')) {
                return None;
            }
            line.rsplit(' ').next()?.parse::<f64>().ok()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_label_sets_and_ignores_longer_names() {
        let text = "# HELP insights_cache_hits_total x\n\
                    insights_cache_hits_total 10\n\
                    insights_cache_misses_total{route=\"a\"} 3\n\
                    insights_cache_misses_total{route=\"b\"} 1\n\
                    insights_db_statements_total_extra 99\n\
                    insights_db_statements_total 42\n";
        let c = ServerCounters::parse(text);
        assert_eq!(
            c,
            ServerCounters {
                statements: 42.0,
                cache_hits: 10.0,
                cache_misses: 4.0
            }
        );
        assert_eq!(c.hit_rate(), Some(10.0 / 14.0));
        assert_eq!(ServerCounters::default().hit_rate(), None);
    }
}

//! The original engine's recommendation templates, one per recommendation type, and the
//! `{{key}}` filler.

use insights_model::{PatternType, RecommendationType};

/// One recommendation template: texts with `{{placeholders}}` and the base scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Template {
    /// The type of the recommendations it produces.
    pub recommendation_type: RecommendationType,
    /// Title text.
    pub title: &'static str,
    /// Description text.
    pub description: &'static str,
    /// Actionable text.
    pub actionable_text: &'static str,
    /// Multiplied by the pattern's confidence to give `estimatedImpact`.
    pub impact_base: f64,
    /// Used as `easeOfImplementation` as it is.
    pub ease_base: f64,
}

/// Every template of the original, in its declaration order. The last two are keyed by
/// recommendation-type names no pattern type has, so the original never reached them; they are
/// kept so the table is complete, as in the original.
pub const TEMPLATES: [Template; 6] = [
    Template {
        recommendation_type: RecommendationType::StudyTimeOptimization,
        title: "Study during your peak hours ({{hourRange}})",
        description: "Your analysis shows {{performanceIncrease}}% better performance during {{hourRange}} based on {{sessionCount}} sessions.",
        actionable_text: "Schedule high-priority missions during {{hourRange}} for optimal retention and performance.",
        impact_base: 0.85,
        ease_base: 0.7,
    },
    Template {
        recommendation_type: RecommendationType::SessionDurationAdjustment,
        title: "Optimize session length to {{duration}} minutes",
        description: "Your optimal session length is {{duration}} minutes ({{completionRate}}% completion rate).",
        actionable_text: "Adjust mission duration preferences to {{duration}} minutes for better completion and reduced fatigue.",
        impact_base: 0.75,
        ease_base: 0.9,
    },
    Template {
        recommendation_type: RecommendationType::ContentTypeBalance,
        title: "Increase {{contentType}} content to {{targetPercentage}}%",
        description: "You learn {{effectiveness}}% more effectively with {{contentType}} content.",
        actionable_text: "Prioritize {{contentType}} content in your study sessions for improved learning outcomes.",
        impact_base: 0.65,
        ease_base: 0.75,
    },
    Template {
        recommendation_type: RecommendationType::RetentionStrategy,
        title: "Review every {{reviewDays}} days for optimal retention",
        description: "Your retention decays {{deviationPercent}}% {{fasterSlower}} than average (half-life: {{halfLife}} days).",
        actionable_text: "Adjust review frequency to every {{reviewDays}} days to maintain 70%+ retention.",
        impact_base: 0.8,
        ease_base: 0.6,
    },
    Template {
        recommendation_type: RecommendationType::ConsistencyBuilding,
        title: "Build study consistency: {{targetDays}} days per week",
        description: "Increasing study consistency from {{currentDays}} to {{targetDays}} days/week can improve retention by {{improvementPercent}}%.",
        actionable_text: "Set calendar reminders for study sessions on {{suggestedDays}} to build a consistent habit.",
        impact_base: 0.7,
        ease_base: 0.65,
    },
    Template {
        recommendation_type: RecommendationType::ExperimentalSuggestion,
        title: "Try {{experimentType}} for {{topic}}",
        description: "Based on similar learners, {{experimentType}} may improve your {{topic}} performance.",
        actionable_text: "Experiment with {{experimentType}} in your next 3 study sessions and track results.",
        impact_base: 0.6,
        ease_base: 0.5,
    },
];

/// The template a pattern type uses; `PERFORMANCE_PEAK` and `ATTENTION_CYCLE` have none and
/// produce no recommendation.
pub fn template_for_pattern(pattern_type: PatternType) -> Option<&'static Template> {
    let index = match pattern_type {
        PatternType::OptimalStudyTime => 0,
        PatternType::SessionDurationPreference => 1,
        PatternType::ContentTypePreference => 2,
        PatternType::ForgettingCurve => 3,
        PatternType::PerformancePeak | PatternType::AttentionCycle => return None,
    };
    TEMPLATES.get(index)
}

/// The template whose recommendation type is `recommendation_type` (each type has exactly one).
pub fn template_for_type(recommendation_type: RecommendationType) -> Option<&'static Template> {
    TEMPLATES
        .iter()
        .find(|t| t.recommendation_type == recommendation_type)
}

/// Replaces every `{{key}}` whose key is in `values` with its value, in one left-to-right pass.
/// Unknown placeholders stay as they are (as in the original). Unlike JavaScript's
/// `String.replace`, values are inserted literally: `$&` in a value is not special and a value
/// is never scanned again for placeholders.
pub fn fill_template(text: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let candidate = &rest[open..];
        let hit = values.iter().find_map(|(key, value)| {
            let tail = candidate.strip_prefix("{{")?.strip_prefix(key)?;
            tail.strip_prefix("}}").map(|after| (value, after))
        });
        match hit {
            Some((value, after)) => {
                out.push_str(value);
                rest = after;
            }
            None => {
                // Not a known placeholder here: keep one brace and look again from the next
                // character, so `{{{a}}}` still finds `{{a}}` as a global replace would.
                out.push('{');
                rest = &candidate[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_known_keys_everywhere_and_keeps_unknown_ones() {
        let values = [("a", "1".to_owned()), ("b", "x".to_owned())];
        assert_eq!(fill_template("{{a}}-{{b}}-{{a}}", &values), "1-x-1");
        assert_eq!(fill_template("{{c}} and {{a}}", &values), "{{c}} and 1");
        assert_eq!(fill_template("open {{a", &values), "open {{a");
        assert_eq!(fill_template("{{{a}}}", &values), "{1}");
    }

    #[test]
    fn values_are_inserted_literally() {
        let values = [("a", "$& {{b}}".to_owned()), ("b", "no".to_owned())];
        assert_eq!(fill_template("{{a}}", &values), "$& {{b}}");
    }

    #[test]
    fn each_type_has_one_template() {
        for t in RecommendationType::ALL {
            let template = template_for_type(*t).expect("every type has a template");
            assert_eq!(template.recommendation_type, *t);
        }
    }
}

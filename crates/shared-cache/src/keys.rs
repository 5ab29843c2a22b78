//! Names of the Redis keys and channel used by the tier.
//!
//! * generation key: `{prefix}:gen:{user}`. Not versioned, so instances running different
//!   format versions (a rolling deploy) still invalidate each other.
//! * data key: `{prefix}:v{format_version}:d:{user length}:{user}:{generation}:{key}`. The
//!   user is length-prefixed because user ids and keys are opaque and may contain `:`;
//!   without the length, user `a:1` + key `k` and user `a` + key `1:k` could collide.
//!   Generations are decimal digits only, so the rest of the key is unambiguous.
//! * channel: `{prefix}:invalidate`, payload = the user id exactly.
//!
//! The data key is assembled inside the Lua scripts (they read the generation first), so this
//! module hands out the parts before and after the generation.

/// Builds key names for one prefix and format version.
#[derive(Debug, Clone)]
pub(crate) struct KeyLayout {
    prefix: String,
    format_version: u32,
}

/// A data key without its generation: `before` + generation + `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataKeyParts {
    pub(crate) before: String,
    pub(crate) after: String,
}

impl DataKeyParts {
    /// The full key for one generation (used by tests and diagnostics; scripts concatenate).
    #[cfg(test)]
    pub(crate) fn with_generation(&self, generation: &str) -> String {
        format!("{}{generation}{}", self.before, self.after)
    }
}

impl KeyLayout {
    pub(crate) fn new(prefix: &str, format_version: u32) -> Self {
        Self {
            prefix: prefix.to_owned(),
            format_version,
        }
    }

    pub(crate) fn generation_key(&self, user: &str) -> String {
        format!("{}:gen:{user}", self.prefix)
    }

    pub(crate) fn data_key_parts(&self, user: &str, key: &str) -> DataKeyParts {
        DataKeyParts {
            before: format!(
                "{}:v{}:d:{}:{user}:",
                self.prefix,
                self.format_version,
                user.len()
            ),
            after: format!(":{key}"),
        }
    }

    pub(crate) fn invalidation_channel(&self) -> String {
        invalidation_channel(&self.prefix)
    }
}

/// The pub/sub channel of a prefix.
pub(crate) fn invalidation_channel(prefix: &str) -> String {
    format!("{prefix}:invalidate")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_and_key_containing_colons_do_not_collide() {
        let layout = KeyLayout::new("p", 1);
        let first = layout.data_key_parts("a:1", "k").with_generation("0");
        let second = layout.data_key_parts("a", "1:k").with_generation("0");
        assert_ne!(first, second);
    }

    #[test]
    fn format_version_changes_data_keys_but_not_generation_keys() {
        let v1 = KeyLayout::new("p", 1);
        let v2 = KeyLayout::new("p", 2);
        assert_ne!(v1.data_key_parts("u", "k"), v2.data_key_parts("u", "k"));
        assert_eq!(v1.generation_key("u"), v2.generation_key("u"));
    }

    #[test]
    fn layout_is_as_documented() {
        let layout = KeyLayout::new("insights", 3);
        assert_eq!(layout.generation_key("u1"), "insights:gen:u1");
        assert_eq!(
            layout
                .data_key_parts("u1", "recs:true:10")
                .with_generation("42"),
            "insights:v3:d:2:u1:42:recs:true:10"
        );
        assert_eq!(layout.invalidation_channel(), "insights:invalidate");
    }
}

//! Text that PostgreSQL can store. Its `text` and `jsonb` types cannot hold U+0000, so a NUL
//! character in a client's string made the INSERT (or even a `WHERE id = $1` lookup) fail with a
//! database error, answered 500 — while SQLite stored it. Found by the hostile-input property tests
//! (`apps/server/tests/http/hostile.rs`); rejecting it up front gives both backends the same 400.

use serde_json::Value;

use crate::ServiceError;

/// Whether `s` can be stored in (or compared with) a PostgreSQL text column.
pub(crate) fn is_storable(s: &str) -> bool {
    !s.contains('\0')
}

/// A validation error naming `field` when `s` contains U+0000.
pub(crate) fn check(field: &str, s: &str) -> Result<(), ServiceError> {
    if is_storable(s) {
        Ok(())
    } else {
        Err(ServiceError::validation(
            field,
            format!("{field} must not contain the NUL character (U+0000)"),
        ))
    }
}

/// A validation error naming `field` when `s` is longer than `max_chars` characters.
pub(crate) fn check_length(field: &str, s: &str, max_chars: usize) -> Result<(), ServiceError> {
    // Byte length bounds the character count from above: most strings skip the count.
    if s.len() <= max_chars || s.chars().count() <= max_chars {
        Ok(())
    } else {
        Err(ServiceError::validation(
            field,
            format!("{field} must be at most {max_chars} characters"),
        ))
    }
}

/// [`check`] for every string and object key inside a JSON value (stored as `jsonb`).
pub(crate) fn check_json(field: &str, value: &Value) -> Result<(), ServiceError> {
    // Iterative, so a deeply nested value cannot exhaust the stack here.
    let mut pending = vec![value];
    while let Some(v) = pending.pop() {
        match v {
            Value::String(s) => check(field, s)?,
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => {
                for (key, item) in map {
                    check(field, key)?;
                    pending.push(item);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_anywhere_is_rejected_and_other_text_passes() {
        assert!(check("title", "naïve ' OR 1=1 -- \u{1}\u{7f}").is_ok());
        assert!(
            matches!(check("title", "a\0b"), Err(ServiceError::Validation { field, .. }) if field == "title")
        );
        assert!(check_json("patternData", &json!({"a": [1, {"b": "ok"}]})).is_ok());
        assert!(check_json("patternData", &json!({"a": [1, {"b": "x\u{0}"}]})).is_err());
        assert!(check_json("patternData", &json!({"k\u{0}": 1})).is_err());
    }
}

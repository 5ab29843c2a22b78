//! The service's one error type: what went wrong, in terms a caller can act on.

use insights_store::StoreError;

/// A failed operation. The HTTP layer maps each variant to one status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// A parameter or body field is invalid (400 `VALIDATION_ERROR`).
    #[error("{message}")]
    Validation {
        /// The offending parameter or field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A malformed request the original reported as `BAD_REQUEST` (400), e.g. bad dates.
    #[error("{message}")]
    BadRequest {
        /// The offending parameter.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The caller may not act on this user's data (403).
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The write conflicts with current state, e.g. already applied (409).
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached in time (503); retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected database error (500). The message is for logs, not clients.
    #[error("{0}")]
    Internal(String),
}

impl ServiceError {
    pub(crate) fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(field: &str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound("recommendation") => {
                Self::NotFound("Recommendation not found".into())
            }
            StoreError::NotFound(what) => Self::NotFound(format!("{what} not found")),
            StoreError::Forbidden(why) => Self::Forbidden(format!("Forbidden: {why}")),
            StoreError::Conflict(why) if why.contains("applied") => {
                Self::Conflict("Recommendation already applied".into())
            }
            StoreError::Conflict(why) => Self::Conflict(why.to_owned()),
            StoreError::Unavailable(why) => Self::Unavailable(why),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<insights_recommender::RecommenderError> for ServiceError {
    fn from(err: insights_recommender::RecommenderError) -> Self {
        Self::validation(&err.field(), err.to_string())
    }
}

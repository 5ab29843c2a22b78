//! The service's one error type: what went wrong, in typed terms a caller can act on.

use std::fmt;
use std::sync::Arc;

use insights_store::{ConflictKind, Entity, StoreError};

/// A failed operation.
///
/// Each variant is one kind of failure, with typed fields; a server maps variants to statuses
/// (validation and bad request 400, forbidden 403, not found 404, conflict 409, unavailable
/// 503, the rest 500). Underlying errors stay reachable through
/// [`source`](std::error::Error::source). The error is `Clone` (its sources are shared) because
/// one failed cache load answers every caller that waited for it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// A parameter or body field is invalid.
    #[error("{message}")]
    Validation {
        /// The offending parameter or field (`weeks`, `items[3].confidence`).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A malformed request the original API reported as a bad request, e.g. bad dates.
    #[error("{message}")]
    BadRequest {
        /// The offending parameter.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The caller may not act on this data.
    #[error("{0}")]
    Forbidden(Denial),
    /// The thing does not exist.
    #[error("{}", not_found_message(*.entity))]
    NotFound {
        /// What was looked for.
        entity: Entity,
    },
    /// The write conflicts with current state, e.g. the recommendation was already applied.
    #[error("{}", conflict_message(*.0))]
    Conflict(ConflictKind),
    /// The database cannot be used now (see [`insights_store::OutageKind`]); retrying later
    /// may work.
    #[error(transparent)]
    Unavailable(Arc<StoreError>),
    /// An unexpected database error (a bug, or a constraint the service did not expect).
    #[error(transparent)]
    Store(Arc<StoreError>),
    /// An answer could not be encoded as JSON.
    #[error("cannot encode the answer as JSON")]
    Encode(#[source] Arc<serde_json::Error>),
    /// The evolution weeks could not be laid out.
    #[error("cannot lay out the evolution weeks")]
    Timeline(#[source] insights_week_buckets::WeekBucketsError),
    /// An instant outside the representable range came up while building an answer.
    #[error("instant out of range")]
    Instant(#[source] insights_model::ModelError),
    /// A [`ServiceConfig`](crate::ServiceConfig) value is unusable.
    #[error("invalid service configuration: {0}")]
    Config(&'static str),
    /// The cache's settings were refused by the cache.
    #[error("invalid cache configuration")]
    CacheConfig(#[source] insights_ttl_cache::ConfigError),
    /// An invariant of the service did not hold (a bug).
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// Why a caller may not act on some data ([`ServiceError::Forbidden`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Denial {
    /// The request names another user than the caller, and the caller is not a service.
    OtherUser,
    /// The row belongs to another user than the caller.
    NotOwner(Entity),
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OtherUser => {
                f.write_str("Forbidden: userId does not match the authenticated user")
            }
            Self::NotOwner(entity) => write!(f, "Forbidden: {entity} belongs to another user"),
        }
    }
}

/// The original API's message for a missing entity.
fn not_found_message(entity: Entity) -> String {
    match entity {
        Entity::Recommendation => "Recommendation not found".to_owned(),
        other => format!("{other} not found"),
    }
}

/// The original API's message for a conflict.
fn conflict_message(kind: ConflictKind) -> String {
    match kind {
        ConflictKind::AlreadyApplied => "Recommendation already applied".to_owned(),
        other => other.to_string(),
    }
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

    pub(crate) fn encode(err: serde_json::Error) -> Self {
        Self::Encode(Arc::new(err))
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(entity) => Self::NotFound { entity },
            StoreError::Forbidden(entity) => Self::Forbidden(Denial::NotOwner(entity)),
            StoreError::Conflict(kind) => Self::Conflict(kind),
            unavailable @ StoreError::Unavailable(_) => Self::Unavailable(Arc::new(unavailable)),
            other => Self::Store(Arc::new(other)),
        }
    }
}

impl From<insights_recommender::RecommenderError> for ServiceError {
    fn from(err: insights_recommender::RecommenderError) -> Self {
        Self::validation(&err.field(), err.to_string())
    }
}

impl From<insights_week_buckets::WeekBucketsError> for ServiceError {
    fn from(err: insights_week_buckets::WeekBucketsError) -> Self {
        Self::Timeline(err)
    }
}

impl From<insights_model::ModelError> for ServiceError {
    fn from(err: insights_model::ModelError) -> Self {
        Self::Instant(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_become_typed_service_errors_with_the_original_messages() {
        let err = ServiceError::from(StoreError::NotFound(Entity::Recommendation));
        assert!(matches!(
            err,
            ServiceError::NotFound {
                entity: Entity::Recommendation
            }
        ));
        assert_eq!(err.to_string(), "Recommendation not found");
        let err = ServiceError::from(StoreError::Conflict(ConflictKind::AlreadyApplied));
        assert!(matches!(
            err,
            ServiceError::Conflict(ConflictKind::AlreadyApplied)
        ));
        assert_eq!(err.to_string(), "Recommendation already applied");
        let err = ServiceError::from(StoreError::Forbidden(Entity::Recommendation));
        assert_eq!(
            err.to_string(),
            "Forbidden: recommendation belongs to another user"
        );
        let err = ServiceError::from(StoreError::Unavailable(
            insights_store::Outage::without_source(insights_store::OutageKind::PoolTimeout),
        ));
        match &err {
            ServiceError::Unavailable(store) => assert!(matches!(
                &**store,
                StoreError::Unavailable(outage)
                    if *outage.kind() == insights_store::OutageKind::PoolTimeout
            )),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            err.to_string(),
            "database unavailable: timed out waiting for a database connection"
        );
        let err = ServiceError::from(StoreError::Schema(vec!["x".into()]));
        assert!(matches!(err, ServiceError::Store(_)));
    }
}

//! The one error type of the HTTP layer and the only place that knows status codes.
//!
//! Every failure leaves the server as `{"success":false,"error":{"code","message","details"?}}`
//! (docs/compatibility.md, section 2): service errors, extractor errors (bad JSON, bad query
//! string, oversized body), authentication, unknown routes and wrong methods alike.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use insights_service::ServiceError;
use serde_json::{Value, json};

/// The one message of every 503 body.
pub const UNAVAILABLE_MESSAGE: &str = "The service is temporarily unavailable; retry shortly";

/// A request that failed, classified by what the client can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// A parameter or body field has an invalid value (400 `VALIDATION_ERROR`).
    #[error("{message}")]
    Validation {
        /// The offending parameter, when one can be named.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The request itself is malformed: bad dates, unparsable JSON (400 `BAD_REQUEST`).
    #[error("{message}")]
    BadRequest {
        /// The offending parameter, when one can be named.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// No valid bearer token (401 `UNAUTHORIZED`).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may not touch this data (403 `FORBIDDEN`).
    #[error("{0}")]
    Forbidden(String),
    /// No such route or row (404 `NOT_FOUND`).
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not with this method (405 `METHOD_NOT_ALLOWED`).
    #[error("Method not allowed; use {allow}")]
    MethodNotAllowed {
        /// The method the route accepts (sent in the `Allow` header).
        allow: &'static str,
    },
    /// The write conflicts with the row's state; the only case is a second apply
    /// (409 `ALREADY_APPLIED`).
    #[error("{0}")]
    AlreadyApplied(String),
    /// The body is larger than the configured limit (413 `PAYLOAD_TOO_LARGE`).
    #[error("Request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The request body is encoded (`Content-Encoding`), which this API does not accept
    /// (415 `UNSUPPORTED_MEDIA_TYPE`).
    #[error(
        "Request bodies must not be encoded (got Content-Encoding: {encoding}); send plain JSON"
    )]
    EncodedBody {
        /// The encoding the client declared (cut to a short, printable prefix).
        encoding: String,
    },
    /// The request body did not arrive within its time limit (408 `REQUEST_TIMEOUT`).
    #[error("Request body did not arrive within {limit_ms} ms")]
    BodyTimeout {
        /// The limit in milliseconds.
        limit_ms: u128,
    },
    /// The database cannot be reached in time (503 `UNAVAILABLE`).
    #[error("{0}")]
    Unavailable(String),
    /// A bug (500 `INTERNAL_ERROR`). The detail is logged, never sent.
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    /// A `BAD_REQUEST` that names its parameter.
    pub fn bad_request(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::BadRequest {
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The machine-readable code sent in `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "VALIDATION_ERROR",
            Self::BadRequest { .. } => "BAD_REQUEST",
            Self::Unauthorized(_) => "UNAUTHORIZED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::MethodNotAllowed { .. } => "METHOD_NOT_ALLOWED",
            Self::AlreadyApplied(_) => "ALREADY_APPLIED",
            Self::PayloadTooLarge { .. } => "PAYLOAD_TOO_LARGE",
            Self::EncodedBody { .. } => "UNSUPPORTED_MEDIA_TYPE",
            Self::BodyTimeout { .. } => "REQUEST_TIMEOUT",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_ERROR",
        }
    }

    /// The JSON error body (without the status).
    pub fn body(&self) -> Value {
        let message = match self {
            // Internal details may contain SQL or paths; they go to the log, not the client.
            Self::Internal(_) => "An unexpected error occurred".to_owned(),
            // So may unavailability details: driver messages, hosts and ports, pool internals
            // (the hostile-input and fault tests found "connection closed" and pool time-outs
            // in 503 bodies). They are logged by `error_response`; the client only learns to
            // retry.
            Self::Unavailable(_) => UNAVAILABLE_MESSAGE.to_owned(),
            other => other.to_string(),
        };
        let mut error = json!({ "code": self.code(), "message": message });
        let field = match self {
            Self::Validation { field, .. } | Self::BadRequest { field, .. } => field.as_deref(),
            _ => None,
        };
        if let Some(field) = field {
            error["details"] = json!({ "field": field });
        }
        json!({ "success": false, "error": error })
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation { .. } | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::AlreadyApplied(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::EncodedBody { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            Self::Unavailable(detail) => tracing::warn!(error = %detail, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            // RFC 6750: tell the client which scheme to use.
            Self::Unauthorized(_) => {
                response.insert_header(("WWW-Authenticate", "Bearer"));
            }
            // RFC 9110 §15.5.6: a 405 lists the allowed methods.
            Self::MethodNotAllowed { allow } => {
                response.insert_header(("Allow", *allow));
            }
            _ => {}
        }
        response.json(self.body())
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Validation { field, message } => Self::Validation {
                field: Some(field),
                message,
            },
            ServiceError::BadRequest { field, message } => Self::BadRequest {
                field: Some(field),
                message,
            },
            ServiceError::Forbidden(_) => Self::Forbidden(err.to_string()),
            ServiceError::NotFound { .. } => Self::NotFound(err.to_string()),
            // Applying twice is the only conflict the operations report.
            ServiceError::Conflict(_) => Self::AlreadyApplied(err.to_string()),
            ServiceError::Unavailable(_) => Self::Unavailable(chain(&err)),
            _ => Self::Internal(chain(&err)),
        }
    }
}

/// An error and its sources on one line (`outer: inner: innermost`), for logs: the detail
/// an operator needs, never sent to a client.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // A transparent wrapper repeats its cause's text; say it once.
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn details_name_the_field_and_internal_details_stay_private() {
        let err = ApiError::Validation {
            field: Some("weeks".into()),
            message: "weeks must be between 1 and 52".into(),
        };
        assert_eq!(
            err.body(),
            json!({"success": false, "error": {"code": "VALIDATION_ERROR",
                "message": "weeks must be between 1 and 52", "details": {"field": "weeks"}}})
        );
        let err = ApiError::Internal("SELECT … failed".into());
        assert_eq!(
            err.body()["error"]["message"],
            "An unexpected error occurred"
        );
        assert!(err.body()["error"].get("details").is_none());
        let err = ApiError::Unavailable("connection to 10.0.0.5:5432 refused".into());
        assert_eq!(err.body()["error"]["message"], UNAVAILABLE_MESSAGE);
    }

    #[test]
    fn service_errors_keep_their_status_and_message_and_log_their_causes() {
        use insights_service::{ConflictKind, Entity, Outage, OutageKind, StoreError};
        let conflict = ApiError::from(ServiceError::Conflict(ConflictKind::AlreadyApplied));
        assert_eq!(conflict.status_code(), StatusCode::CONFLICT);
        assert_eq!(
            conflict.body()["error"]["message"],
            "Recommendation already applied"
        );
        let missing = ApiError::from(ServiceError::NotFound {
            entity: Entity::Recommendation,
        });
        assert_eq!(missing.status_code(), StatusCode::NOT_FOUND);
        assert_eq!(
            missing.body()["error"]["message"],
            "Recommendation not found"
        );
        let io = std::io::Error::other("connection refused");
        let down = ApiError::from(ServiceError::from(StoreError::Unavailable(Outage::new(
            OutageKind::Connect,
            io,
        ))));
        assert_eq!(down.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            down,
            ApiError::Unavailable(
                "database unavailable: cannot connect: connection refused".into()
            )
        );
        let bug = ApiError::from(ServiceError::Internal("an invariant"));
        assert_eq!(bug.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}

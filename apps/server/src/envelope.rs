//! The success envelope `{"success":true,"data":<payload>}` (contract 0.1).

use actix_web::body::BoxBody;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, Responder};
use insights_service::Json;

/// A success response around the JSON text the service produced.
///
/// The service hands back ready JSON text (often straight from its cache), so the envelope is
/// written around it as text instead of being parsed and re-serialised.
#[derive(Debug, Clone)]
pub struct Envelope(pub Json);

impl Envelope {
    /// The complete body text.
    pub fn to_body(&self) -> String {
        const HEAD: &str = r#"{"success":true,"data":"#;
        let mut body = String::with_capacity(HEAD.len() + self.0.len() + 1);
        body.push_str(HEAD);
        body.push_str(&self.0);
        body.push('}');
        body
    }
}

impl Responder for Envelope {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(self.to_body())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn wraps_the_payload_verbatim() {
        let body = Envelope(r#"{"a":[1,2]}"#.into()).to_body();
        assert_eq!(body, r#"{"success":true,"data":{"a":[1,2]}}"#);
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["data"]["a"][1], 2);
    }
}

//! The success envelope `{"success":true,"data":<payload>}` (contract 0.1).

use actix_web::body::BoxBody;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, Responder};
use insights_service::Json;

/// A success response around the JSON the service produced.
///
/// The service hands back its answer already inside the success envelope (often straight from
/// its cache), so the body is sent as those shared bytes: no parsing, re-serialising or copying
/// per request.
#[derive(Debug, Clone)]
pub struct Envelope(pub Json);

impl Responder for Envelope {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(self.0.enveloped())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[actix_web::test]
    async fn wraps_the_payload_verbatim() {
        let response =
            Envelope(r#"{"a":[1,2]}"#.into()).respond_to(&TestRequest::default().to_http_request());
        assert_eq!(response.status(), 200);
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        assert_eq!(&body[..], br#"{"success":true,"data":{"a":[1,2]}}"#);
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(parsed["data"]["a"][1], 2);
    }
}

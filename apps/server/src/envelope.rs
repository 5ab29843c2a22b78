//! The success envelope `{"success":true,"data":<payload>}`, as the original wraps answers, and
//! the responders that send rendered answers.

use actix_web::body::BoxBody;
use actix_web::http::header::{self, AcceptEncoding, ContentType, Encoding};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, Responder, web};
use insights_service::{Answer, Envelope, RenderedJson};
use serde::Serialize;

use crate::error::ApiError;
use crate::sliced_body::{SLICE_BYTES, SlicedBody, slices};
use crate::streamed_gzip::StreamedGzip;

/// The success envelope around every answer's payload. The service renders (and caches) its
/// answers inside it ([`insights_service::Insights::rendered`]), so a cached body is sent as
/// is, without a copy per request.
pub const SUCCESS: Envelope = Envelope::new(r#"{"success":true,"data":"#, "}");

/// `value` inside the success envelope, for answers that are not cached (writes).
pub fn success<T: Serialize + ?Sized>(value: &T) -> Result<Whole, ApiError> {
    Ok(Whole(RenderedJson::render(SUCCESS, value)?))
}

/// A success response whose body the service rendered.
///
/// The service hands back its answer already inside the success envelope (often straight from
/// its cache), so the body is sent as those shared bytes: no parsing, re-serialising or copying
/// per request. A client that prefers gzip (every browser) gets the value's gzip encoding, which
/// is compressed once per value and reused by every cache hit; the `Compress` middleware leaves
/// a response that already has a `Content-Encoding` alone, and still serves other encodings.
#[derive(Debug, Clone)]
pub struct Whole(pub RenderedJson);

impl Responder for Whole {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        response.content_type(ContentType::json());
        if prefers_gzip(req)
            && let Some(gzip) = self.0.enveloped_gzip()
        {
            return response
                .insert_header((header::CONTENT_ENCODING, "gzip"))
                .insert_header((header::VARY, "accept-encoding"))
                .body(gzip);
        }
        let body = self.0.enveloped();
        if body.len() > SLICE_BYTES {
            return response.body(SlicedBody::new(body));
        }
        response.body(body)
    }
}

/// A success response that may be too large to hold whole: an [`Answer::Whole`] is sent as a
/// [`Whole`]; an [`Answer::Chunked`] is written chunk by chunk as the connection drains
/// (actix polls a body only when its write buffer has room), with its exact `Content-Length`.
/// The `Compress` middleware compresses it as a stream for clients that prefer gzip, while
/// fewer than [`STREAMED_GZIP_AT_ONCE`](crate::streamed_gzip::STREAMED_GZIP_AT_ONCE) streamed
/// answers are being compressed; past that it is sent uncompressed.
#[derive(Debug)]
pub struct Reply(pub Answer);

impl Responder for Reply {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        match self.0 {
            Answer::Whole(json) => Whole(json).respond_to(req),
            Answer::Chunked(body) => {
                let len = body.len() as u64;
                let mut response = HttpResponse::Ok();
                response.content_type(ContentType::json());
                let permit = if wants_compression(req) {
                    let permit = req
                        .app_data::<web::Data<StreamedGzip>>()
                        .and_then(|limit| limit.try_acquire());
                    if permit.is_none() {
                        // `Compress` leaves a response that has a Content-Encoding alone
                        // (actix-web's documented way to opt out); caches must still tell
                        // this answer from a compressed one.
                        response
                            .insert_header((header::CONTENT_ENCODING, "identity"))
                            .insert_header((header::VARY, "accept-encoding"));
                    }
                    permit
                } else {
                    None
                };
                // A shared piece of the answer can be large (one pattern's evidence): in
                // slices, a connection's write buffer holds at most one slice beyond its
                // limit while it waits for a slow client. The body holds the permit, so it is
                // returned when the response ends or its connection closes.
                let chunks = futures_util::stream::iter(body.flat_map(slices).map(move |chunk| {
                    let _permit = &permit;
                    Ok::<_, std::convert::Infallible>(chunk)
                }));
                response.body(actix_web::body::SizedStream::new(len, chunks))
            }
        }
    }
}

/// Whether the request's `Accept-Encoding` makes gzip the best of gzip and identity (q-values
/// honoured: `gzip;q=0` refuses it).
fn prefers_gzip(req: &HttpRequest) -> bool {
    req.get_header::<AcceptEncoding>().is_some_and(|accepted| {
        accepted.negotiate([Encoding::gzip(), Encoding::identity()].iter())
            == Some(Encoding::gzip())
    })
}

/// Whether the `Compress` middleware would encode a response to `req`: the request's
/// `Accept-Encoding` prefers one of the encodings this build compresses with over identity.
/// The list is `Compress`'s own for actix-web's `compress-gzip` feature, the only compression
/// feature the workspace enables (`Cargo.toml`); enabling brotli or zstd must extend it.
fn wants_compression(req: &HttpRequest) -> bool {
    req.get_header::<AcceptEncoding>().is_some_and(|accepted| {
        accepted
            .negotiate([Encoding::identity(), Encoding::gzip(), Encoding::deflate()].iter())
            .is_some_and(|chosen| chosen != Encoding::identity())
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[actix_web::test]
    async fn wraps_the_payload_verbatim() {
        let response = success(&serde_json::json!({"a": [1, 2]}))
            .unwrap()
            .respond_to(&TestRequest::default().to_http_request());
        assert_eq!(response.status(), 200);
        let body = actix_web::body::to_bytes(response.into_body())
            .await
            .unwrap();
        assert_eq!(&body[..], br#"{"success":true,"data":{"a":[1,2]}}"#);
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(parsed["data"]["a"][1], 2);
    }

    #[actix_web::test]
    async fn gzip_only_when_the_client_prefers_it() {
        use std::io::Read;
        let json = RenderedJson::from_payload(SUCCESS, r#"{"a":[1,2]}"#);
        for (accept, gzipped) in [
            (Some("gzip, deflate, br"), true),
            (Some("br;q=1.0, gzip;q=0.8, *;q=0.1"), true),
            (Some("gzip;q=0, identity"), false),
            (Some("identity"), false),
            (Some("br"), false),
            (None, false),
        ] {
            let mut request = TestRequest::default();
            if let Some(accept) = accept {
                request = request.insert_header((header::ACCEPT_ENCODING, accept));
            }
            let response = Whole(json.clone()).respond_to(&request.to_http_request());
            assert_eq!(
                response.headers().get(header::CONTENT_ENCODING).is_some(),
                gzipped,
                "{accept:?}"
            );
            let body = actix_web::body::to_bytes(response.into_body())
                .await
                .unwrap();
            let body = if gzipped {
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(&body[..])
                    .read_to_end(&mut plain)
                    .unwrap();
                plain
            } else {
                body.to_vec()
            };
            assert_eq!(body, json.enveloped(), "{accept:?}");
        }
    }
}

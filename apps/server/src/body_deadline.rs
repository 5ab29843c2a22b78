//! [`body_deadline`]: a request body must arrive within a time limit, or the request is answered
//! 408 and its connection closed.
//!
//! actix-web bounds the time to receive a request's *head* (5 s) but not its body: a client
//! that declared a 1,000-byte body and sent one byte now and then held its connection, with no
//! answer, for as long as it kept sending (on SQLite, where the per-request deadline does not
//! apply, indefinitely; docs/reliability.md, "Clients that stop reading"). Together with the
//! connection limit that let a few slow clients lock everyone else out.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, web};
use futures_util::Stream;

/// How long a request body may take to arrive, for [`body_deadline`] (`web::Data`).
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

/// The error a body that missed its deadline ends with (inside [`PayloadError::Io`], kind
/// `TimedOut`); [`timed_out`] finds it again in an extractor's error.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} ms", .limit.as_millis())]
pub struct BodyTimedOut {
    /// The limit that passed.
    pub limit: Duration,
}

/// The [`BodyTimedOut`] behind a payload error, if that is what ended the body.
pub fn timed_out(error: &PayloadError) -> Option<&BodyTimedOut> {
    match error {
        PayloadError::Io(io) => io.get_ref()?.downcast_ref::<BodyTimedOut>(),
        _ => None,
    }
}

/// Middleware: gives the body of a request that has one a [`BodyDeadline`], counted from the
/// moment the request reaches the application (its head has arrived). Requests without a
/// body (every GET) pass untouched: no timer, no allocation.
///
/// The request's payload is kept until its response has been written, whoever reads it. When
/// the body is unfinished then (it timed out, or the handler never read it), actix-web closes
/// the connection. Dropped earlier, a *chunked* body would instead be read to its end and
/// discarded, with no timer running: a client sending chunks a byte at a time kept its
/// connection after its 408.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, WithPayload>>, Error> {
    let limit = req.app_data::<web::Data<BodyDeadline>>().map(|d| d.0);
    let Some(limit) = limit.filter(|_| has_body(req.headers())) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let payload = Rc::new(RefCell::new(req.take_payload()));
    let timed = TimedBody {
        inner: Rc::clone(&payload),
        expiry: Box::pin(tokio::time::sleep(limit)),
        limit,
        done: false,
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(timed),
    });
    let res = next.call(req).await?;
    Ok(res
        .map_body(|_, body| WithPayload {
            body: BoxBody::new(body),
            _payload: payload,
        })
        .map_into_right_body())
}

/// A response body that keeps its request's payload until the response has been written (see
/// [`body_deadline`]).
pub struct WithPayload {
    body: BoxBody,
    _payload: Rc<RefCell<Payload>>,
}

impl MessageBody for WithPayload {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// Whether the request declares a body: a non-zero `Content-Length`, or chunked transfer.
fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|length| length.as_bytes() != b"0")
}

/// A request body that ends with [`BodyTimedOut`] if it has not finished by its expiry.
struct TimedBody {
    inner: Rc<RefCell<Payload>>,
    expiry: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
    done: bool,
}

impl Stream for TimedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        // What has arrived is delivered first, even at the deadline.
        if let Poll::Ready(item) = Pin::new(&mut *this.inner.borrow_mut()).poll_next(cx) {
            this.done = item.is_none();
            return Poll::Ready(item);
        }
        if this.expiry.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.done = true;
        let error = BodyTimedOut { limit: this.limit };
        Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            error,
        )))))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;
    use futures_util::StreamExt;

    fn timed(
        stream: impl Stream<Item = Result<Bytes, PayloadError>> + 'static,
        limit: Duration,
    ) -> TimedBody {
        TimedBody {
            inner: Rc::new(RefCell::new(Payload::Stream {
                payload: Box::pin(stream),
            })),
            expiry: Box::pin(tokio::time::sleep(limit)),
            limit,
            done: false,
        }
    }

    #[actix_web::test]
    async fn a_body_that_stalls_ends_with_the_timeout() {
        let mut body = timed(futures_util::stream::pending(), Duration::from_millis(20));
        let error = body.next().await.unwrap().unwrap_err();
        assert_eq!(timed_out(&error).unwrap().limit, Duration::from_millis(20));
        assert!(body.next().await.is_none(), "nothing after the timeout");
    }

    #[actix_web::test]
    async fn a_body_that_arrives_passes_unchanged() {
        let arriving = futures_util::stream::iter([Ok(Bytes::from_static(b"{\"a\":1}"))]);
        let mut body = timed(arriving, Duration::from_secs(60));
        assert_eq!(body.next().await.unwrap().unwrap(), &b"{\"a\":1}"[..]);
        assert!(body.next().await.is_none());
    }

    #[test]
    fn only_requests_with_a_body_are_timed() {
        let mut headers = HeaderMap::new();
        assert!(!has_body(&headers));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
        assert!(!has_body(&headers));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("12"));
        assert!(has_body(&headers));
        let mut chunked = HeaderMap::new();
        chunked.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        assert!(has_body(&chunked));
    }

    #[test]
    fn other_payload_errors_are_not_timeouts() {
        assert!(timed_out(&PayloadError::Overflow).is_none());
        let other = PayloadError::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, "x"));
        assert!(timed_out(&other).is_none());
    }
}

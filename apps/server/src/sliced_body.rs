//! [`SlicedBody`]: a shared response body handed to the connection a slice at a time.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;

/// Largest piece of a body given to the connection's write buffer at once.
///
/// actix-web's HTTP/1 connection copies a body into its write buffer and, after the write,
/// frees that buffer and starts again from 8 KiB whenever it grew past 128 KiB (so that an idle
/// connection does not keep a large allocation). A cached answer of more than about 128 KiB
/// handed over whole therefore costs an allocation of its size, page faults on it, and a free,
/// on every response. In slices of 64 KiB the buffer stays under that limit and is reused by
/// the connection's next response; the slices are views of the shared bytes, not copies.
pub const SLICE_BYTES: usize = 64 * 1024;

/// A body of shared bytes, yielded in slices of at most [`SLICE_BYTES`], with its exact length
/// announced up front (a `Content-Length`, not chunked encoding).
#[derive(Debug, Clone)]
pub struct SlicedBody {
    rest: Bytes,
    len: u64,
}

impl SlicedBody {
    /// The body of `bytes`.
    pub fn new(bytes: Bytes) -> Self {
        Self {
            len: bytes.len() as u64,
            rest: bytes,
        }
    }
}

impl MessageBody for SlicedBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.len)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(take_slice(&mut self.get_mut().rest).map(Ok))
    }
}

/// The pieces of `bytes`, each a view of at most [`SLICE_BYTES`] (no copy): how any body
/// larger than that, cached or streamed, is handed to the connection.
pub fn slices(mut bytes: Bytes) -> impl Iterator<Item = Bytes> {
    std::iter::from_fn(move || take_slice(&mut bytes))
}

/// The next slice of `rest`, removed from it; `None` when it is empty.
fn take_slice(rest: &mut Bytes) -> Option<Bytes> {
    (!rest.is_empty()).then(|| rest.split_to(rest.len().min(SLICE_BYTES)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[actix_web::test]
    async fn yields_the_bytes_in_order_in_bounded_slices() {
        let bytes: Bytes = (0..3 * SLICE_BYTES + 17).map(|i| i as u8).collect();
        let mut body = SlicedBody::new(bytes.clone());
        assert_eq!(body.size(), BodySize::Sized(bytes.len() as u64));
        let mut slices = Vec::new();
        while let Some(slice) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_next(cx)).await {
            slices.push(slice.unwrap());
        }
        let lens: Vec<usize> = slices.iter().map(Bytes::len).collect();
        assert_eq!(lens, [SLICE_BYTES, SLICE_BYTES, SLICE_BYTES, 17]);
        assert_eq!(slices.concat(), bytes);
        // The size stays the whole length: it is read once, before the first slice.
        assert_eq!(body.size(), BodySize::Sized(bytes.len() as u64));
    }

    #[test]
    fn slices_are_bounded_views_in_order() {
        let bytes: Bytes = (0..2 * SLICE_BYTES + 5).map(|i| i as u8).collect();
        let pieces: Vec<Bytes> = slices(bytes.clone()).collect();
        let lens: Vec<usize> = pieces.iter().map(Bytes::len).collect();
        assert_eq!(lens, [SLICE_BYTES, SLICE_BYTES, 5]);
        assert_eq!(pieces.concat(), bytes);
        // Views of the same allocation, not copies.
        assert_eq!(pieces[1].as_ptr(), bytes[SLICE_BYTES..].as_ptr());
        assert_eq!(slices(Bytes::new()).count(), 0);
    }

    #[actix_web::test]
    async fn an_empty_body_ends_at_once() {
        let body = SlicedBody::new(Bytes::new());
        assert_eq!(body.size(), BodySize::Sized(0));
        assert!(actix_web::body::to_bytes(body).await.unwrap().is_empty());
    }
}

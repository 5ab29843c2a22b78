//! [`StreamedGzip`]: how many streamed answers are gzipped at once.
//!
//! A whole answer is gzipped once per value and shared ([`crate::envelope::Whole`]), but a
//! streamed one (an evolution answer over the cache's entry cap) is compressed as it goes by
//! actix-web's `Compress` middleware: a deflate state of about 400 KiB per response, and a
//! blocking-pool task per chunk. 2,000 clients asking for such answers with gzip and then not
//! reading held 830 MiB until the send timeout closed them (docs/reliability.md, "Clients that
//! stop reading"). Past [`STREAMED_GZIP_AT_ONCE`] concurrent ones, a streamed answer is sent
//! uncompressed instead: the same bytes, more of them, and no deflate state.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most streamed answers gzipped at once by one instance (about 13 MiB of deflate state).
pub const STREAMED_GZIP_AT_ONCE: usize = 32;

/// Counts the streamed answers being gzipped. Shared by the workers (`web::Data`).
#[derive(Debug)]
pub struct StreamedGzip {
    in_use: AtomicUsize,
    limit: usize,
}

impl StreamedGzip {
    /// At most `limit` at once.
    pub fn new(limit: usize) -> Self {
        Self {
            in_use: AtomicUsize::new(0),
            limit,
        }
    }

    /// A permit to gzip one streamed answer, or `None` when `limit` are in use. The permit is
    /// returned when dropped (with the response body that holds it).
    pub fn try_acquire(self: &Arc<Self>) -> Option<StreamedGzipPermit> {
        self.in_use
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .ok()
            .map(|_| StreamedGzipPermit(Arc::clone(self)))
    }

    /// Permits in use.
    pub fn in_use(&self) -> usize {
        self.in_use.load(Ordering::Acquire)
    }
}

impl Default for StreamedGzip {
    fn default() -> Self {
        Self::new(STREAMED_GZIP_AT_ONCE)
    }
}

/// One streamed answer's right to be gzipped; see [`StreamedGzip::try_acquire`].
#[derive(Debug)]
pub struct StreamedGzipPermit(Arc<StreamedGzip>);

impl Drop for StreamedGzipPermit {
    fn drop(&mut self) {
        self.0.in_use.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permits_are_bounded_and_returned_on_drop() {
        let limit = Arc::new(StreamedGzip::new(2));
        let first = limit.try_acquire();
        let second = limit.try_acquire();
        assert!(first.is_some() && second.is_some());
        assert!(limit.try_acquire().is_none(), "a third one past the limit");
        assert_eq!(limit.in_use(), 2);
        drop(first);
        assert_eq!(limit.in_use(), 1);
        assert!(
            limit.try_acquire().is_some(),
            "the returned permit is available again"
        );
        assert_eq!(limit.in_use(), 1, "and returned again when dropped at once");
    }
}

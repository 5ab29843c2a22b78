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

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Most streamed answers gzipped at once by one instance (about 13 MiB of deflate state).
pub const STREAMED_GZIP_AT_ONCE: usize = 32;

/// Permits to gzip a streamed answer, shared by the workers (`web::Data`).
#[derive(Debug)]
pub struct StreamedGzip {
    permits: Arc<Semaphore>,
    limit: usize,
}

impl StreamedGzip {
    /// At most `limit` at once.
    pub fn new(limit: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
        }
    }

    /// A permit to gzip one streamed answer, or `None` when `limit` are in use. The permit is
    /// returned when dropped (with the response body that holds it).
    pub fn try_acquire(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.permits).try_acquire_owned().ok()
    }

    /// Permits in use.
    pub fn in_use(&self) -> usize {
        self.limit - self.permits.available_permits()
    }
}

impl Default for StreamedGzip {
    fn default() -> Self {
        Self::new(STREAMED_GZIP_AT_ONCE)
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

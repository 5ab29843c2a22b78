//! [`Answer`]: a rendered body either whole ([`RenderedJson`], cacheable) or produced piece by
//! piece ([`ChunkedBody`]) when it is too large to hold whole.

use bytes::{Bytes, BytesMut};

use crate::{Envelope, RenderedJson};

/// A rendered answer, inside its [`Envelope`].
#[derive(Debug)]
pub enum Answer {
    /// The whole body, shared with the cache.
    Whole(RenderedJson),
    /// A body larger than a cache entry may be, produced in chunks as it is sent: the memory it
    /// needs is what its parts take once, not its full length.
    Chunked(ChunkedBody),
}

impl Answer {
    /// The body as one [`RenderedJson`] value, collecting a chunked body (a server should
    /// rather send [`Answer::Chunked`] as it comes).
    pub fn into_whole(self) -> RenderedJson {
        match self {
            Self::Whole(json) => json,
            Self::Chunked(body) => {
                let envelope = body.envelope;
                let mut text = Vec::with_capacity(body.len());
                for chunk in body {
                    text.extend_from_slice(&chunk);
                }
                RenderedJson::from_enveloped_bytes(envelope, text)
            }
        }
    }
}

/// Where the pieces of a chunked body come from: each call returns the next piece, `None` at
/// the end. Pieces are borrowed from the source, which the body keeps alive.
pub(crate) trait PieceSource: Send + Sync + 'static {
    /// The cursor that walks the pieces.
    type Cursor: Default + Send;
    /// The next piece after `cursor`, advancing it.
    fn next_piece<'s>(&'s self, cursor: &mut Self::Cursor) -> Option<Piece<'s>>;
}

/// One piece of a body.
pub(crate) enum Piece<'s> {
    /// Text to copy into the current chunk.
    Text(&'s str),
    /// Text that may be sent as it is, without copying, when it is large.
    Shared(&'s SharedText),
}

/// Immutable text that can be appended to a `String` as `&str` (no UTF-8 check per use) and
/// handed out as [`Bytes`] that share its memory (no copy).
///
/// An `Arc<String>`, not an `Arc<str>`: made from a freshly rendered `String`, it keeps that
/// allocation instead of copying the text into a new one (a pattern's text is made once per
/// uncached evolution answer, for each of the user's patterns).
#[derive(Clone)]
pub(crate) struct SharedText(std::sync::Arc<String>);

impl SharedText {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The same memory as [`Bytes`] (a reference-count increment).
    pub(crate) fn to_bytes(&self) -> Bytes {
        Bytes::from_owner(self.clone())
    }
}

impl From<String> for SharedText {
    fn from(text: String) -> Self {
        Self(std::sync::Arc::new(text))
    }
}

impl AsRef<[u8]> for SharedText {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Pieces shorter than this are copied into the current chunk; longer shared pieces are sent as
/// chunks of their own, without a copy.
const COPY_BELOW: usize = 4 * 1024;
/// A chunk is sent once it holds this much.
const CHUNK: usize = 32 * 1024;

/// An enveloped body produced in chunks of about 32 KiB. Its exact length is known up front.
pub struct ChunkedBody {
    chunks: Box<dyn Iterator<Item = Bytes> + Send>,
    len: usize,
    envelope: Envelope,
}

impl ChunkedBody {
    /// A body made of the pieces of `source` (`payload_len` bytes) inside `envelope`.
    pub(crate) fn new<S: PieceSource>(
        source: std::sync::Arc<S>,
        envelope: Envelope,
        payload_len: usize,
    ) -> Self {
        let tail = envelope.tail();
        let mut cursor = S::Cursor::default();
        let mut buffer = BytesMut::with_capacity(CHUNK);
        buffer.extend_from_slice(envelope.head().as_bytes());
        let mut pending: Option<Bytes> = None;
        let mut finished = false;
        let chunks = std::iter::from_fn(move || {
            if let Some(shared) = pending.take() {
                return Some(shared);
            }
            if finished {
                return None;
            }
            loop {
                match source.next_piece(&mut cursor) {
                    Some(Piece::Text(text)) => buffer.extend_from_slice(text.as_bytes()),
                    Some(Piece::Shared(text)) if text.as_str().len() < COPY_BELOW => {
                        buffer.extend_from_slice(text.as_str().as_bytes());
                    }
                    Some(Piece::Shared(text)) => {
                        // Send what is buffered, then the shared text as it is.
                        if buffer.is_empty() {
                            return Some(text.to_bytes());
                        }
                        pending = Some(text.to_bytes());
                        return Some(buffer.split().freeze());
                    }
                    None => {
                        finished = true;
                        buffer.extend_from_slice(tail.as_bytes());
                        return Some(buffer.split().freeze());
                    }
                }
                if buffer.len() >= CHUNK {
                    return Some(buffer.split().freeze());
                }
            }
        });
        Self {
            chunks: Box::new(chunks),
            len: envelope.len() + payload_len,
            envelope,
        }
    }

    /// The body's length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the body is empty (never, for an enveloped body).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Iterator for ChunkedBody {
    type Item = Bytes;

    fn next(&mut self) -> Option<Bytes> {
        self.chunks.next()
    }
}

impl std::fmt::Debug for ChunkedBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkedBody")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

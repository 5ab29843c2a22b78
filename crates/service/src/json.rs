//! [`RenderedJson`]: an answer rendered once, inside an [`Envelope`] chosen by the caller.

use std::fmt;
use std::io::Write;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::ServiceError;

/// The text a rendered body has around its payload, e.g. a server's success envelope
/// `{"success":true,"data":` … `}`. [`Envelope::NONE`] leaves the payload bare.
///
/// A server gives its envelope once, as a constant, to [`Insights::rendered`](crate::Insights::rendered):
/// the cached bodies then already hold it, and a cache hit is sent as those shared bytes
/// without a copy. Answers rendered with different envelopes are cached apart.
///
/// ```
/// use insights_service::{Envelope, RenderedJson};
/// const SUCCESS: Envelope = Envelope::new(r#"{"ok":true,"data":"#, "}");
/// let json = RenderedJson::render(SUCCESS, &[1, 2]).unwrap();
/// assert_eq!(&json.enveloped()[..], br#"{"ok":true,"data":[1,2]}"#);
/// assert_eq!(json.payload(), "[1,2]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Envelope {
    head: &'static str,
    tail: &'static str,
}

impl Envelope {
    /// No text around the payload.
    pub const NONE: Envelope = Envelope::new("", "");

    /// `head` before each payload, `tail` after it.
    pub const fn new(head: &'static str, tail: &'static str) -> Self {
        Self { head, tail }
    }

    /// The text before the payload.
    pub const fn head(&self) -> &'static str {
        self.head
    }

    /// The text after the payload.
    pub const fn tail(&self) -> &'static str {
        self.tail
    }

    /// How many bytes the envelope adds to a payload.
    pub(crate) const fn len(&self) -> usize {
        self.head.len() + self.tail.len()
    }
}

/// The JSON text of an answer (the payload), stored inside its [`Envelope`] as one complete
/// body.
///
/// Cached answers are sent many times: keeping them enveloped lets a server hand out the same
/// bytes for every hit ([`RenderedJson::enveloped`] is a reference-count increment) instead of
/// allocating and copying a body per request, which for an evolution answer is tens of
/// kilobytes. For clients that accept gzip, [`RenderedJson::enveloped_gzip`] compresses the
/// body once and keeps the result with the value (about a tenth of its size more), so a cached
/// answer is not compressed again per request: compressing per hit made cached evolution
/// answers ≈ 130× slower for gzip clients (docs/performance.md). Everywhere else it reads as
/// the payload: it dereferences to the payload text.
#[derive(Clone)]
pub struct RenderedJson {
    body: Arc<Body>,
}

/// The enveloped text and, once asked for, its gzip encoding.
struct Body {
    /// Invariant: `envelope.head + payload + envelope.tail`.
    text: String,
    envelope: Envelope,
    /// `None` inside if compressing failed (it writes to memory, so it does not in practice).
    gzip: OnceLock<Option<Bytes>>,
}

impl Body {
    fn new(text: String, envelope: Envelope) -> Arc<Self> {
        Arc::new(Self {
            text,
            envelope,
            gzip: OnceLock::new(),
        })
    }
}

impl RenderedJson {
    /// Renders `value` straight into an enveloped body (one buffer, no copy afterwards).
    pub fn render<T: serde::Serialize + ?Sized>(
        envelope: Envelope,
        value: &T,
    ) -> Result<Self, ServiceError> {
        let mut body = Vec::with_capacity(256);
        body.extend_from_slice(envelope.head.as_bytes());
        serde_json::to_writer(&mut body, value).map_err(ServiceError::encode)?;
        body.extend_from_slice(envelope.tail.as_bytes());
        // serde_json writes UTF-8 only; the check is linear but cheaper than any copy.
        let body = String::from_utf8(body)
            .map_err(|_| ServiceError::Internal("serde_json wrote invalid UTF-8"))?;
        Ok(Self {
            body: Body::new(body, envelope),
        })
    }

    /// Lets `write` append the payload text directly into the enveloped body, sized for
    /// `expected_len` bytes of payload. `write` must append exactly one JSON value.
    pub(crate) fn build(
        envelope: Envelope,
        expected_len: usize,
        write: impl FnOnce(&mut String) -> Result<(), ServiceError>,
    ) -> Result<Self, ServiceError> {
        let mut body = String::with_capacity(envelope.len() + expected_len);
        body.push_str(envelope.head);
        write(&mut body)?;
        body.push_str(envelope.tail);
        Ok(Self {
            body: Body::new(body, envelope),
        })
    }

    /// Wraps payload text that is already JSON (for example from the shared cache tier).
    pub fn from_payload(envelope: Envelope, payload: &str) -> Self {
        let mut body = String::with_capacity(envelope.len() + payload.len());
        body.push_str(envelope.head);
        body.push_str(payload);
        body.push_str(envelope.tail);
        Self {
            body: Body::new(body, envelope),
        }
    }

    /// Wraps a complete enveloped body, as produced by a [`ChunkedBody`](crate::ChunkedBody).
    /// Callers guarantee `head + payload + tail` in valid UTF-8; a body that is not UTF-8 is
    /// replaced lossily rather than trusted.
    pub(crate) fn from_enveloped_bytes(envelope: Envelope, bytes: Vec<u8>) -> Self {
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Self {
            body: Body::new(text, envelope),
        }
    }

    /// About how many bytes this value holds in a cache: its text, plus room for the gzip
    /// encoding it may gain (about a tenth of the text for these answers) and bookkeeping.
    pub fn weight(&self) -> u64 {
        let text = self.body.text.len() as u64;
        text + text / 8 + 256
    }

    /// The envelope around the payload.
    pub fn envelope(&self) -> Envelope {
        self.body.envelope
    }

    /// The payload text (inside the envelope).
    pub fn payload(&self) -> &str {
        let Body { text, envelope, .. } = &*self.body;
        // The text starts with the head and ends with the tail; `get` keeps a lossily
        // replaced body (see `from_enveloped_bytes`) from panicking.
        text.get(envelope.head.len()..text.len().saturating_sub(envelope.tail.len()))
            .unwrap_or_default()
    }

    /// The complete body, envelope included, sharing this value's memory.
    pub fn enveloped(&self) -> Bytes {
        Bytes::from_owner(SharedBody(Arc::clone(&self.body)))
    }

    /// The complete body compressed with gzip (RFC 1952), computed on the first call
    /// and shared by every later one and every clone of this value. `None` if compression
    /// failed; send [`RenderedJson::enveloped`] then.
    pub fn enveloped_gzip(&self) -> Option<Bytes> {
        self.body
            .gzip
            .get_or_init(|| gzip(self.body.text.as_bytes()).map(Bytes::from))
            .clone()
    }
}

/// gzip at level 2. On flate2's zlib-rs backend, level 1 is a "quick" strategy that gives up
/// ratio for speed (a 2.15 MB heavy-user answer: 486 KB); level 2 is still faster than the
/// default backend's level 1 on a 118 KB evolution answer (0.09 ms against 0.15 ms) and
/// smaller on both (9.9 KB against 11.8 KB; 378 KB against 389 KB in ≈ 4.4 ms against ≈ 4.0
/// ms). An uncached answer is compressed for one response only, so speed matters as much as
/// size; the default level 6 takes 2.4–3× as long for 12–18 % fewer bytes.
fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        Compression::new(GZIP_LEVEL),
    );
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// See [`gzip`].
const GZIP_LEVEL: u32 = 2;

/// Lets [`Bytes`] borrow the body for as long as a response needs it.
struct SharedBody(Arc<Body>);

impl AsRef<[u8]> for SharedBody {
    fn as_ref(&self) -> &[u8] {
        self.0.text.as_bytes()
    }
}

impl PartialEq for RenderedJson {
    fn eq(&self, other: &Self) -> bool {
        self.body.envelope == other.body.envelope && self.body.text == other.body.text
    }
}

impl Eq for RenderedJson {}

impl Deref for RenderedJson {
    type Target = str;

    fn deref(&self) -> &str {
        self.payload()
    }
}

impl AsRef<str> for RenderedJson {
    fn as_ref(&self) -> &str {
        self.payload()
    }
}

impl fmt::Display for RenderedJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.payload())
    }
}

impl fmt::Debug for RenderedJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RenderedJson")
            .field(&self.payload())
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    const SUCCESS: Envelope = Envelope::new(r#"{"success":true,"data":"#, "}");

    #[test]
    fn payload_and_envelope_agree() {
        let json = RenderedJson::render(SUCCESS, &serde_json::json!({"a": [1, "é"]})).unwrap();
        assert_eq!(json.payload(), r#"{"a":[1,"é"]}"#);
        assert_eq!(
            &json.enveloped()[..],
            r#"{"success":true,"data":{"a":[1,"é"]}}"#.as_bytes()
        );
        assert_eq!(RenderedJson::from_payload(SUCCESS, json.payload()), json);
        let bare = RenderedJson::from_payload(Envelope::NONE, json.payload());
        assert_eq!(&bare.enveloped()[..], json.payload().as_bytes());
        assert_ne!(bare, json, "another envelope, another body");
        let parsed: serde_json::Value = serde_json::from_slice(&json.enveloped()).unwrap();
        assert_eq!(parsed["data"]["a"][1], "é");
    }

    #[test]
    fn gzip_is_computed_once_and_decodes_to_the_body() {
        use std::io::Read;
        let json =
            RenderedJson::from_payload(SUCCESS, &format!("[{}]", vec!["\"é\""; 500].join(",")));
        let gz = json.enveloped_gzip().unwrap();
        assert!(gz.len() < json.enveloped().len() / 10, "{} bytes", gz.len());
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, json.enveloped());
        // A clone (another cache hit) gets the same compressed bytes, not a second compression.
        assert_eq!(json.clone().enveloped_gzip().unwrap().as_ptr(), gz.as_ptr());
    }

    #[test]
    fn enveloped_shares_memory() {
        let json = RenderedJson::from_payload(SUCCESS, "[]");
        let a = json.enveloped();
        let b = json.enveloped();
        assert_eq!(a.as_ptr(), b.as_ptr());
        assert_eq!(&*json, "[]");
    }
}

//! [`Json`]: a success payload, rendered once, already inside the API's success envelope.

use std::fmt;
use std::io::Write;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::ServiceError;

/// Opening of the success envelope `{"success":true,"data":…}`; the payload follows, then [`TAIL`].
pub(crate) const HEAD: &str = r#"{"success":true,"data":"#;
/// Closing of the success envelope.
pub(crate) const TAIL: &str = "}";

/// The JSON text of a success payload (the envelope's `data`), stored as the complete
/// `{"success":true,"data":<payload>}` body.
///
/// Cached answers are sent many times: keeping them enveloped lets a server hand out the same
/// bytes for every hit ([`Json::enveloped`] is a reference-count increment) instead of
/// allocating and copying a body per request, which for an evolution answer is tens of
/// kilobytes. For clients that accept gzip, [`Json::enveloped_gzip`] compresses the body once
/// and keeps the result with the value (about a tenth of its size more), so a cached answer is
/// not compressed again per request: compressing per hit made cached evolution answers ≈ 130×
/// slower for gzip clients (docs/performance.md). Everywhere else it reads as the payload: it
/// dereferences to the payload text.
#[derive(Clone)]
pub struct Json {
    body: Arc<Body>,
}

/// The enveloped text and, once asked for, its gzip encoding.
struct Body {
    /// Invariant: `HEAD + payload + TAIL`. Both ends are ASCII, so slicing them off always
    /// lands on character boundaries.
    text: String,
    /// `None` inside if compressing failed (it writes to memory, so it does not in practice).
    gzip: OnceLock<Option<Bytes>>,
}

impl Body {
    fn new(text: String) -> Arc<Self> {
        Arc::new(Self {
            text,
            gzip: OnceLock::new(),
        })
    }
}

impl Json {
    /// Renders `value` straight into an enveloped body (one buffer, no copy afterwards).
    pub(crate) fn render<T: serde::Serialize>(value: &T) -> Result<Self, ServiceError> {
        let mut body = Vec::with_capacity(256);
        body.extend_from_slice(HEAD.as_bytes());
        serde_json::to_writer(&mut body, value).map_err(ServiceError::encode)?;
        body.extend_from_slice(TAIL.as_bytes());
        // serde_json writes UTF-8 only; the check is linear but cheaper than any copy.
        let body = String::from_utf8(body)
            .map_err(|_| ServiceError::Internal("serde_json wrote invalid UTF-8"))?;
        Ok(Self {
            body: Body::new(body),
        })
    }

    /// Lets `write` append the payload text directly into the enveloped body, sized for
    /// `expected_len` bytes of payload. `write` must append exactly one JSON value.
    pub(crate) fn build(
        expected_len: usize,
        write: impl FnOnce(&mut String) -> Result<(), ServiceError>,
    ) -> Result<Self, ServiceError> {
        let mut body = String::with_capacity(HEAD.len() + expected_len + TAIL.len());
        body.push_str(HEAD);
        write(&mut body)?;
        body.push_str(TAIL);
        Ok(Self {
            body: Body::new(body),
        })
    }

    /// Wraps payload text that is already JSON (for example from the shared cache tier).
    pub fn from_payload(payload: &str) -> Self {
        let mut body = String::with_capacity(HEAD.len() + payload.len() + TAIL.len());
        body.push_str(HEAD);
        body.push_str(payload);
        body.push_str(TAIL);
        Self {
            body: Body::new(body),
        }
    }

    /// Wraps a complete enveloped body, as produced by a [`ChunkedBody`](crate::ChunkedBody).
    /// Callers guarantee `HEAD + payload + TAIL` in valid UTF-8; a body that is not UTF-8 is
    /// replaced lossily rather than trusted.
    pub(crate) fn from_enveloped_bytes(bytes: Vec<u8>) -> Self {
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        Self {
            body: Body::new(text),
        }
    }

    /// About how many bytes this value holds in a cache: its text, plus room for the gzip
    /// encoding it may gain (about a tenth of the text for these answers) and bookkeeping.
    pub fn weight(&self) -> u64 {
        let text = self.body.text.len() as u64;
        text + text / 8 + 256
    }

    /// The payload text (the envelope's `data`).
    pub fn payload(&self) -> &str {
        let text = &self.body.text;
        &text[HEAD.len()..text.len() - TAIL.len()]
    }

    /// The complete success body, sharing this value's memory.
    pub fn enveloped(&self) -> Bytes {
        Bytes::from_owner(SharedBody(Arc::clone(&self.body)))
    }

    /// The complete success body compressed with gzip (RFC 1952), computed on the first call
    /// and shared by every later one and every clone of this value. `None` if compression
    /// failed; send [`Json::enveloped`] then.
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

impl PartialEq for Json {
    fn eq(&self, other: &Self) -> bool {
        self.body.text == other.body.text
    }
}

impl Eq for Json {}

impl Deref for Json {
    type Target = str;

    fn deref(&self) -> &str {
        self.payload()
    }
}

impl AsRef<str> for Json {
    fn as_ref(&self) -> &str {
        self.payload()
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.payload())
    }
}

impl fmt::Debug for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Json").field(&self.payload()).finish()
    }
}

impl From<&str> for Json {
    fn from(payload: &str) -> Self {
        Self::from_payload(payload)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    #[test]
    fn payload_and_envelope_agree() {
        let json = Json::render(&serde_json::json!({"a": [1, "é"]})).unwrap();
        assert_eq!(json.payload(), r#"{"a":[1,"é"]}"#);
        assert_eq!(
            &json.enveloped()[..],
            r#"{"success":true,"data":{"a":[1,"é"]}}"#.as_bytes()
        );
        assert_eq!(Json::from_payload(json.payload()), json);
        let parsed: serde_json::Value = serde_json::from_slice(&json.enveloped()).unwrap();
        assert_eq!(parsed["data"]["a"][1], "é");
    }

    #[test]
    fn gzip_is_computed_once_and_decodes_to_the_body() {
        use std::io::Read;
        let json = Json::from_payload(&format!("[{}]", vec!["\"é\""; 500].join(",")));
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
        let json = Json::from_payload("[]");
        let a = json.enveloped();
        let b = json.enveloped();
        assert_eq!(a.as_ptr(), b.as_ptr());
        assert_eq!(&*json, "[]");
    }
}

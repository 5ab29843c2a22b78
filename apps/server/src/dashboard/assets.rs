//! The dashboard's files, embedded at compile time, with content-derived `ETag`s.

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// The name under `/assets/` (the page itself is served at `/`).
    pub name: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The bytes.
    pub body: &'static [u8],
    /// FNV-1a of the bytes, computed by the compiler.
    hash: u64,
}

impl Asset {
    const fn new(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Self {
        Self {
            name,
            content_type,
            body,
            hash: fnv1a(body),
        }
    }

    /// An `ETag` that changes whenever the bytes do; weak, because the compression
    /// middleware may send the same file gzip-encoded under the same tag.
    pub fn etag(&self) -> String {
        format!("W/\"{:016x}\"", self.hash)
    }
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";

macro_rules! file {
    ($name:literal, $type:expr) => {
        Asset::new(
            $name,
            $type,
            include_bytes!(concat!("../../assets/dashboard/", $name)),
        )
    };
}

/// The page at `/`.
pub const PAGE: Asset = file!("index.html", HTML);

/// Everything the page loads from `/assets/`.
pub const FILES: &[Asset] = &[
    file!("dashboard.css", CSS),
    file!("icon.svg", SVG),
    file!("main.js", JS),
    file!("api.js", JS),
    file!("token.js", JS),
    file!("dom.js", JS),
    file!("chart.js", JS),
    file!("effectiveness.js", JS),
    file!("evolution.js", JS),
    file!("recommendations.js", JS),
];

/// The file named `name`, if the page has one.
pub fn find(name: &str) -> Option<&'static Asset> {
    FILES.iter().find(|a| a.name == name)
}

/// 64-bit FNV-1a: tiny, `const`, and good enough to tell two versions of a file apart.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_stays_under_100_kb_and_names_only_embedded_files() {
        let total: usize = PAGE.body.len() + FILES.iter().map(|a| a.body.len()).sum::<usize>();
        assert!(total < 100 * 1024, "dashboard weighs {total} bytes");
        // Every `/assets/x` or `./x.js` the files mention is one we serve, so nothing 404s.
        for text in std::iter::once(&PAGE)
            .chain(FILES)
            .filter(|a| a.content_type != SVG)
            .map(|a| String::from_utf8_lossy(a.body))
        {
            for (prefix, end) in [("/assets/", '"'), ("from './", '\'')] {
                for part in text.split(prefix).skip(1) {
                    let name = part.split(end).next().unwrap_or_default();
                    assert!(find(name).is_some(), "{prefix}{name} is not embedded");
                }
            }
        }
    }

    #[test]
    fn etags_differ_between_files() {
        let mut tags: Vec<String> = FILES.iter().map(Asset::etag).collect();
        tags.push(PAGE.etag());
        let count = tags.len();
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), count);
    }
}

//! Limits on ingested text. A request over a limit is refused whole with a 400
//! `VALIDATION_ERROR` naming the field, before anything is written.
//!
//! They exist so that no single item can make the answers built from it large: a pattern's
//! evidence is repeated in every week of an evolution answer it spans, and insight titles are
//! copied into recommendations. Rows written by other applications beyond these limits are
//! still served (the answers stream, and the cache refuses entries over its per-entry cap);
//! the limits only bound what this API lets a client add. Lengths count Unicode characters.

/// Longest `patternName` of an ingested pattern.
pub const MAX_PATTERN_NAME_CHARS: usize = 200;
/// Most `evidence` items of an ingested pattern.
pub const MAX_EVIDENCE_ITEMS: usize = 20;
/// Longest single `evidence` item.
pub const MAX_EVIDENCE_CHARS: usize = 500;
/// Largest `patternData` object, as compact JSON bytes.
pub const MAX_PATTERN_DATA_BYTES: usize = 16 * 1024;
/// Longest insight `title`.
pub const MAX_INSIGHT_TITLE_CHARS: usize = 200;
/// Longest insight `description` or `actionableRecommendation`.
pub const MAX_INSIGHT_TEXT_CHARS: usize = 2_000;

/// Most items one ingestion request may carry.
pub use crate::requests::MAX_ITEMS_PER_REQUEST;

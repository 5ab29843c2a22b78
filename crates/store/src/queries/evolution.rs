//! Patterns overlapping a window (GET …/patterns/evolution).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use insights_model::{PatternType, TimelinePattern, Timestamp};

use crate::pool::with_conn;
use crate::rows::{TimelinePatternRow, naive};
use crate::schema::behavioral_patterns as bp;
use crate::sql_types::DbEnum;
use crate::{Store, StoreError};

impl Store {
    /// The user's patterns whose `[detectedAt, lastSeenAt]` overlaps `[start, end]` (the fixed
    /// predicate; docs/compatibility.md, section 4), optionally of one type, ordered by pattern
    /// type (enum declaration order, on both backends), then `detectedAt`, then id. Only the
    /// columns the timeline shows are read.
    pub async fn patterns_overlapping(
        &self,
        user: &str,
        start: Timestamp,
        end: Timestamp,
        pattern_type: Option<PatternType>,
    ) -> Result<Vec<TimelinePattern>, StoreError> {
        let (start, end) = (naive(start), naive(end));
        // The query, boxed for each backend (a boxed query's type names its backend).
        macro_rules! overlapping {
            () => {{
                let mut query = bp::table
                    .filter(bp::user_id.eq(user))
                    .filter(bp::last_seen_at.ge(start))
                    .filter(bp::detected_at.le(end))
                    .select(TimelinePatternRow::as_select())
                    .into_boxed();
                if let Some(t) = pattern_type {
                    query = query.filter(bp::pattern_type.eq(DbEnum(t)));
                }
                query
            }};
        }
        let rows: Vec<TimelinePatternRow> = with_conn!(self,
            read: |conn| overlapping!().load(&mut &*conn).await?,
            sqlite: |conn| overlapping!().load(conn).await?
        );
        let mut patterns: Vec<TimelinePattern> = rows.into_iter().map(Into::into).collect();
        // Sorted here rather than in SQL: SQLite stores the enum as text and would sort it
        // alphabetically, while PostgreSQL sorts by declaration order.
        patterns.sort_by(|a, b| {
            (a.pattern_type, a.detected_at, &a.id).cmp(&(b.pattern_type, b.detected_at, &b.id))
        });
        Ok(patterns)
    }
}
